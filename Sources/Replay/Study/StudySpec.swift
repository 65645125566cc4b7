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

    /// Reads and checks a spec file: JSON syntax, unknown keys, and the consistency rules of `validate()`.
    public static func load(path: String) throws -> StudySpec {
        guard let data = FileManager.default.contents(atPath: path) else { throw StudyError("\(path): cannot read the file") }
        let spec: StudySpec
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(data)
            spec = try JSONDecoder().decode(StudySpec.self, from: data)
        } catch let error as DecodingError {
            throw StudyError("\(path): \(Self.describe(error))")
        } catch {
            throw StudyError("\(path): \(error)")
        }
        // Keys a recipe omits when they hold their default are known, whatever value the file gives them.
        let unknown = parsed.unknownKeys(comparedWith: try JSONValue.from(spec)).filter { key in
            !TrainingConfig.keysOmittedAtDefault.contains { key.hasSuffix("training." + $0) }
        }
        guard unknown.isEmpty else { throw StudyError("\(path): unknown key\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")) (see fixtures/studies/README.md)") }
        let problems = spec.validate()
        guard problems.isEmpty else { throw StudyError("\(path):\n  " + problems.joined(separator: "\n  ")) }
        return spec
    }

    /// Problems a user must fix, one line each.
    public func validate() -> [String] {
        var problems: [String] = []
        let labels = datasets.map(\.label)
        if architectures.count < 3 { problems.append("architectures.count must be ≥ 3 to correlate anything (got \(architectures.count))") }
        if datasets.isEmpty { problems.append("datasets is empty") }
        if Set(labels).count != labels.count { problems.append("dataset labels must be unique") }
        if !labels.contains(reference) { problems.append("reference \"\(reference)\" is not a dataset label") }
        for f in family where !labels.contains(f) { problems.append("family member \"\(f)\" is not a dataset label") }
        if !family.contains(reference) { problems.append("the family must include the reference \"\(reference)\"") }
        if seeds.isEmpty { problems.append("seeds is empty") }
        for d in datasets {
            if !DatasetSpec.knownSources.contains(d.dataset.name) { problems.append("\(d.label): unknown dataset \"\(d.dataset.name)\"; known: \(DatasetSpec.knownSources.joined(separator: ", "))") }
            for p in (d.training ?? training).validate() { problems.append("\(d.label): \(p)") }
        }
        if let quick, quick.architectures < 3 || quick.architectures > architectures.count {
            problems.append("quick.architectures must be between 3 and architectures.count")
        }
        return problems
    }

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

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key \(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// A study problem, with the message a user acts on.
public struct StudyError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
