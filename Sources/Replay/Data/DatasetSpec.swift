import Archive
import Foundation

/// How a run's train and test sets are made; part of the run manifest. The digest of the resulting data goes in the
/// manifest too, so a changed file is detected even when the spec is unchanged.
///
/// Sources (`name`): "digits" (fixtures/uci-digits, split by `splitSeed`), "fashion-mnist" (Debian's package, official
/// split), "cifar10" / "cifar100" (binary files in `path`, official split), "synthetic" (FEAR App. A.4, parameters in
/// `synthetic`, split by `splitSeed`), "folder" (PNG/JPEG files in `path`, one folder per class, read as `folder`
/// says: `ImageFolderDataset`).
///
/// Derivations, applied in this order (each optional; absent fields are left out of the manifest, so specs written before
/// they existed keep their run IDs):
/// 1. `downsample` f: f×f mean pooling of every image (train and test);
/// 2. `classSubset` k: keep k classes chosen by `subsetSeed` (train and test; nested for one seed — the ImageNet-X family);
/// 3. `rebalance`: cut the largest class to the second largest (train and test; App. B.7);
/// 4. `perClassLimit` n: at most n training images per class (train only; "ImageNet-1000-10", App. B.6);
/// 5. `trainLimit` / `testLimit`: keep the first n images of each part (0 = all), for quick runs;
/// 6. `validationCount` n: n training images held out as a validation part (`validationSplit`, chosen by `splitSeed`):
///    not trained on, evaluated after every epoch (and used by early stopping). `load()` still returns them in the
///    train part — the dataset digest covers them — and the trainer holds them out.
public struct DatasetSpec: Codable, Equatable, Sendable {
    public var name: String
    /// digits and synthetic: images held out for testing.
    public var testCount: Int = 360
    public var splitSeed: Int64 = 0
    public var trainLimit: Int = 0
    public var testLimit: Int = 0
    /// cifar10 / cifar100: the directory holding the binary files; folder: the dataset's root folder.
    public var path: String?
    public var synthetic: SyntheticDatasetSpec?
    /// folder: the side, channels and bad-file policy of an image-folder dataset.
    public var folder: ImageFolderSpec?
    public var downsample: Int?
    public var classSubset: Int?
    /// Seed of the class choice, per-class subsampling and rebalancing (default 0).
    public var subsetSeed: Int64?
    public var rebalance: Bool?
    public var perClassLimit: Int?
    public var validationCount: Int?

    public init(name: String, testCount: Int = 360, splitSeed: Int64 = 0, trainLimit: Int = 0, testLimit: Int = 0) {
        self.name = name; self.testCount = testCount; self.splitSeed = splitSeed; self.trainLimit = trainLimit; self.testLimit = testLimit
    }

