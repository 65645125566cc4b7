import Foundation

/// Provenance of one regenerated table: what it was computed from, how, by which version, and the table itself.
///
/// - `analysis`: the analysis's name, e.g. "study/table3-reference-vs-closest-member" or "ranking/spearman";
/// - `parameters`: everything else the analysis was given (study name, dataset label, bins, …), as canonical JSON;
/// - `inputObjects`: the objects it read, sorted by hex — per run its manifest, eval log and last checkpoint
///   (`provenanceObjects`), the study plan, or the published table; `gc` keeps them, `fsck` checks they exist;
/// - `repriseVersion`: the version of the code that computed it;
/// - `result`: the object holding the table as printed (`{title, columns, rows: [[printed cell]], notes}`).
///
/// Derivation ID = SHA-256 of the record's canonical JSON, so the same inputs, parameters and code give the same ID,
/// and a table regenerated later is compared with the recorded one by its `result` digest. No wall-clock fields.
public struct DerivationRecord: Codable, Equatable, Sendable {
    public var formatVersion: Int = 1
    public var analysis: String
    public var parameters: JSONValue
    public var inputObjects: [String]
    public var repriseVersion: String
    public var result: String

    public init(analysis: String, parameters: JSONValue, inputObjects: [ObjectID], repriseVersion: String, result: ObjectID) {
        self.analysis = analysis; self.parameters = parameters
        self.inputObjects = Set(inputObjects.map(\.hex)).sorted()
        self.repriseVersion = repriseVersion; self.result = result.hex
    }
}

extension Archive {
    /// Stores a derivation record and lists it under `refs/derivations/<derivation ID>`; recording the same
    /// derivation twice is a no-op. Every input object must already be in the archive.
    @discardableResult
    public func putDerivation(_ record: DerivationRecord) throws -> ObjectID {
        for hex in record.inputObjects + [record.result] {
            guard let id = ObjectID(hex: hex), objects.contains(id) else {
                throw ArchiveError.malformed(path: "derivation \(record.analysis)", reason: "input object \(hex.prefix(12)) is not in the archive")
            }
        }
        let id = try putJSON(record)
        try writeRef(kind: "derivations", name: id.hex, target: id)
        return id
    }

    /// Every derivation record, by derivation ID (sorted).
    public func derivations() throws -> [(id: ObjectID, record: DerivationRecord)] {
        try refNames(kind: "derivations").compactMap { name in
            guard let target = try readRef(kind: "derivations", name: name.hex) else { return nil }
            return (name, try getJSON(DerivationRecord.self, target))
        }
    }

    /// The derivation whose ID starts with `prefix` (at least 4 hex digits).
    public func resolveDerivation(_ prefix: String) throws -> (id: ObjectID, record: DerivationRecord) {
        let p = prefix.lowercased()
        guard p.count >= 4, p.allSatisfy(\.isHexDigit) else {
            throw ArchiveError.malformed(path: prefix, reason: "a derivation ID (at least 4 hex digits) was expected")
        }
        let matches = try refNames(kind: "derivations").filter { $0.hex.hasPrefix(p) }
        guard matches.count == 1 else {
            throw ArchiveError.malformed(path: prefix, reason: matches.isEmpty ? "no derivation with this ID in \(root)" : "\(matches.count) derivations match; give more digits")
        }
        guard let target = try readRef(kind: "derivations", name: matches[0].hex) else {
            throw ArchiveError.malformed(path: prefix, reason: "derivation ref vanished")
        }
        return (matches[0], try getJSON(DerivationRecord.self, target))
    }

    /// The objects that pin what an analysis reads of a run: its manifest (the run ID), its eval log and its last
    /// checkpoint, when it has them. Not the run record: it also names wall-clock timings, which differ between two
    /// trainings of the same manifest, so the same derivation would get another ID on every machine.
    public func provenanceObjects(of run: ObjectID) throws -> [ObjectID] {
        guard let record = try record(of: run) else { return [] }
        return [run] + [record.evalLog, record.checkpoints.last?.checkpoint].compactMap { $0 }
    }

    /// The object a study's ref names (its plan), if the study is in the archive.
    public func studyObject(of study: StudyRecord) throws -> ObjectID? {
        try readRef(kind: "studies", name: StudyRecord.studyID(of: study.spec).hex)
    }
}
