import Archive
import Foundation

/// How a run's train and test sets are made; part of the run manifest. The digest of the resulting data goes in the
/// manifest too, so a changed file is detected even when the spec is unchanged.
public struct DatasetSpec: Codable, Equatable, Sendable {
    /// "digits" (fixtures/uci-digits, split by seed) or "fashion-mnist" (Debian's package, official split).
    public var name: String
    /// digits: images held out for testing.
    public var testCount: Int = 360
    public var splitSeed: Int64 = 0
    /// Keep only the first n images of each part after splitting (0 = all): for quick runs.
    public var trainLimit: Int = 0
    public var testLimit: Int = 0

    public init(name: String, testCount: Int = 360, splitSeed: Int64 = 0, trainLimit: Int = 0, testLimit: Int = 0) {
        self.name = name; self.testCount = testCount; self.splitSeed = splitSeed; self.trainLimit = trainLimit; self.testLimit = testLimit
    }

    /// Where fixtures live: $REPRISE_FIXTURES, else ./fixtures, else the repository's fixtures beside this source file.
    public static var fixturesDirectory: String {
        if let env = ProcessInfo.processInfo.environment["REPRISE_FIXTURES"] { return env }
        if FileManager.default.fileExists(atPath: "fixtures/uci-digits/digits.csv.gz") { return "fixtures" }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../fixtures").standardized.path
    }

    public func load() throws -> (train: ImageDataset, test: ImageDataset) {
        var parts: (train: ImageDataset, test: ImageDataset)
        switch name {
        case "digits":
            parts = try DigitsDataset.load(path: Self.fixturesDirectory + "/uci-digits/digits.csv.gz")
                .split(testCount: testCount, seed: UInt64(bitPattern: splitSeed))
        case "fashion-mnist":
            parts = (try IDXDataset.fashionMNIST(train: true), try IDXDataset.fashionMNIST(train: false))
        default:
            throw DatasetError(path: name, reason: "unknown dataset; known: digits, fashion-mnist")
        }
        if trainLimit > 0 && trainLimit < parts.train.count { parts.train = parts.train.subset(Array(0..<trainLimit)) }
        if testLimit > 0 && testLimit < parts.test.count { parts.test = parts.test.subset(Array(0..<testLimit)) }
        return parts
    }

    /// SHA-256 over the train digest then the test digest (hex, newline-separated).
    public static func digest(train: ImageDataset, test: ImageDataset) -> String {
        ObjectID(of: Data("\(train.digest.hex)\n\(test.digest.hex)\n".utf8)).hex
    }
}
