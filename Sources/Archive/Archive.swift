import Foundation

/// A Reprise archive on disk: objects plus refs (see FORMAT.md).
///
///     <root>/FORMAT                 "reprise-archive 1"
///     <root>/objects/ab/cdef…       immutable objects (ObjectStore)
///     <root>/refs/runs/<run ID>     the run's newest RunRecord object ID, one line
///     <root>/refs/tables/<table ID> a published table's object ID, one line
///     <root>/refs/derivations/<ID>  a derived table's object ID, one line
///     <root>/refs/studies/<ID>      a study plan's object ID, named by the SHA-256 of the canonical study spec
///     <root>/index/                 the run index, a cache (Index/: RunIndexFile, RunIndexRow, RunIndexEntry)
///     <root>/lock                   the writer/gc lock (ArchiveLock.swift)
///     <root>/tmp/                   temporary files of writes in progress
///
/// A run is committed when its ref is renamed into place, after every object it reaches is durable. Refs are the only
/// mutable files; each is replaced atomically.
public final class Archive: @unchecked Sendable {
    public static let formatLine = "reprise-archive 1"
    public let root: String
    public let objects: ObjectStore

    init(root: String) {
        self.root = root
        self.objects = ObjectStore(root: root)
    }

    /// Whether writes are fsynced (the default, and the only safe setting). `reprise bench archive` turns it off to
    /// build its throwaway 100,000-run listing archive in minutes; a crash may then lose or truncate what was written.
    public static var fsyncEnabled: Bool {
        get { DurableFile.fsyncEnabled }
        set { DurableFile.fsyncEnabled = newValue }
    }

    /// Opens an existing archive.
    public static func open(at path: String) throws -> Archive {
        let root = (path as NSString).standardizingPath
        guard let format = try? String(contentsOfFile: root + "/FORMAT", encoding: .utf8) else {
            throw ArchiveError.notAnArchive(path: root)
        }
        guard format.trimmingCharacters(in: .whitespacesAndNewlines) == formatLine else {
            throw ArchiveError.malformed(path: root + "/FORMAT",
                                         reason: "unsupported archive format \"\(format.prefix(40))\"; this Reprise reads \"\(formatLine)\"")
        }
        return Archive(root: root)
    }