    /// Decodes a spec in which only `name` is required; absent fields take their defaults (encoding is unchanged).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name))
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws { if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v } }
        try take(.testCount, &testCount); try take(.splitSeed, &splitSeed); try take(.trainLimit, &trainLimit); try take(.testLimit, &testLimit)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        synthetic = try c.decodeIfPresent(SyntheticDatasetSpec.self, forKey: .synthetic)
        folder = try c.decodeIfPresent(ImageFolderSpec.self, forKey: .folder)
        downsample = try c.decodeIfPresent(Int.self, forKey: .downsample)
        classSubset = try c.decodeIfPresent(Int.self, forKey: .classSubset)
        subsetSeed = try c.decodeIfPresent(Int64.self, forKey: .subsetSeed)
        rebalance = try c.decodeIfPresent(Bool.self, forKey: .rebalance)
        perClassLimit = try c.decodeIfPresent(Int.self, forKey: .perClassLimit)
        validationCount = try c.decodeIfPresent(Int.self, forKey: .validationCount)
    }

    public static let knownSources = ["digits", "fashion-mnist", "cifar10", "cifar100", "synthetic", "folder"]

    /// Where fixtures live: $REPRISE_FIXTURES, else ./fixtures, else the repository's fixtures beside this source file.
    public static var fixturesDirectory: String {
        if let env = ProcessInfo.processInfo.environment["REPRISE_FIXTURES"] { return env }
        if FileManager.default.fileExists(atPath: "fixtures/uci-digits/digits.csv.gz") { return "fixtures" }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../fixtures").standardized.path
    }

    /// The source's train and test parts before any derivation.
    public func loadSource() throws -> (train: ImageDataset, test: ImageDataset) {
        switch name {
        case "digits":
            return try DigitsDataset.load(path: Self.fixturesDirectory + "/uci-digits/digits.csv.gz")
                .split(testCount: testCount, seed: UInt64(bitPattern: splitSeed))
        case "fashion-mnist":
            return (try IDXDataset.fashionMNIST(train: true), try IDXDataset.fashionMNIST(train: false))
        case "cifar10", "cifar100":
            guard let path else { throw DatasetError(path: name, reason: "needs \"path\": the directory of the binary files") }
            let variant = CIFARDataset.Variant(rawValue: name)!
            return (try CIFARDataset.load(directory: path, variant: variant, train: true),
                    try CIFARDataset.load(directory: path, variant: variant, train: false))
        case "synthetic":
            guard let synthetic else { throw DatasetError(path: name, reason: "needs \"synthetic\": {count, size, channels, classes, hidden, seed}") }
            guard testCount < synthetic.count else { throw DatasetError(path: name, reason: "testCount \(testCount) ≥ count \(synthetic.count)") }
            return try synthetic.generate().split(testCount: testCount, seed: UInt64(bitPattern: splitSeed))
        case "folder":
            guard let path, let folder else { throw DatasetError(path: name, reason: "needs \"path\" (the root folder) and \"folder\": {size, channels}") }
            let load = try ImageFolderDataset.load(root: path, spec: folder, testCount: testCount, splitSeed: splitSeed)
            return (load.train, load.test)
        default:
            throw DatasetError(path: name, reason: "unknown dataset; known: \(Self.knownSources.joined(separator: ", "))")
        }
    }

    public func load() throws -> (train: ImageDataset, test: ImageDataset) {
        try derive(from: try loadSource())
    }

    /// Applies the derivations (see the type's documentation) to a loaded source.
    public func derive(from source: (train: ImageDataset, test: ImageDataset)) throws -> (train: ImageDataset, test: ImageDataset) {
        var parts = source
        let seed = UInt64(bitPattern: subsetSeed ?? 0)
        if let f = downsample { parts = (try parts.train.downsampled(by: f), try parts.test.downsampled(by: f)) }
        if let k = classSubset {
            guard k >= 2, k <= parts.train.classes else {
                throw DatasetError(path: name, reason: "classSubset \(k): must be between 2 and the \(parts.train.classes) classes")
            }
            let kept = ImageDataset.classSubset(of: parts.train.classes, keep: k, seed: seed)
            parts = (parts.train.keepingClasses(kept), parts.test.keepingClasses(kept))
        }
        if rebalance == true { parts = (parts.train.rebalanced(seed: seed), parts.test.rebalanced(seed: seed)) }
        if let n = perClassLimit {
            guard n >= 1 else { throw DatasetError(path: name, reason: "perClassLimit must be ≥ 1") }
            parts.train = parts.train.limitingPerClass(n, seed: seed)
        }
        if trainLimit > 0 && trainLimit < parts.train.count { parts.train = parts.train.subset(Array(0..<trainLimit)) }
        if testLimit > 0 && testLimit < parts.test.count { parts.test = parts.test.subset(Array(0..<testLimit)) }
        return parts
    }

    /// The training part without its validation images, and the validation part (nil without `validationCount`).
    public func validationSplit(of train: ImageDataset) throws -> (train: ImageDataset, validation: ImageDataset?) {
        guard let n = validationCount else { return (train, nil) }
        guard n >= 1, n < train.count else {
            throw DatasetError(path: name, reason: "validationCount \(n) must be at least 1 and less than the \(train.count) training images")
        }
        let (rest, held) = train.holdOut(n, seed: UInt64(bitPattern: splitSeed))
        return (rest, held)
    }

    /// The spec with every derivation removed: datasets that share it share one loaded source.
    public var source: DatasetSpec {
        var s = DatasetSpec(name: name, testCount: testCount, splitSeed: splitSeed)
        s.path = path; s.synthetic = synthetic; s.folder = folder
        return s
    }

    /// SHA-256 over the train digest then the test digest (hex, newline-separated).
    public static func digest(train: ImageDataset, test: ImageDataset) -> String {
        ObjectID(of: Data("\(train.digest.hex)\n\(test.digest.hex)\n".utf8)).hex
    }
}
