import Archive
import Foundation

/// Zero-cost proxy scores of one architecture on one dataset, stored as a run of kind "proxies" so that the archive's
/// machinery (fsck, gc, merge, export, replay) applies to them unchanged.
///
/// Manifest: kind "proxies", the architecture, dataset and digest, `training` = {"batchSize": B, "proxies": [...]}, and
/// the seed. The scored weights are the initialisation `AnyNetModel(spec:inputSize:seed:)` draws for that seed, i.e. the
/// epoch-0 checkpoint of the training run with the same seed. The batch: the first B images of the Philox permutation
/// (purpose .proxyBatch, epoch 0) of the training set, without augmentation (foresight takes one shuffled, augmented
/// loader batch). With `afterEpoch`, the weights (and BN statistics) are instead those of that epoch's checkpoint of the
/// training run the config names (FEAR App. A.4: proxies degrade as training proceeds). Record: status completed, `metrics` = the finite scores by proxy name; non-finite scores are listed in
/// `reason` and left out of `metrics`; timings = the wall-clock seconds of the scoring (one entry).
public struct ProxyRun: Sendable {
    public struct Config: Codable, Equatable, Sendable {
        public var batchSize: Int
        public var proxies: [ZeroCostProxy]
        /// Score the weights after this epoch of the training run with the same architecture, dataset and seed trained
        /// with `trainedWith` (it must be in the archive); nil = the initialisation. Both omitted from the manifest when nil.
        public var afterEpoch: Int?
        public var trainedWith: TrainingConfig?
        /// The version of the proxies' double-precision arithmetic (`ProxyRun.arithmetic`); absent (nil) in manifests
        /// written before it existed, which mean version 1. Part of the manifest, so scores computed by different
        /// arithmetic are different runs.
        public var arithmetic: Int?
        public init(batchSize: Int = 64, proxies: [ZeroCostProxy] = ZeroCostProxy.allCases, afterEpoch: Int? = nil, trainedWith: TrainingConfig? = nil,
                    arithmetic: Int? = ProxyRun.arithmetic) {
            self.batchSize = batchSize; self.proxies = proxies; self.afterEpoch = afterEpoch; self.trainedWith = trainedWith
            self.arithmetic = arithmetic
        }
    }

    /// Version of DoubleNetwork's arithmetic, recorded in every proxies manifest. 1: its own direct convolutions
    /// (a product then an addition per tap and channel). 2 (2026-12-04): Conv2D's generic references in Double (one
    /// fused multiply-add chain per output in (kh, kw, c) order). Bump it whenever the proxies' arithmetic changes.
    public static let arithmetic = 2

    public var architecture: AnyNetSpec
    public var dataset: DatasetSpec
    public var config: Config
    public var seed: Int64

    public init(architecture: AnyNetSpec, dataset: DatasetSpec, config: Config, seed: Int64) {
        self.architecture = architecture; self.dataset = dataset; self.config = config; self.seed = seed
    }

    public func manifest(datasetDigest: String) throws -> RunManifest {
        try RunManifest.replay(kind: .proxies, architecture: architecture, dataset: dataset, datasetDigest: datasetDigest,
                               training: config, seed: seed)
    }

    public init(manifest: RunManifest) throws {
        guard manifest.kind == .proxies else { throw ReplayError("manifest", "kind \(manifest.kind.rawValue), not proxies") }
        architecture = try manifest.architecture.decode(AnyNetSpec.self)
        dataset = try manifest.dataset.decode(DatasetSpec.self)
        config = try manifest.training.decode(Config.self)
        seed = manifest.seed
    }

