import Archive
import SyntheticArchive
import Foundation
import Testing
import TestSupport

@Suite struct BundleTests {
    @Test func exportImportRoundTrip() throws {
        let source = try TemporaryArchive(), target = try TemporaryArchive()
        let runs = try (0..<3).map { try SyntheticRuns.ingest(into: source.archive, index: $0, tensorBytes: 256) }
        let path = source.path + "/b.bundle"
        #expect(try Bundle.export(runs: [runs[0], runs[2]], from: source.archive, to: path) == 10)
        let report = try Bundle.import(from: path, into: target.archive)
        #expect(report.runs == 2 && report.newObjects == 10)
        #expect(try target.archive.runIDs() == [runs[0], runs[2]].sorted())
        #expect(try target.archive.record(of: runs[0]) == source.archive.record(of: runs[0]))
        #expect(target.archive.fsck().isClean)
        #expect(try Bundle.import(from: path, into: target.archive).newObjects == 0)
    }

    /// A flipped byte inside an object, or a ref whose kind or name could form a path, is refused and nothing is stored.
    @Test(arguments: ["flip", "kind", "name"])
    func damagedOrUnsafeBundlesChangeNothing(damage: String) throws {
        let source = try TemporaryArchive(), target = try TemporaryArchive()
        let run = try SyntheticRuns.ingest(into: source.archive, index: 5, tensorBytes: 64)
        let path = source.path + "/b.bundle"
        try Bundle.export(runs: [run], from: source.archive, to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        switch damage {
        case "flip":  // a byte inside the first object's content, just after its header line
            let headerEnd = bytes[17...].firstIndex(of: 0x0A)!
            bytes[headerEnd + 5] ^= 1
        case "kind": bytes = Data(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "ref runs ", with: "ref ../../etc ").utf8)
        default: bytes = Data(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "ref runs \(run.hex)", with: "ref runs ../../x").utf8)
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: ArchiveError.self) { try Bundle.import(from: path, into: target.archive) }
        #expect(try target.archive.objects.allObjects().isEmpty)
        #expect(try target.archive.runIDs().isEmpty)
    }
}