    /// Creates an archive (or opens it if one is already there). Only in a folder that does not exist yet or is
    /// empty: making an archive inside a folder that holds other files (`/`, a home folder, another archive's
    /// `objects/`) mixes them with the archive's own, so it is refused (bad input).
    @discardableResult
    public static func create(at path: String) throws -> Archive {
        guard !path.isEmpty else { throw ArchiveError.notFound("archive path is empty: name a folder, e.g. --archive my-archive") }
        let root = (path as NSString).standardizingPath
        if FileManager.default.fileExists(atPath: root + "/FORMAT") { return try open(at: root) }
        var info = stat()
        if stat(root, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw ArchiveError.malformed(path: root, reason: "exists and is not a folder; name a new or empty folder for the archive")
            }
            if let entries = try DurableFile.listDirectory(root), !entries.isEmpty {
                throw ArchiveError.malformed(path: root, reason: "is not an archive (no FORMAT file) and not empty (\(entries.count) entries); name a new or empty folder")
            }
        }
        for dir in [root, root + "/objects", root + "/refs", root + "/refs/runs", root + "/refs/tables",
                    root + "/refs/derivations", root + "/tmp"] {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw ArchiveError.io(path: dir, operation: "create directory", reason: (error as NSError).localizedDescription)
            }
        }
        try DurableFile.write(Data((formatLine + "\n").utf8), to: root + "/FORMAT", temporaryDirectory: root + "/tmp")
        return Archive(root: root)
    }

    /// Opens the archive, creating it if `create` and it does not exist.
    public static func openOrCreate(at path: String) throws -> Archive {
        FileManager.default.fileExists(atPath: path + "/FORMAT") ? try open(at: path) : try create(at: path)
    }

    // MARK: JSON objects

    /// Stores a value as compressed canonical JSON.
    @discardableResult
    public func putJSON<T: Encodable>(_ value: T) throws -> ObjectID {
        try objects.put(try JSONValue.canonicalBytes(of: value), compression: .always)
    }

    public func getJSON<T: Decodable>(_ type: T.Type, _ id: ObjectID) throws -> T {
        let data = try objects.get(id)
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw ArchiveError.damaged(path: objects.path(of: id), reason: "not a valid \(T.self) (\(describeDecodingError(error))); run `reprise fsck`")
        }
    }

    /// Stores a float32 tensor's little-endian bytes.
    public func putTensor(_ values: UnsafeBufferPointer<Float>) throws -> ObjectID {
        try objects.put(UnsafeRawBufferPointer(values), compression: .tensor)
    }

    public func getTensor(_ id: ObjectID, count: Int) throws -> [Float] {
        let data = try objects.get(id)
        guard data.count == count * 4 else {
            throw ArchiveError.malformed(path: objects.path(of: id), reason: "tensor has \(data.count) bytes, expected \(count * 4)")
        }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    // MARK: Runs

    /// Stores the manifest and returns the run ID (= the manifest's object ID).
    @discardableResult
    public func putManifest(_ manifest: RunManifest) throws -> ObjectID {
        try objects.put(try manifest.canonicalBytes(), compression: .always)
    }

    public func manifest(_ run: ObjectID) throws -> RunManifest { try getJSON(RunManifest.self, run) }

    /// Commits a record: stores it, then atomically points the run's ref at it, inside a write transaction
    /// (`ArchiveLock`). Every object the record reaches — manifest, checkpoints and their tensors, eval log, timings —
    /// must already be stored (checked under the lock, so a concurrent gc cannot remove one before the ref is
    /// written); a committed run is always complete.
    ///
    /// A run that already has a record follows the rule of import and merge (`RunAdoption`), decided and written
    /// under the ref lock (`withRefLock`) so two committers of one run cannot interleave: a record that continues the
    /// current one (or equals it but for timings) replaces it; one that the current record already extends is not
    /// written — the current ID is returned, so a slower copy of a run never downgrades it; anything else throws
    /// `ArchiveError.conflict` (a determinism failure, exit 1) and changes nothing.
    @discardableResult
    public func commit(_ record: RunRecord) throws -> ObjectID {
        try transaction {
            for id in try closure(of: record) where !objects.contains(id) { throw ArchiveError.missingObject(id) }
            return try withRefLock(kind: "runs") {
                if let currentID = try readRef(kind: "runs", name: record.run.hex) {
                    let current = try getJSON(RunRecord.self, currentID)
                    switch RunAdoption.decide(ours: current, theirs: record) {
                    case .keep: return currentID
                    case .conflict(let why):
                        throw ArchiveError.conflict("run \(record.run.hex): a different record is already committed (\(why)); nothing was changed")
                    case .add, .same, .advance: break
                    }
                }
                let id = try putJSON(record)
                try writeRefUnlocked(kind: "runs", name: record.run.hex, target: id)
                journalCommit(run: record.run, record: id)
                return id
            }
        }
    }

    /// Points a run's ref at `record` without the commit rule, as damage, tampering or a determinism failure would
    /// leave it: for tests that need such an archive (internal, so only `@testable` tests reach it).
    @discardableResult
    func forgeRecord(_ record: RunRecord) throws -> ObjectID {
        let id = try putJSON(record)
        try writeRef(kind: "runs", name: record.run.hex, target: id)
        return id
    }

    /// Runs `body` holding an exclusive `flock` on the `refs/<kind>` folder: one decision-and-write of a ref at a time
    /// across processes (taken inside a write transaction, never by gc, so it cannot deadlock with the archive lock).
    func withRefLock<T>(kind: String, _ body: () throws -> T) throws -> T {
        let path = "\(root)/refs/\(kind)"
        let fd = Foundation.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.errno(path, "open for locking") }
        defer { close(fd) }
        guard flockRetryingInterrupts(fd, LOCK_EX) else { throw ArchiveError.errno(path, "lock") }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Every object a record reaches: the record's own references and each checkpoint's tensors (checkpoint records
    /// are read, so they must be present). `extra` supplies objects not stored yet (a bundle being imported).
    func closure(of record: RunRecord, extra: [ObjectID: Data] = [:]) throws -> [ObjectID] {
        var ids = record.referencedObjects
        for entry in record.checkpoints {
            let checkpoint: CheckpointRecord
            if let bytes = extra[entry.checkpoint] {
                do { checkpoint = try JSONDecoder().decode(CheckpointRecord.self, from: bytes) } catch {
                    throw ArchiveError.damaged(path: "object \(entry.checkpoint.hex)", reason: "not a valid checkpoint record (\(describeDecodingError(error)))")
                }
            } else {
                guard objects.contains(entry.checkpoint) else { throw ArchiveError.missingObject(entry.checkpoint) }
                checkpoint = try getJSON(CheckpointRecord.self, entry.checkpoint)
            }
            guard checkpoint.run == record.run, checkpoint.epoch == entry.epoch else {
                throw ArchiveError.damaged(path: "object \(entry.checkpoint.hex)",
                                             reason: "checkpoint of run \(checkpoint.run.short) epoch \(checkpoint.epoch), listed by run \(record.run.short) as epoch \(entry.epoch)")
            }
            ids += checkpoint.tensors.map(\.object)
        }
        return ids
    }

    /// The newest record of a run, or nil when the run has none. A ref naming a record of another run is damage,
    /// never shown as this run's data.
    public func record(of run: ObjectID) throws -> RunRecord? {
        guard let target = try readRef(kind: "runs", name: run.hex) else { return nil }
        let record = try getJSON(RunRecord.self, target)
        guard record.run == run else {
            throw ArchiveError.damaged(path: refPath(kind: "runs", name: run.hex),
                                       reason: "names record \(target.short) of run \(record.run.short); run `reprise fsck`")
        }
        return record
    }

    /// Every run with a record, sorted by ID.
    public func runIDs() throws -> [ObjectID] { try refNames(kind: "runs") }

    /// Resolves a full run ID or a unique prefix of at least 4 hex digits.
    public func resolveRun(_ text: String) throws -> ObjectID {
        let prefix = text.lowercased()
        if let id = ObjectID(hex: prefix), try readRef(kind: "runs", name: id.hex) != nil { return id }
        guard prefix.allSatisfy(\.isHexDigit) else { throw ArchiveError.notFound("run \"\(text.prefix(80))\": a run ID or prefix is hex digits (see `reprise ls`)") }
        guard prefix.count >= 4 else { throw ArchiveError.notFound("run prefix \(text): give at least 4 hex digits (see `reprise ls`)") }
        let matches = try runIDs().filter { $0.hex.hasPrefix(prefix) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw ArchiveError.unknownRun(text) }
        throw ArchiveError.ambiguousRun(prefix: text, matches: matches.count)
    }

    // MARK: Refs

    func refPath(kind: String, name: String) -> String { "\(root)/refs/\(kind)/\(name)" }

    /// Points `refs/<kind>/<name>` at `target` (atomic replace), inside a write transaction.
    func writeRef(kind: String, name: String, target: ObjectID) throws {
        try transaction { try writeRefUnlocked(kind: kind, name: name, target: target) }
    }

    func writeRefUnlocked(kind: String, name: String, target: ObjectID) throws {
        let directory = "\(root)/refs/\(kind)"
        if !FileManager.default.fileExists(atPath: directory) {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw ArchiveError.io(path: directory, operation: "mkdir", reason: error.localizedDescription)
            }
        }
        try DurableFile.write(Data((target.hex + "\n").utf8), to: refPath(kind: kind, name: name), temporaryDirectory: root + "/tmp")
    }

    func readRef(kind: String, name: String) throws -> ObjectID? {
        let path = refPath(kind: kind, name: name)
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw ArchiveError.errno(path, "stat")
        }
        let bytes = try DurableFile.read(path, inArchive: true)
        // A ref is exactly 64 lowercase hex digits and a newline (FORMAT.md); anything else is damage.
        let text = String(decoding: bytes.prefix(128), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard bytes.count <= 66, let id = ObjectID(hex: text) else {
            throw ArchiveError.damaged(path: path, reason: "ref does not hold an object ID (64 lowercase hex digits); run `reprise fsck`")
        }
        return id
    }

    /// The refs of one kind, sorted (readdir directly: FileManager's listing took ~0.2 s for 100,000 runs).
    ///
    /// An unreadable listing is an error, never "no refs": a gc that took it for empty would remove every object.
    /// `refs/runs` must exist (every archive is created with it); the other kinds' folders are created on first use,
    /// so their absence means none. Names that are not 64 hex digits are not refs and are skipped (fsck lists them).
    func refNames(kind: String) throws -> [ObjectID] {
        try refDirectoryEntries(kind: kind).compactMap { $0.utf8.count == 64 ? ObjectID(hex: $0) : nil }.sorted()
    }

    /// Every entry name in `refs/<kind>` except `.` and `..`; throws when the folder cannot be listed.
    func refDirectoryEntries(kind: String) throws -> [String] {
        let path = "\(root)/refs/\(kind)"
        guard let names = try DurableFile.listDirectory(path) else {
            if kind != "runs" { return [] }
            throw ArchiveError.malformed(path: path, reason: "missing: every archive has this folder (restore it from a backup or a bundle)")
        }
        return names
    }
}

/// One line for a decoding failure: which field is missing or has the wrong type (not Foundation's debug dump).
func describeDecodingError(_ error: Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return keys.isEmpty ? "top level" : String(keys.drop { $0 == "." })
    }
    switch error {
    case DecodingError.keyNotFound(let key, let context):
        let at = path(context)
        return "field \"\(at == "top level" ? key.stringValue : at + "." + key.stringValue)\" is missing"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
        return "field \"\(path(context))\" has the wrong type"
    case DecodingError.dataCorrupted(let context):
        return context.codingPath.isEmpty ? "not valid JSON" : "field \"\(path(context))\": \(context.debugDescription)"
    default:
        return "\(error)"
    }
}
