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

    public init(root: String) { self.root = root }

    public func path(of id: ObjectID) -> String {
        let hex = id.hex
        return "\(objectsDirectory)/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    public func contains(_ id: ObjectID) -> Bool {
        access(path(of: id), F_OK) == 0
    }

    /// Stores `bytes` and returns their ID.
    @discardableResult
    public func put(_ bytes: UnsafeRawBufferPointer, compression: Compression) throws -> ObjectID {
        let id = ObjectID(of: bytes)
        let destination = path(of: id)
        if access(destination, F_OK) == 0 { return id }

        let useZlib: Bool
        var compressed: Data?
        switch compression {
        case .never: useZlib = false
        case .always:
            compressed = Zlib.compress(bytes)
            useZlib = true
        case .ifSaves(let saving):
            let sample = UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, 1 << 16)])
            let sampleSize = Zlib.compress(sample, level: 1).count
            if sample.count > 0, Double(sampleSize) <= (1 - saving) * Double(sample.count) {
                let full = Zlib.compress(bytes)
                useZlib = Double(full.count) <= (1 - saving) * Double(bytes.count)
                if useZlib { compressed = full }
            } else {
                useZlib = false
            }
        }

        var file = Data(capacity: Self.headerSize + (compressed?.count ?? bytes.count))
        file.append(contentsOf: Self.magic)
        file.append(1)
        file.append(useZlib ? 1 : 0)
        file.append(contentsOf: [0, 0])
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { file.append(contentsOf: $0) }
        if let compressed { file.append(compressed) } else { file.append(contentsOf: bytes) }

        let directory = (destination as NSString).deletingLastPathComponent
        if mkdir(directory, 0o755) != 0 && errno != EEXIST { throw ArchiveError.errno(directory, "mkdir") }
        try DurableFile.write(file, to: destination, temporaryDirectory: temporaryDirectory)

        // Read back: the stored file must be exactly what was hashed (catches short writes and bad media early).
        let back = try DurableFile.read(destination)
        guard back == file else {
            throw ArchiveError.corruptObject(path: destination, reason: "read-back after write differs from what was written")
        }
        return id
    }

    @discardableResult
    public func put(_ data: Data, compression: Compression) throws -> ObjectID {
        try data.withUnsafeBytes { try put($0, compression: compression) }
    }

    /// The object's uncompressed bytes, verified against its name.
    public func get(_ id: ObjectID) throws -> Data {
        let file = path(of: id)
        guard access(file, F_OK) == 0 else { throw ArchiveError.missingObject(id) }
        return try Self.decode(try DurableFile.read(file), path: file, expected: id)
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
                throw ArchiveError.corruptObject(path: path, reason: "zlib stream is damaged or truncated")
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

    /// Every object ID present, sorted (names that are not object names are skipped).
    public func allObjects() throws -> [ObjectID] {
        var result: [ObjectID] = []
        let fm = FileManager.default
        for fan in (try? fm.contentsOfDirectory(atPath: objectsDirectory)) ?? [] where fan.utf8.count == 2 {
            for rest in (try? fm.contentsOfDirectory(atPath: "\(objectsDirectory)/\(fan)")) ?? [] {
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
