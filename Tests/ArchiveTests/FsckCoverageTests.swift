@testable import Archive
import SyntheticArchive
import Foundation
import Testing
import TestSupport

/// fsck checks every kind of ref and the exact bytes of every object; the run index is verified too.
@Suite struct FsckCoverageTests {
    /// Bytes after an object's zlib stream: the content still inflates and hashes right, but the file is not the
    /// object the format defines. `get` refuses it and fsck reports it.
    @Test func trailingBytesAfterACompressedPayloadAreDamage() throws {
        let t = try TemporaryArchive()
        let run = try SyntheticRuns.ingest(into: t.archive, index: 1, tensorBytes: 64)
        let record = try #require(try t.archive.readRef(kind: "runs", name: run.hex))
        let path = t.archive.objects.path(of: record)
        chmod(path, 0o644)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data([0, 1, 2]))
        try handle.close()
        #expect(throws: ArchiveError.self) { try t.archive.objects.get(record) }
        let report = t.archive.fsck()
        #expect(report.problems.contains { $0.contains(path) && $0.contains("extra bytes") })
    }

    /// Table, derivation and study refs are checked like run refs: target present, of the right type, filed under
    /// the right name.
    @Test(arguments: ["tables", "derivations", "studies"])
    func everyKindOfRefIsChecked(kind: String) throws {
        let t = try TemporaryArchive()
        let run = try SyntheticRuns.ingest(into: t.archive, index: 2, tensorBytes: 64)
        let notAPlan = try t.archive.putJSON(EvalLog())
        #expect(t.archive.fsck().isClean)
        try t.archive.writeRef(kind: kind, name: run.hex, target: notAPlan)
        let report = t.archive.fsck()
        #expect(report.problems.contains { $0.contains("refs/\(kind)/\(run.hex)") }, "\(report.problems)")
        // A ref naming a missing object.
        try t.archive.writeRef(kind: kind, name: run.hex, target: ObjectID(of: Data("never stored".utf8)))
        #expect(t.archive.fsck().problems.contains { $0.contains("refs/\(kind)/\(run.hex)") })
    }

    /// A file in a ref folder that is not a ref name is listed, not skipped silently.
    @Test func aStrayFileInARefFolderIsReported() throws {
        let t = try TemporaryArchive()
        try Data("x".utf8).write(to: URL(fileURLWithPath: t.path + "/refs/runs/not-a-run"))
        #expect(t.archive.fsck().problems.contains { $0.contains("refs/runs/not-a-run") })
    }
}

/// The run index carries a checksum; a damaged or stale index is never served.
@Suite struct RunIndexIntegrityTests {
    func truth(_ archive: Archive) throws -> [RunIndexEntry] {
        try TidyExport.rows(of: archive).rows.map { RunIndexEntry(run: $0.run, manifest: $0.manifest, record: $0.record) }
    }

    /// The probe's case: one digit of a metric flipped in the snapshot. The line still parses; only the checksum
    /// tells. fsck reports it, and listing and querying rebuild instead of serving the wrong number.
    @Test func aFlippedDigitInTheSnapshotIsCaught() throws {
        let t = try TemporaryArchive()
        for i in 0..<12 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 16) }
        _ = try t.archive.indexedRuns(forceSnapshot: true)
        #expect(t.archive.currentSnapshot() != nil)
        #expect(t.archive.fsck().isClean)
        let path = t.path + "/index/runs"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let range = try #require(text.range(of: "test_top1_error="))
        let digit = text.index(range.upperBound, offsetBy: 0)
        let flipped: Character = text[digit] == "5" ? "6" : "5"
        text.replaceSubrange(digit...digit, with: String(flipped))
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        #expect(t.archive.fsck().problems.contains { $0.contains("checksum") })
        #expect(t.archive.currentSnapshot() == nil)
        let query = try t.archive.queryRuns { _ in true }.entries
        #expect(query == (try truth(t.archive)))
        #expect(try t.archive.indexedRuns().entries == truth(t.archive))
    }

    /// A ref moved by something that does not journal (an older Reprise, a copy by hand, a crash between rename
    /// and journal line) with the run count unchanged: the refs/runs mtime check compares every ref's target.
    @Test func aRefThatMovedWithoutAJournalLineIsNoticed() throws {
        let t = try TemporaryArchive()
        let runs = try (0..<5).map { try SyntheticRuns.ingest(into: t.archive, index: $0, tensorBytes: 16) }
        _ = try t.archive.indexedRuns(forceSnapshot: true)
        var record = try #require(try t.archive.record(of: runs[2]))
        record.status = .diverged
        record.reason = "moved without a journal line"
        let id = try t.archive.putJSON(record)
        usleep(20_000)   // let the directory's mtime tick on coarse-timestamp file systems
        try t.archive.writeRef(kind: "runs", name: runs[2].hex, target: id)
        #expect(try t.archive.queryRuns { $0.statusIs(RunIndexRow.Key("diverged")) }.entries.map(\.run) == [runs[2]])
        #expect(try t.archive.indexedRuns().entries == truth(t.archive))
        #expect(t.archive.fsck().isClean)
    }

    /// A damaged journal line (a flipped hex digit still looks like a run ID) refuses the index: rebuilt.
    @Test func aDamagedJournalLineRebuildsTheIndex() throws {
        let t = try TemporaryArchive()
        for i in 0..<4 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 16) }
        _ = try t.archive.indexedRuns(forceSnapshot: true)
        let run = try SyntheticRuns.ingest(into: t.archive, index: 9, tensorBytes: 16)
        let journal = t.path + "/index/journal"
        var text = try String(contentsOfFile: journal, encoding: .utf8)
        let at = try #require(text.range(of: run.hex, options: .backwards))
        let first = text[at.lowerBound]
        text.replaceSubrange(at.lowerBound...at.lowerBound, with: first == "a" ? "b" : "a")
        try text.write(toFile: journal, atomically: false, encoding: .utf8)
        #expect(!t.archive.fsck().isClean)
        #expect(try t.archive.indexedRuns().entries == truth(t.archive))
        #expect(try t.archive.indexedRuns().entries.count == 5)
    }
}
