import Foundation

/// A study's plan as stored in the archive: the study spec, the datasets (with digests), the sampled architectures
/// (with the features the analyses use) and the run ID of every (architecture, dataset, seed) pair.
///
/// `refs/studies/<study ID>` names it, where study ID = SHA-256 of the canonical study spec. Because run IDs are
/// manifest digests, the plan is a pure function of the spec, the dataset files and the Reprise/kernel versions: a study
/// re-planned on another machine or by another shard writes the identical record. Analyses read the plan and the run
/// records only, so a study's tables regenerate from the archive alone.
public struct StudyRecord: Codable, Equatable, Sendable {
    public var formatVersion: Int = 1
    public var name: String
    public var spec: JSONValue
    /// Label of the reference dataset (ImageNet's role in the paper).
    public var reference: String
    /// Labels of the reference's class-subset family (ImageNet-X), the reference included.
    public var family: [String]
    public var datasets: [Dataset]
    public var architectures: [Architecture]
    public var pairs: [Pair]

    public struct Dataset: Codable, Equatable, Sendable {
        public var label: String
        public var classes: Int
        public var trainImages: Int
        public var testImages: Int
        public var digest: String
        public init(label: String, classes: Int, trainImages: Int, testImages: Int, digest: String) {
            self.label = label; self.classes = classes; self.trainImages = trainImages; self.testImages = testImages; self.digest = digest
        }
    }

    public struct Architecture: Codable, Equatable, Sendable {
        public var index: Int
        /// The architecture with the reference dataset's input channels and classes.
        public var spec: JSONValue
        /// Σ stage depths and Σ stage widths (the paper's "cumulative block depth/width", Table 4).
        public var cumulativeDepth: Int
        public var cumulativeWidth: Int
        /// Multiply-adds and parameters at the sampler's input size (pycls counting).
        public var flops: Int
        public var params: Int
        public init(index: Int, spec: JSONValue, cumulativeDepth: Int, cumulativeWidth: Int, flops: Int, params: Int) {
            self.index = index; self.spec = spec; self.cumulativeDepth = cumulativeDepth; self.cumulativeWidth = cumulativeWidth
            self.flops = flops; self.params = params
        }
    }

    public struct Pair: Codable, Equatable, Sendable {
        public var architecture: Int
        public var dataset: String
        public var seed: Int64
        public var run: ObjectID
        public init(architecture: Int, dataset: String, seed: Int64, run: ObjectID) {
            self.architecture = architecture; self.dataset = dataset; self.seed = seed; self.run = run
        }
    }

    public init(name: String, spec: JSONValue, reference: String, family: [String], datasets: [Dataset],
                architectures: [Architecture], pairs: [Pair]) {
        self.name = name; self.spec = spec; self.reference = reference; self.family = family; self.datasets = datasets
        self.architectures = architectures; self.pairs = pairs
    }

    /// The study ID of a spec: SHA-256 of its canonical JSON.
    public static func studyID(of spec: JSONValue) -> ObjectID { ObjectID(of: spec.canonicalData) }
}

extension Archive {
    /// Stores a study's plan and points `refs/studies/<study ID>` at it. If the archive already holds a different plan
    /// for the same spec (a dataset file or the kernel version changed), that is an error naming the difference: the runs
    /// already stored would not be the runs of this plan.
    @discardableResult
    public func putStudy(_ study: StudyRecord) throws -> ObjectID {
        let name = StudyRecord.studyID(of: study.spec)
        if let existing = try readRef(kind: "studies", name: name.hex) {
            let old = try getJSON(StudyRecord.self, existing)
            if old != study { throw ArchiveError.conflict("study \(study.name) (\(name.short)) is already planned here with other inputs: \(old.differences(from: study))") }
            return existing
        }
        let id = try putJSON(study)
        try writeRef(kind: "studies", name: name.hex, target: id)
        return id
    }

    /// Every study in the archive, by study ID.
    public func studies() throws -> [(id: ObjectID, study: StudyRecord)] {
        try refNames(kind: "studies").compactMap { name in
            guard let target = try readRef(kind: "studies", name: name.hex) else { return nil }
            return (name, try getJSON(StudyRecord.self, target))
        }
    }

    /// The study whose name or study-ID prefix is `text`; with nil, the only study in the archive.
    public func study(named text: String?) throws -> StudyRecord {
        let all = try studies()
        let matches = text.map { t in all.filter { $0.study.name == t || $0.id.hex.hasPrefix(t.lowercased()) } } ?? all
        if matches.count == 1 { return matches[0].study }
        let known = all.map { "\($0.study.name) (\($0.id.short))" }.joined(separator: ", ")
        if matches.isEmpty { throw ArchiveError.notFound(text.map { "no study \"\($0)\" in \(root); studies: \(known.isEmpty ? "none" : known)" } ?? "no study in \(root); run `reprise study run SPEC` first") }
        throw ArchiveError.notFound("\(matches.count) studies match; name one of: \(known)")
    }
}

extension StudyRecord {
    /// A one-line account of how two plans of the same spec differ.
    public func differences(from other: StudyRecord) -> String {
        var parts: [String] = []
        for (a, b) in zip(datasets, other.datasets) where a != b { parts.append("dataset \(a.label) digest \(a.digest.prefix(12)) vs \(b.digest.prefix(12))") }
        if architectures != other.architectures { parts.append("sampled architectures differ") }
        if parts.isEmpty && pairs != other.pairs { parts.append("run IDs differ (Reprise or kernel version changed)") }
        return parts.isEmpty ? "records differ" : parts.joined(separator: "; ")
    }
}
