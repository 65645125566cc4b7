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
/// Import decodes everything first, verifies that every object hashes to its ID, that every ref's target is in the
/// bundle or the archive, and that kinds and names are from the fixed vocabulary (so no name can form a path outside
/// the archive); only then are objects stored, then refs written. A damaged bundle changes nothing.
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

    /// Writes the bundle of `runs`; returns the number of objects written.
    @discardableResult
    public static func export(runs: [ObjectID], from archive: Archive, to path: String) throws -> Int {
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
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ArchiveError.io(path: path, operation: "write bundle", reason: (error as NSError).localizedDescription)
        }
        return written.count
    }

    public struct ImportReport: Sendable {
        public var objects = 0
        public var newObjects = 0
        public var runs = 0
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
        var objects: [(ObjectID, Data)] = []
        var refs: [(String, ObjectID, ObjectID)] = []
        while true {
            let header = try line()
            let parts = header.split(separator: " ").map(String.init)
            if header == "end" { break }
            if parts.count == 3, parts[0] == "object", let id = ObjectID(hex: parts[1]), let count = Int(parts[2]), count >= 0 {
                guard data.endIndex - index >= count else { throw ArchiveError.malformed(path: path, reason: "truncated object \(id.short)") }
                let bytes = data.subdata(in: index..<(index + count))
                index += count
                guard ObjectID(of: bytes) == id else {
                    throw ArchiveError.malformed(path: path, reason: "object \(id.short) does not hash to its ID; nothing was imported")
                }
                objects.append((id, bytes))
            } else if parts.count == 4, parts[0] == "ref" {
                guard ["runs", "tables"].contains(parts[1]) else { throw ArchiveError.unsafePath("\(path): ref kind \"\(parts[1])\"") }
                guard let name = ObjectID(hex: parts[2]), let target = ObjectID(hex: parts[3]) else {
                    throw ArchiveError.unsafePath("\(path): ref name \"\(parts[2])\"")
                }
                refs.append((parts[1], name, target))
            } else {
                throw ArchiveError.malformed(path: path, reason: "unexpected line \"\(header.prefix(60))\"")
            }
        }
        let present = Set(objects.map(\.0))
        for (kind, name, target) in refs where !present.contains(target) && !archive.objects.contains(target) {
            throw ArchiveError.malformed(path: path, reason: "ref \(kind)/\(name.short) names object \(target.short), which is neither in the bundle nor the archive")
        }
        var report = ImportReport()
        for (id, bytes) in objects {
            report.objects += 1
            if !archive.objects.contains(id) { report.newObjects += 1 }
            try archive.objects.put(bytes, compression: (bytes.first == UInt8(ascii: "{")) ? .always : .tensor)
        }
        for (kind, name, target) in refs {
            try archive.writeRef(kind: kind, name: name.hex, target: target)
            if kind == "runs" { report.runs += 1 }
        }
        return report
    }
}
