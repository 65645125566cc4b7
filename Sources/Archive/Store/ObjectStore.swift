import Foundation

/// Immutable blobs named by the SHA-256 of their uncompressed bytes, in `objects/ab/cdef…` (fan-out on the first byte).
///
/// File layout (FORMAT.md §Objects): a 16-byte header then the payload.
///
///     0  "RPRO"        magic
///     4  u8  version   1
///     5  u8  codec     0 = raw, 1 = zlib (RFC 1950)
///     6  u16 reserved  0
///     8  u64 length    uncompressed length, little-endian
///    16  payload
///
/// Guarantees: writes are durable and atomic (`DurableFile`); every write is read back and compared byte for byte with
/// what was hashed; every read decompresses and re-hashes, so a flipped byte is reported, never returned. Writing an
/// object that already exists does nothing, and two processes writing the same object at once both succeed.
public struct ObjectStore: Sendable {
    public let root: String
    var objectsDirectory: String { root + "/objects" }
    var temporaryDirectory: String { root + "/tmp" }

    static let magic: [UInt8] = Array("RPRO".utf8)
    static let headerSize = 16

    /// How an object's bytes are stored.
    public enum Compression: Sendable {
        /// zlib level 6 always (manifests, logs, tables: text compresses several-fold).
        case always
        /// Raw unless zlib on a sample saves at least `minimumSaving` of the bytes (checkpoint tensors: float32 weights
        /// compress by ~8% at ~20 MiB/s, which would make ingest 50× slower than hashing for almost nothing).
        case ifSaves(minimumSaving: Double)
        case never

        /// The policy for tensors: compress only when zlib saves at least 25% (e.g. all-zero or quantised tensors).
        public static let tensor = Compression.ifSaves(minimumSaving: 0.25)
    }

    /// Whether large raw objects may be written with `O_DIRECT` (`DirectObjectWrite`); off, they take the buffered
    /// overlapped path. Both store identical bytes (tested); the switch exists for that test and for file systems where
    /// a user wants page-cache writes.
    public var allowsDirectIO = true

    public init(root: String) { self.root = root }

    public func path(of id: ObjectID) -> String {
        let hex = id.hex
        return "\(objectsDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    public func contains(_ id: ObjectID) -> Bool {
        access(path(of: id), F_OK) == 0
    }

    /// Objects at least this large are hashed on a second thread while their bytes are written (see `put`).
    static let overlapThreshold = 1 << 20

    /// Stores `bytes` and returns their ID.
    ///
    /// Small or compressed objects: hash, skip if present, write durably, read back. Raw objects of at least
    /// `overlapThreshold` bytes (checkpoint tensors) are written to a temporary file while their SHA-256 is computed
    /// (the header does not depend on the name): with `O_DIRECT`, hashing, writing and reading every piece back from
    /// the device run on three threads (`DirectObjectWrite`); where `O_DIRECT` is unavailable or `allowsDirectIO` is
    /// off, hashing runs beside a buffered write and the file is read back after the rename. Either way a present
    /// object discards the temporary file, and a new one is fsynced, renamed to its name and its directory fsynced.
    ///
    /// The whole put runs inside a write transaction (`ArchiveLock`, shared), and finding the object already stored
    /// refreshes its modification time, so a concurrent `gc` can neither remove it between this call and the commit
    /// that references it nor count it as an old leftover afterwards.
    @discardableResult
    public func put(_ bytes: UnsafeRawBufferPointer, compression: Compression) throws -> ObjectID {
        try ArchiveLock.forArchive(root).shared { try putUnlocked(bytes, compression: compression) }
    }

