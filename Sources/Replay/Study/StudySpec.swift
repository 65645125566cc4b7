import Archive
import Foundation

/// A scaled-down architecture study in the manner of "ImageNet as a Representative Basis…" (seed 000): sample
/// architectures from a design space, train each on several datasets (a reference, its class-subset family and
/// targets), then correlate errors across datasets. Written as JSON; the format is documented in
/// fixtures/studies/README.md. Unknown keys are errors (typos never pass silently).
public struct StudySpec: Codable, Equatable, Sendable {
    public var name: String
    public var description: String?
    public var architectures: Architectures
    /// The recipe of every dataset that does not give its own.
    public var training: TrainingConfig
    public var datasets: [Dataset]
    /// Label of the reference dataset (ImageNet's role).
    public var reference: String
    /// Labels of the reference's class-subset family, the reference included (the ImageNet-X family).
    public var family: [String]
    /// One run per seed per (architecture, dataset); several seeds measure training noise.
    public var seeds: [Int64]
    /// The smaller variant `--quick` runs (for CI).
    public var quick: Quick?

    public struct Architectures: Codable, Equatable, Sendable {
        public var count: Int
        public var seed: Int64
        public var sampler: AnyNetXSampler
    }

    public struct Dataset: Codable, Equatable, Sendable {
        /// Short name used in tables ("fashion-5").
        public var label: String
        public var dataset: DatasetSpec
        public var training: TrainingConfig?
    }

    public struct Quick: Codable, Equatable, Sendable {
        /// Architectures kept (the first n of the full study's sample).
        public var architectures: Int
        /// Epochs of every recipe.
        public var epochs: Int?
    }

    /// Reads and checks a spec file: JSON syntax and types, unknown keys, then every field (`check()`), each problem
    /// one line naming the file, the field, the value and the allowed range.
    public static func load(path: String) throws -> StudySpec {
        let spec = try SpecFile.decode(StudySpec.self, path: path, formatHelp: "a study spec (see fixtures/studies/README.md)")
        let c = spec.check()
        guard c.isEmpty else { throw StudyError(c.lines(file: path).joined(separator: "\n")) }
        return spec
    }

    /// Problems a user must fix, one line each (without the file name).
    public func validate() -> [String] { check().problems }

    /// The `--quick` variant: its own study (name + "-quick"), fewer architectures, shorter recipes.
    public func quickVariant() throws -> StudySpec {
        guard let quick else { throw StudyError("study \(name) has no \"quick\" section") }
        var q = self
        q.name = name + "-quick"
        q.architectures.count = quick.architectures
        q.quick = nil
        if let e = quick.epochs {
            q.training.epochs = e
            for i in q.datasets.indices { q.datasets[i].training?.epochs = e }
        }
        return q
    }

    public func recipe(of dataset: Dataset) -> TrainingConfig { dataset.training ?? training }
}

/// A study problem, with the message a user acts on.
public struct StudyError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