    /// The scores (NaN and infinities included) and the seconds they took.
    public func scores(train: ImageDataset, test: ImageDataset, archive: Archive) throws -> (scores: [ZeroCostProxy: Double], seconds: Double) {
        guard train.count >= config.batchSize, config.batchSize >= 2 else {
            throw ReplayError(dataset.name, "proxy batch of \(config.batchSize) needs 2 ≤ batch ≤ \(train.count) training images")
        }
        let start = Date()
        if architecture.seRatio != nil {
            throw ReplayError("proxy config", "zero-cost proxies are not implemented for squeeze-excitation (RegNetY) architectures")
        }
        let model = AnyNetModel(spec: architecture, inputSize: train.height, seed: UInt64(bitPattern: seed))
        if let epoch = config.afterEpoch {
            guard let recipe = config.trainedWith else { throw ReplayError("proxy config", "afterEpoch needs trainedWith") }
            let source = RunSpec(architecture: architecture, dataset: dataset, training: recipe, seed: seed)
            let run = try source.manifest(datasetDigest: DatasetSpec.digest(train: train, test: test)).runID()
            guard let record = try archive.record(of: run), let entry = record.checkpoints.first(where: { $0.epoch == epoch }) else {
                throw ReplayError("proxy config", "the archive holds no checkpoint of epoch \(epoch) of training run \(run.short); train it first")
            }
            try Trainer(spec: source, workers: .serial).restore(model, from: archive.getJSON(CheckpointRecord.self, entry.checkpoint), archive: archive)
        }
        let order = Philox(seed: UInt64(bitPattern: seed)).permutation(train.count, purpose: .proxyBatch, epoch: 0)
        let chosen = Array(order.prefix(config.batchSize))
        var images: [Float] = []
        images.reserveCapacity(chosen.count * train.imageSize)
        for i in chosen { images.append(contentsOf: train.images[(i * train.imageSize)..<((i + 1) * train.imageSize)]) }
        let scores = model.zeroCostProxies(config.proxies, images: images, labels: chosen.map { train.labels[$0] })
        return (scores, Date().timeIntervalSince(start))
    }

    /// The record a scoring produces (deterministic apart from `timings`).
    static func record(run: ObjectID, scores: [ZeroCostProxy: Double]) -> RunRecord {
        let nonFinite = scores.filter { !$0.value.isFinite }.map { "\($0.key.rawValue) = \($0.value)" }.sorted()
        return RunRecord(run: run, status: .completed, reason: nonFinite.isEmpty ? nil : "not finite: " + nonFinite.joined(separator: ", "),
                         metrics: Dictionary(uniqueKeysWithValues: scores.filter { $0.value.isFinite }.map { ($0.key.rawValue, $0.value) }))
    }

    /// Scores the architecture and commits the run, unless the archive already holds it. Returns the record.
    @discardableResult
    public func run(in archive: Archive, data: (train: ImageDataset, test: ImageDataset)? = nil) throws -> RunRecord {
        let (train, test) = try data ?? dataset.load()
        let manifest = try manifest(datasetDigest: DatasetSpec.digest(train: train, test: test))
        let run = try archive.putManifest(manifest)
        if let existing = try archive.record(of: run), existing.status == .completed { return existing }
        let (scores, seconds) = try scores(train: train, test: test, archive: archive)
        var record = Self.record(run: run, scores: scores)
        record.timings = try archive.putJSON(RunTimings(secondsPerEpoch: [seconds], threads: 1, host: ProcessInfo.processInfo.hostName))
        try archive.commit(record)
        return record
    }

    /// Recomputes an archived proxies run from its manifest and says whether the scores are bitwise the archived ones.
    /// What `replay` found: `identical` (every score's bits and the dataset digest agree), whether the dataset's
    /// digest matches the manifest's, and one line per differing score.
    public typealias Comparison = (identical: Bool, datasetDigestMatches: Bool, differences: [String])

    public static func replay(_ run: ObjectID, in archive: Archive) throws -> Comparison {
        let manifest = try archive.manifest(run)
        let spec = try ProxyRun(manifest: manifest)
        let version = spec.config.arithmetic ?? 1
        guard version == arithmetic else {
            throw ReplayError(run.short, "its proxy scores were computed by proxy arithmetic \(version); this Reprise computes version \(arithmetic), so it cannot replay them bit for bit (replay it with the Reprise that made it, or score the architecture again with reprise rank proxies)")
        }
        guard let original = try archive.record(of: run) else { throw ArchiveError.unknownRun(run.hex) }
        let (train, test) = try spec.dataset.load()
        let digestMatches = DatasetSpec.digest(train: train, test: test) == manifest.datasetDigest
        let replayed = record(run: run, scores: try spec.scores(train: train, test: test, archive: archive).scores)
        var differences: [String] = []
        for key in Set(original.metrics.keys).union(replayed.metrics.keys).sorted() {
            let a = original.metrics[key], b = replayed.metrics[key]
            if a?.bitPattern != b?.bitPattern { differences.append("\(key): archived \(a.map { "\($0)" } ?? "none"), replayed \(b.map { "\($0)" } ?? "none")") }
        }
        if original.reason != replayed.reason { differences.append("non-finite scores: archived \(original.reason ?? "none"), replayed \(replayed.reason ?? "none")") }
        return (differences.isEmpty && digestMatches, digestMatches, differences)
    }
}
