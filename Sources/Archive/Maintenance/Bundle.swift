import Foundation

/// A bundle moves selected runs, with every object they reach, between archives.
///
/// File format (FORMAT.md §Bundles), version 1, a stream of text header lines and raw bytes:
///
///     reprise-bundle 1\n
///     object <64-hex ID> <byte count>\n<the object's uncompressed bytes>   (repeated)
///     ref <kind> <64-hex name> <64-hex target>\n                           (repeated; kind ∈ runs, tables)
///     end\n
///
/// Import decodes everything first and checks it: every object hashes to its ID; kinds and names are from the fixed
/// vocabulary (so no name can form a path outside the archive) and appear once; each run ref names a run record of
/// that run whose every object (manifest, checkpoints, their tensors, log, timings) is in the bundle or the archive;
/// each table ref names a published table filed under its own ID. Then each run is decided by `RunAdoption`, the
/// rule `archive merge` uses: a bundle never downgrades a run that went further here, and a run with different
/// results is a conflict (exit 1, both versions named). Only when all of that passes are objects stored and records
/// committed (journalled for the run index, like any commit). A damaged or conflicting bundle changes nothing.
public enum Bundle {
    static let magic = "reprise-bundle 1"

    /// The objects a run reaches: record, manifest, checkpoints and their tensors, eval log, timings.
    static func objects(of run: ObjectID, in archive: Archive) throws -> (record: ObjectID, objects: [ObjectID]) {
        guard let target = try archive.readRef(kind: "runs", name: run.hex) else { throw ArchiveError.unknownRun(run.hex) }
        let record = try archive.getJSON(RunRecord.self, target)
        var ids = [target] + record.referencedObjects
        for entry in record.checkpoints {
            ids += try archive.getJSON(CheckpointRecord.self, entry.checkpoint).tensors.map(\.object)
        }
        var seen = Set<ObjectID>()
        return (target, ids.filter { seen.insert($0).inserted })
    }

    /// Writes the bundle of `runs` (each once, in the order given) through `OutputFile`; returns the number of
    /// objects written.
    @discardableResult
    public static func export(runs: [ObjectID], from archive: Archive, to path: String) throws -> Int {
        var once = Set<ObjectID>()
        let runs = runs.filter { once.insert($0).inserted }
        var data = Data((magic + "\n").utf8)
        var written = Set<ObjectID>()
        var refs: [String] = []
        for run in runs {
            let (record, ids) = try objects(of: run, in: archive)
            for id in ids where written.insert(id).inserted {
                let bytes = try archive.objects.get(id)
                data.append(Data("object \(id.hex) \(bytes.count)\n".utf8))
                data.append(bytes)
            }
            refs.append("ref runs \(run.hex) \(record.hex)\n")
        }
        for ref in refs { data.append(Data(ref.utf8)) }
        data.append(Data("end\n".utf8))
        try OutputFile.write(data, to: path)
        return written.count
    }

    public struct ImportReport: Sendable {
        public var objects = 0
        public var newObjects = 0
        /// Runs added or advanced by the import.
        public var runs = 0
        /// Runs already here with the same results, or further along here (the bundle's copy was unfinished).
        public var unchanged = 0
        public var tables = 0
    }