    private func putUnlocked(_ bytes: UnsafeRawBufferPointer, compression: Compression) throws -> ObjectID {
        var compressed: Data?
        switch compression {
        case .never: break
        case .always:
            compressed = Zlib.compress(bytes)
        case .ifSaves(let saving):
            let sample = UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, 1 << 16)])
            let sampleSize = Zlib.compress(sample, level: 1).count
            if sample.count > 0, Double(sampleSize) <= (1 - saving) * Double(sample.count) {
                let full = Zlib.compress(bytes)
                if Double(full.count) <= (1 - saving) * Double(bytes.count) { compressed = full }
            }
        }
        let header = Self.header(codec: compressed == nil ? 0 : 1, length: bytes.count)

        if let compressed {
            return try compressed.withUnsafeBytes { payload in
                try putSequentially(bytes, header: header, payload: payload)
            }
        }
        if bytes.count < Self.overlapThreshold {
            return try putSequentially(bytes, header: header, payload: bytes)
        }
        return try putOverlapped(bytes, header: header)
    }

    private func putSequentially(_ bytes: UnsafeRawBufferPointer, header: [UInt8], payload: UnsafeRawBufferPointer) throws -> ObjectID {
        let id = ObjectID(of: bytes)
        let destination = path(of: id)
        if access(destination, F_OK) == 0 { Self.freshen(destination); return id }
        try makeFanOutDirectory(for: destination)
        let pending = try DurableFile.PendingFile(in: temporaryDirectory, for: destination)
        do {
            try header.withUnsafeBytes { try pending.append($0) }
            try pending.append(payload)
        } catch { pending.discard(); throw error }
        try pending.commit(as: destination)
        try verifyReadBack(destination, header: header, payload: payload)
        return id
    }

    private func putOverlapped(_ bytes: UnsafeRawBufferPointer, header: [UInt8]) throws -> ObjectID {
        let direct = allowsDirectIO
            ? DirectObjectWrite.write(header: header, payload: bytes, temporaryDirectory: temporaryDirectory, describedAs: Self.unnamed)
            : .unsupported
        switch direct {
        case .written(let id, let file):
            _ = try install(file, as: id)   // already read back from the device and compared
            return id
        case .failed(let id, let error):
            throw Self.naming(error, after: path(of: id))
        case .unsupported:
            break
        }
        final class Results: @unchecked Sendable {
            var id: ObjectID?
            var pending: DurableFile.PendingFile?
            var error: Error?
        }
        let results = Results()
        nonisolated(unsafe) let shared = bytes
        let temporaryDirectory = temporaryDirectory
        DispatchQueue.concurrentPerform(iterations: 2) { task in
            if task == 0 {
                results.id = ObjectID(of: shared)
                return
            }
            do {
                let pending = try DurableFile.PendingFile(in: temporaryDirectory, for: Self.unnamed)
                results.pending = pending
                try header.withUnsafeBytes { try pending.append($0) }
                try pending.append(shared)
            } catch {
                results.error = error
            }
        }
        let id = results.id!
        guard let pending = results.pending, results.error == nil else {
            results.pending?.discard()
            throw Self.naming(results.error!, after: path(of: results.id!))
        }
        if try install(pending, as: id) {
            try verifyReadBack(path(of: id), header: header, payload: bytes)
        }
        return id
    }

    /// Makes a complete temporary file object `id`: discarded if the object is already stored (returns false), else
    /// fsynced and renamed into its fan-out directory (returns true).
    private func install(_ file: DurableFile.PendingFile, as id: ObjectID) throws -> Bool {
        let destination = path(of: id)
        if access(destination, F_OK) == 0 {
            file.discard()
            Self.freshen(destination)
            return false
        }
        do { try makeFanOutDirectory(for: destination) } catch { file.discard(); throw error }
        try file.commit(as: destination)
        return true
    }

    /// Sets an object file's modification time to now: it is being reused, so gc's grace period starts again.
    /// Best effort: on a read-only archive nothing can be committed either, and gc cannot run there.
    static func freshen(_ path: String) {
        utimensat(AT_FDCWD, path, nil, 0)
    }

    /// What errors raised before an object's name is known call it; `naming(_:after:)` replaces it with the final path.
    private static let unnamed = "<object being written>"

    private static func naming(_ error: Error, after path: String) -> Error {
        switch error {
        case ArchiveError.io(let place, let operation, let reason) where place == unnamed:
            return ArchiveError.io(path: path, operation: operation, reason: reason)
        case ArchiveError.corruptObject(let place, let reason) where place == unnamed:
            return ArchiveError.corruptObject(path: path, reason: reason)
        default:
            return error
        }
    }

    private func makeFanOutDirectory(for destination: String) throws {
        let directory = (destination as NSString).deletingLastPathComponent
        if mkdir(directory, 0o755) != 0 && errno != EEXIST { throw ArchiveError.errno(directory, "mkdir") }
    }

    static func header(codec: UInt8, length: Int) -> [UInt8] {
        var header = magic + [1, codec, 0, 0]
        withUnsafeBytes(of: UInt64(length).littleEndian) { header.append(contentsOf: $0) }
        return header
    }

    /// Reads the stored file back in 8 MiB pieces and compares it with `header` + `payload` (catches short writes and
    /// bad media early); throws `corruptObject` on any difference, including a length difference.
    private func verifyReadBack(_ file: String, header: [UInt8], payload: UnsafeRawBufferPointer) throws {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.errno(file, "open for read-back") }
        defer { close(fd) }
        let different = ArchiveError.corruptObject(path: file, reason: "read-back after write differs from what was written")
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 << 20, alignment: 64)
        defer { chunk.deallocate() }
        let headerBack = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<header.count])
        guard try DurableFile.readFully(fd, into: headerBack, path: file) == header.count,
              header.withUnsafeBytes({ memcmp($0.baseAddress!, headerBack.baseAddress!, header.count) }) == 0 else { throw different }
        var offset = 0
        while offset < payload.count {
            let n = min(chunk.count, payload.count - offset)
            guard try DurableFile.readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<n]), path: file) == n,
                  memcmp(chunk.baseAddress!, payload.baseAddress! + offset, n) == 0 else { throw different }
            offset += n
        }
        var extra: UInt8 = 0
        guard Foundation.read(fd, &extra, 1) == 0 else { throw different }
    }

    @discardableResult
    public func put(_ data: Data, compression: Compression) throws -> ObjectID {
        try data.withUnsafeBytes { try put($0, compression: compression) }
    }

    /// The object's uncompressed bytes, verified against its name.
    public func get(_ id: ObjectID) throws -> Data {
        let file = path(of: id)
        guard access(file, F_OK) == 0 else { throw ArchiveError.missingObject(id) }
        return try Self.decode(try DurableFile.read(file, inArchive: true), path: file, expected: id)
    }

    /// Decodes an object file and checks its digest; throws `corruptObject` naming the file and the problem.
    static func decode(_ file: Data, path: String, expected: ObjectID) throws -> Data {
        guard file.count >= headerSize else {
            throw ArchiveError.corruptObject(path: path, reason: "truncated: \(file.count) bytes, header needs \(headerSize)")
        }
        guard Array(file.prefix(4)) == magic else { throw ArchiveError.corruptObject(path: path, reason: "bad magic") }
        let version = file[file.startIndex + 4], codec = file[file.startIndex + 5]
        guard version == 1 else { throw ArchiveError.corruptObject(path: path, reason: "unknown object version \(version)") }
        guard file[file.startIndex + 6] == 0, file[file.startIndex + 7] == 0 else {
            throw ArchiveError.corruptObject(path: path, reason: "reserved header bytes are not zero")
        }
        var length: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &length) { file.copyBytes(to: $0, from: (file.startIndex + 8)..<(file.startIndex + 16)) }
        length = UInt64(littleEndian: length)
        let payload = file.subdata(in: (file.startIndex + headerSize)..<file.endIndex)
        let content: Data
        switch codec {
        case 0:
            guard UInt64(payload.count) == length else {
                throw ArchiveError.corruptObject(path: path, reason: "truncated: \(payload.count) of \(length) payload bytes")
            }
            content = payload
        case 1:
            // deflate expands at most ~1032:1, so a larger claimed length is a damaged header (and must not be allocated).
            guard length <= UInt64(payload.count) * 1040 + 64 else {
                throw ArchiveError.corruptObject(path: path, reason: "header claims \(length) bytes, impossible for a \(payload.count)-byte zlib stream")
            }
            guard let inflated = payload.withUnsafeBytes({ Zlib.decompress($0, expectedCount: Int(length)) }) else {
                throw ArchiveError.corruptObject(path: path, reason: "zlib stream is damaged, truncated, or followed by extra bytes")
            }
            content = inflated
        default:
            throw ArchiveError.corruptObject(path: path, reason: "unknown codec \(codec)")
        }
        let actual = ObjectID(of: content)
        guard actual == expected else {
            throw ArchiveError.corruptObject(path: path, reason: "content hashes to \(actual.short)…, not its name")
        }
        return content
    }

    /// The uncompressed length recorded in the object's header (reads 16 bytes); nil if the file is missing or too short.
    /// A wrong value here is caught by a full read, which checks the length against the content.
    public func recordedLength(of id: ObjectID) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path(of: id)) else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: Self.headerSize), header.count == Self.headerSize else { return nil }
        var length: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &length) { header.copyBytes(to: $0, from: (header.startIndex + 8)..<(header.startIndex + 16)) }
        return Int(exactly: UInt64(littleEndian: length))
    }

    /// Every object ID present, sorted (names that are not object names are skipped). Throws when `objects/` or a
    /// fan-out folder cannot be listed: gc and fsck must not take an unreadable folder for an empty one.
    public func allObjects() throws -> [ObjectID] {
        var result: [ObjectID] = []
        guard let fans = try DurableFile.listDirectory(objectsDirectory) else {
            throw ArchiveError.malformed(path: objectsDirectory, reason: "missing: every archive has this folder")
        }
        for fan in fans where fan.utf8.count == 2 && fan.allSatisfy(\.isHexDigit) {
            for rest in try DurableFile.listDirectory("\(objectsDirectory)/\(fan)") ?? [] {
                if let id = ObjectID(hex: fan + rest) { result.append(id) }
            }
        }
        return result.sorted()
    }

    /// Removes an object (used only by `gc` for unreferenced objects).
    func remove(_ id: ObjectID) throws {
        if unlink(path(of: id)) != 0 && errno != ENOENT { throw ArchiveError.errno(path(of: id), "unlink") }
    }
}
