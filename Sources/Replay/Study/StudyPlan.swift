import Archive
import Foundation

/// A study resolved into runs: datasets loaded (each source once), architectures sampled, one `RunSpec` per
/// (architecture, dataset, seed) pair, and the `StudyRecord` that goes into the archive.
///
/// Pair order: architecture-major, then dataset in spec order, then seed. Sharding (`--shard i/n`) takes the pairs whose
/// position p satisfies p mod n = i − 1: deterministic, disjoint, and together complete.
public final class StudyPlan {
    public let spec: StudySpec
    public let record: StudyRecord
    public let runs: [RunSpec]
    /// Loaded data by dataset label.
    public let data: [String: (train: ImageDataset, test: ImageDataset)]
    /// Relative training cost of each pair (multiply-adds × training images × epochs), for ETAs.
    public let costs: [Double]

    public init(spec: StudySpec, progress: ((String) -> Void)? = nil) throws {
        self.spec = spec
        var sources: [String: (train: ImageDataset, test: ImageDataset)] = [:]
        var data: [String: (train: ImageDataset, test: ImageDataset)] = [:]
        var datasets: [StudyRecord.Dataset] = []
        for d in spec.datasets {
            progress?("loading \(d.label)")
            let key = try JSONValue.from(d.dataset.source).canonicalString
            let source = try sources[key] ?? d.dataset.loadSource()
            sources[key] = source
            let parts = try d.dataset.derive(from: source)
            guard parts.train.height == parts.train.width else { throw StudyError("\(d.label): images are \(parts.train.height)×\(parts.train.width); AnyNet needs square inputs") }
            data[d.label] = parts
            datasets.append(.init(label: d.label, classes: parts.train.classes, trainImages: parts.train.count,
                                  testImages: parts.test.count, digest: DatasetSpec.digest(train: parts.train, test: parts.test)))
        }
        self.data = data
        progress?("sampling \(spec.architectures.count) architectures")
        let sampler = spec.architectures.sampler
        let bodies: [AnyNetSpec]
        do { bodies = try sampler.sample(count: spec.architectures.count, seed: UInt64(bitPattern: spec.architectures.seed)) } catch {
            throw StudyError("\(spec.name): \(error)")
        }
        let reference = datasets.first { $0.label == spec.reference }!
        var architectures: [StudyRecord.Architecture] = []
        for (i, body) in bodies.enumerated() {
            var a = body
            a.inputChannels = data[spec.reference]!.train.channels
            a.classes = reference.classes
            let c = a.complexity(inputSize: sampler.inputSize)
            architectures.append(.init(index: i, spec: try JSONValue.from(a), cumulativeDepth: a.stages.map(\.depth).reduce(0, +),
                                       cumulativeWidth: a.stages.map(\.width).reduce(0, +), flops: c.flops, params: c.params))
        }
        var runs: [RunSpec] = [], pairs: [StudyRecord.Pair] = [], costs: [Double] = []
        for (i, body) in bodies.enumerated() {
            for d in spec.datasets {
                let parts = data[d.label]!
                var a = body
                a.inputChannels = parts.train.channels
                a.classes = parts.train.classes
                let recipe = spec.recipe(of: d)
                let problems = RunSpec(architecture: a, dataset: d.dataset, training: recipe, seed: 0).check().problems
                guard problems.isEmpty else {
                    throw StudyError("\(spec.name): architecture \(i) on \(d.label): " + problems.joined(separator: "; "))
                }
                for seed in spec.seeds {
                    let run = RunSpec(architecture: a, dataset: d.dataset, training: recipe, seed: seed)
                    let manifest = try run.manifest(datasetDigest: DatasetSpec.digest(train: parts.train, test: parts.test))
                    runs.append(run)
                    pairs.append(.init(architecture: i, dataset: d.label, seed: seed, run: ObjectID(of: try manifest.canonicalBytes())))
                    costs.append(Double(a.complexity(inputSize: parts.train.height).flops) * Double(parts.train.count) * Double(recipe.epochs))
                }
            }
        }
        self.runs = runs
        self.costs = costs
        record = StudyRecord(name: spec.name, spec: try JSONValue.from(spec), reference: spec.reference, family: spec.family,
                             datasets: datasets, architectures: architectures, pairs: pairs)
    }

    /// Pair positions of shard `index` (1-based) of `count`.
    public func shard(_ index: Int, of count: Int) -> [Int] {
        runs.indices.filter { $0 % count == index - 1 }
    }
}