    public static func `import`(from path: String, into archive: Archive) throws -> ImportReport {
        let data = try DurableFile.read(path)
        var index = data.startIndex
        func line() throws -> String {
            guard let end = data[index...].firstIndex(of: 0x0A) else { throw ArchiveError.malformed(path: path, reason: "truncated bundle (no line end)") }
            defer { index = end + 1 }
            return String(decoding: data[index..<end], as: UTF8.self)
        }
        guard try line() == magic else { throw ArchiveError.malformed(path: path, reason: "not a Reprise bundle (expected \"\(magic)\")") }
        var objects: [ObjectID: Data] = [:]
        var order: [ObjectID] = []
        var refs: [(kind: String, name: ObjectID, target: ObjectID)] = []
        var refNames = Set<String>()
        while true {
            let header = try line()
            let parts = header.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            if header == "end" { break }
            if parts.count == 3, parts[0] == "object", let id = ObjectID(hex: parts[1]),
               parts[2].allSatisfy(\.isASCII), parts[2].allSatisfy(\.isNumber), let count = Int(parts[2]) {
                guard data.endIndex - index >= count else { throw ArchiveError.malformed(path: path, reason: "truncated object \(id.short)") }
                let bytes = data.subdata(in: index..<(index + count))
                index += count
                guard ObjectID(of: bytes) == id else {
                    throw ArchiveError.malformed(path: path, reason: "object \(id.short) does not hash to its ID; nothing was imported")
                }
                if objects.updateValue(bytes, forKey: id) == nil { order.append(id) }
            } else if parts.count == 4, parts[0] == "ref" {
                guard ["runs", "tables"].contains(parts[1]) else {
                    throw ArchiveError.malformed(path: path, reason: "ref kind \"\(parts[1].prefix(40))\": a bundle carries only runs and tables")
                }
                guard let name = ObjectID(hex: parts[2]), let target = ObjectID(hex: parts[3]) else {
                    throw ArchiveError.malformed(path: path, reason: "ref \"\(parts[2].prefix(70)) \(parts[3].prefix(70))\": name and target must be 64 lowercase hex digits (no name may form a path)")
                }
                guard refNames.insert("\(parts[1])/\(name.hex)").inserted else {
                    throw ArchiveError.malformed(path: path, reason: "ref \(parts[1])/\(name.short) appears twice")
                }
                refs.append((parts[1], name, target))
            } else {
                throw ArchiveError.malformed(path: path, reason: "unexpected line \"\(header.prefix(60))\"")
            }
        }
        guard index == data.endIndex else { throw ArchiveError.malformed(path: path, reason: "bytes after the \"end\" line") }

        func present(_ id: ObjectID) -> Bool { objects[id] != nil || archive.objects.contains(id) }
        func decode<T: Decodable>(_ type: T.Type, _ id: ObjectID, for ref: String) throws -> T {
            do {
                if let bytes = objects[id] { return try JSONDecoder().decode(T.self, from: bytes) }
                return try archive.getJSON(T.self, id)
            } catch let error as ArchiveError { throw error } catch {
                throw ArchiveError.malformed(path: path, reason: "ref \(ref) names object \(id.short), which is not a valid \(T.self)")
            }
        }
        // Planning and applying run in one write transaction: gc cannot remove an object of the archive that the
        // plan counted on.
        return try archive.transaction {
            var report = ImportReport()
            var commits: [RunRecord] = []
            var tables: [ObjectID] = []
            var conflicts: [String] = []
            for (kind, name, target) in refs {
                let ref = "\(kind)/\(name.short)"
                guard present(target) else {
                    throw ArchiveError.malformed(path: path, reason: "ref \(ref) names object \(target.short), which is neither in the bundle nor the archive")
                }
                if kind == "tables" {
                    guard name == target else { throw ArchiveError.malformed(path: path, reason: "ref \(ref) names object \(target.short): a table is filed under its own ID") }
                    _ = try decode(PublishedTable.self, target, for: ref)
                    if try archive.readRef(kind: "tables", name: name.hex) == nil { tables.append(name) }
                    continue
                }
                let theirs = try decode(RunRecord.self, target, for: ref)
                guard theirs.run == name else {
                    throw ArchiveError.malformed(path: path, reason: "ref \(ref) names a record of run \(theirs.run.short)")
                }
                _ = try decode(RunManifest.self, theirs.run, for: ref)
                for id in try archive.closure(of: theirs, extra: objects) where !present(id) {
                    throw ArchiveError.malformed(path: path, reason: "run \(name.short) reaches object \(id.short), which is neither in the bundle nor the archive")
                }
                switch RunAdoption.decide(ours: try archive.record(of: name), theirs: theirs) {
                case .add, .advance: commits.append(theirs)
                case .same, .keep: report.unchanged += 1
                case .conflict(let why): conflicts.append("run \(name.hex): \(why)")
                }
            }
            if !conflicts.isEmpty { throw conflictError(conflicts, source: path, archive: archive.root) }
            for id in order {
                let bytes = objects[id]!
                report.objects += 1
                if archive.objects.contains(id) { continue }
                report.newObjects += 1
                try archive.objects.put(bytes, compression: (bytes.first == UInt8(ascii: "{")) ? .always : .tensor)
            }
            for record in commits { try archive.commit(record) }
            for table in tables { try archive.writeRef(kind: "tables", name: table.hex, target: table) }
            report.runs = commits.count
            report.tables = tables.count
            return report
        }
    }
}
