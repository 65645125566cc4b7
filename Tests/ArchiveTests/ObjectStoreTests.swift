import Archive
import Foundation
import Testing
import TestSupport

@Suite struct ObjectStoreTests {
    /// FIPS 180-2 / restic test vector: sha256("foobar").
    @Test func objectIDOfFoobar() {
        #expect(ObjectID(of: Data("foobar".utf8)).hex == "c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2")
        #expect(ObjectID(hex: "C3AB") == nil)
        #expect(ObjectID(hex: String(repeating: "g", count: 64)) == nil)
    }

    @Test func roundTripAndFanOut() throws {
        let t = try TemporaryArchive()
        let data = Data("hello archive".utf8)
        let id = try t.archive.objects.put(data, compression: .always)
        #expect(id == ObjectID(of: data))
        #expect(t.archive.objects.path(of: id).hasSuffix("/objects/\(id.hex.prefix(2))/\(id.hex.dropFirst(2))"))
        #expect(try t.archive.objects.get(id) == data)
        // Writing it again is a no-op that returns the same name.
        #expect(try t.archive.objects.put(data, compression: .never) == id)
    }

    @Test func tensorsAreStoredRawUnlessCompressionPays() throws {
        let t = try TemporaryArchive()
        var rng = SplitMix64(seed: 1)
        let noisy = (0..<50_000).map { _ in Float.random(in: -1...1, using: &rng) }
        let zeros = [Float](repeating: 0, count: 50_000)
        let a = try noisy.withUnsafeBufferPointer { try t.archive.putTensor($0) }
        let b = try zeros.withUnsafeBufferPointer { try t.archive.putTensor($0) }
        let rawSize = try FileManager.default.attributesOfItem(atPath: t.archive.objects.path(of: a))[.size] as! Int
        let zeroSize = try FileManager.default.attributesOfItem(atPath: t.archive.objects.path(of: b))[.size] as! Int
        #expect(rawSize == 16 + 200_000)
        #expect(zeroSize < 2_000)
        #expect(try t.archive.getTensor(a, count: 50_000) == noisy)
        #expect(try t.archive.getTensor(b, count: 50_000) == zeros)
    }

    /// Large raw objects are hashed while written (O_DIRECT pieces of 4 MiB, or buffered when O_DIRECT is off): the
    /// stored file is exactly the 16-byte header + payload either way, at sizes around the piece and 4 KiB boundaries
    /// (one piece, one piece plus a byte, an unaligned tail of 5 bytes), and no temporary file is left behind.
    @Test(arguments: [(1 << 20), (4 << 20) - 16, (4 << 20) - 15, (9 << 20) + 5])
    func largeObjectsAreStoredExactlyByEitherPath(size: Int) throws {
        let payload = randomBytes(size, seed: UInt64(size))
        var header = Array("RPRO".utf8) + [1, 0, 0, 0]
        withUnsafeBytes(of: UInt64(size).littleEndian) { header.append(contentsOf: $0) }
        let expectedID = ObjectID(of: Data(payload))
        for direct in [true, false] {
            let t = try TemporaryArchive()
            var store = t.archive.objects
            store.allowsDirectIO = direct
            let id = try payload.withUnsafeBytes { try store.put($0, compression: .never) }
            #expect(id == expectedID)
            let file = try Data(contentsOf: URL(fileURLWithPath: store.path(of: id)))
            #expect(file.count == 16 + size)
            #expect(file == Data(header + payload), "direct: \(direct)")
            #expect(try store.get(id) == Data(payload))
            #expect(try FileManager.default.contentsOfDirectory(atPath: t.path + "/tmp").isEmpty)
            // Storing it again (the object exists once the name is known) leaves one file and no temporary.
            #expect(try payload.withUnsafeBytes { try store.put($0, compression: .never) } == id)
            #expect(try FileManager.default.contentsOfDirectory(atPath: t.path + "/tmp").isEmpty)
        }
    }

    /// Flipping any single byte of a stored object (header or payload, raw or compressed) is caught by a read and by fsck.
    @Test(arguments: [ObjectStore.Compression.never, .always])
    func everyFlippedByteIsCaught(compression: ObjectStore.Compression) throws {
        let t = try TemporaryArchive()
        let data = Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let id = try t.archive.objects.put(data, compression: compression)
        let path = t.archive.objects.path(of: id)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for offset in 0..<original.count {
            var damaged = original
            damaged[offset] ^= 0x01
            chmod(path, 0o644)
            try damaged.write(to: URL(fileURLWithPath: path))
            #expect(throws: ArchiveError.self) { try t.archive.objects.get(id) }
        }
        try original.write(to: URL(fileURLWithPath: path))
        #expect(try t.archive.objects.get(id) == data)
        var damaged = original
        damaged[damaged.count - 1] ^= 0x80
        try damaged.write(to: URL(fileURLWithPath: path))
        let report = t.archive.fsck()
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.contains(path) == true)
    }

    @Test func truncatedObjectNamesFileAndProblem() throws {
        let t = try TemporaryArchive()
        let id = try t.archive.objects.put(Data(repeating: 9, count: 1000), compression: .never)
        let path = t.archive.objects.path(of: id)
        chmod(path, 0o644)
        truncate(path, 500)
        do {
            _ = try t.archive.objects.get(id)
            Issue.record("expected an error")
        } catch let error as ArchiveError {
            #expect("\(error)".contains(path))
            #expect("\(error)".contains("truncated"))
        }
    }
}
