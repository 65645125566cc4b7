import Archive
import Foundation
import Testing
import TestSupport

@Suite struct HDF5CheckpointTests {
    func sampleContents() -> HDF5Checkpoint.Contents {
        .init(runID: String(repeating: "ab", count: 32), epoch: 3, step: 42, tensors: [
            .init(name: "stem.conv.weight", shape: [4, 3, 3, 2], values: (0..<72).map { Float($0) * 0.25 - 3 }),
            .init(name: "head.fc.bias", shape: [5], values: [1, -2, 0.5, .ulpOfOne, -0.0]),
            .init(name: "a.scalar", shape: [1], values: [7]),
        ])
    }

    /// Two exports of the same tensors are byte-identical files (object time tracking off).
    @Test func exportIsDeterministic() throws {
        let dir = FileManager.default.temporaryDirectory.path
        let a = "\(dir)/h5-\(UUID().uuidString).h5", b = "\(dir)/h5-\(UUID().uuidString).h5"
        defer { unlink(a); unlink(b) }
        try HDF5Checkpoint.write(sampleContents(), to: a)
        sleep(1)  // a time-stamped object would now differ
        try HDF5Checkpoint.write(sampleContents(), to: b)
        let da = try Data(contentsOf: URL(fileURLWithPath: a)), db = try Data(contentsOf: URL(fileURLWithPath: b))
        #expect(ObjectID(of: da) == ObjectID(of: db))
    }

    /// export → import reproduces the tensors in checkpoint order, bit for bit, and the same checkpoint object.
    @Test func roundTripThroughArchive() throws {
        let t = try TemporaryArchive()
        let contents = sampleContents()
        let first = try t.archive.importCheckpoint(contents)
        let path = "\(t.path)/x.h5"
        try HDF5Checkpoint.write(try t.archive.checkpointContents(first), to: path)
        let back = try HDF5Checkpoint.read(from: path)
        #expect(back.tensors.map(\.name) == contents.tensors.map(\.name))
        #expect(back.tensors.map { $0.values.map(\.bitPattern) } == contents.tensors.map { $0.values.map(\.bitPattern) })
        #expect(try t.archive.importCheckpoint(back) == first)
    }

    @Test func readingANonHDF5FileIsAClearError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-\(UUID().uuidString).h5").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        #expect(throws: ArchiveError.malformed(path: path, reason: "not an HDF5 file")) { try HDF5Checkpoint.read(from: path) }
    }
}
