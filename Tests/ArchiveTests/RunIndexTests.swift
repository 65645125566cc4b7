@testable import Archive
import SyntheticArchive
import Foundation
import Testing
import TestSupport

/// The run index is a cache: whatever happens to it (journal lines lost in a crash, a corrupt or missing snapshot,
/// concurrent commits), listing through it gives exactly what reading every ref, record and manifest gives.
@Suite struct RunIndexTests {
    /// The truth, read the slow way.
    func slowListing(_ archive: Archive) throws -> [RunIndexEntry] {
        try TidyExport.rows(of: archive).rows.map { RunIndexEntry(run: $0.run, manifest: $0.manifest, record: $0.record) }
    }

    @Test func listingThroughTheIndexEqualsReadingEveryRun() throws {
        let t = try TemporaryArchive()
        for i in 0..<40 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 16) }
        #expect(try t.archive.indexedRuns().entries == slowListing(t.archive))          // first read builds the snapshot
        #expect(FileManager.default.fileExists(atPath: t.path + "/index/runs"))
        for i in 40..<45 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 16) }   // journal lines
        // A run re-committed with another status and a reason holding every escaped character.
        let run = try t.archive.runIDs()[3]
        try t.archive.forgeRecord(RunRecord(run: run, status: .diverged, reason: "loss NaN\tat step 7;\nlr=0.1 \\ oops", metrics: ["a=b;c": 1.5]))
        let entries = try t.archive.indexedRuns().entries
        #expect(entries == (try slowListing(t.archive)))
        #expect(entries.first { $0.run == run }?.reason == "loss NaN\tat step 7;\nlr=0.1 \\ oops")
        #expect(entries.first { $0.run == run }?.metrics == ["a=b;c": 1.5])
        #expect(try t.archive.indexedRuns().entries == entries)                          // read again: unchanged
    }

    @Test func aLostJournalOrABrokenSnapshotIsRepaired() throws {
        let t = try TemporaryArchive()
        for i in 0..<20 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 16) }
        _ = try t.archive.indexedRuns()
        // A crash between a ref's rename and its journal line: the run is in refs/runs only.
        try FileManager.default.removeItem(atPath: t.path + "/index/journal")
        for i in 20..<23 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 16) }
        try FileManager.default.removeItem(atPath: t.path + "/index/journal")
        #expect(try t.archive.indexedRuns().entries == slowListing(t.archive))
        // A snapshot cut in the middle of a line, then garbage: rebuilt from the refs.
        let snapshot = t.path + "/index/runs"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        try? FileManager.default.removeItem(atPath: snapshot)
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: snapshot))
        #expect(try t.archive.indexedRuns().entries == slowListing(t.archive))
        try Data("not an index\n".utf8).write(to: URL(fileURLWithPath: snapshot))
        #expect(try t.archive.indexedRuns().entries == slowListing(t.archive))
        try FileManager.default.removeItem(atPath: t.path + "/index")
        #expect(try t.archive.indexedRuns().entries.count == 23)
    }

    @Test func manyJournalLinesAreFoldedIntoTheSnapshot() throws {
        let t = try TemporaryArchive()
        _ = try t.archive.indexedRuns()
        for i in 0..<300 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 8) }
        #expect(try t.archive.indexedRuns().entries.count == 300)
        // The snapshot now holds all 300 and its offset is the journal's end: the next read replays nothing.
        let header = try String(contentsOfFile: t.path + "/index/runs", encoding: .utf8).split(separator: "\n")[0]
        let journalSize = try FileManager.default.attributesOfItem(atPath: t.path + "/index/journal")[.size] as! Int
        #expect(header.hasPrefix("reprise-run-index 2 \(journalSize) "))
        #expect(try t.archive.indexedRuns().entries == slowListing(t.archive))
    }
}

@Suite struct RunIndexQueryTests {
    @Test func queriesOnTheSnapshotAndAfterNewCommitsAgreeWithAFullRead() throws {
        let t = try TemporaryArchive()
        for i in 0..<60 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 8) }
        typealias Key = RunIndexRow.Key
        let (digits, top1) = (Key("digits"), Key("test_top1_error"))
        func expected() throws -> [RunIndexEntry] {
            try TidyExport.rows(of: t.archive).rows.map { RunIndexEntry(run: $0.run, manifest: $0.manifest, record: $0.record) }
                .filter { $0.dataset == "digits" && ($0.metrics["test_top1_error"] ?? .infinity) < 20 }
        }
        func query() throws -> [RunIndexEntry] {
            try t.archive.queryRuns { $0.datasetIs(digits) && ($0.metric(top1).map { $0 < 20 } ?? false) }.entries
        }
        #expect(try query() == expected())          // first: builds the index (slow path)
        #expect(t.archive.currentSnapshot() != nil)   // now current: the next query scans the snapshot's bytes
        #expect(try query() == expected())
        for i in 60..<70 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 8) }
        #expect(t.archive.currentSnapshot() == nil)   // journal lines pending
        #expect(try query() == expected())
        #expect(try !expected().isEmpty)
        // Kind, status and a metric the runs lack.
        #expect(try t.archive.queryRuns { $0.kindIs(Key("synthetic")) }.entries.count == 70)
        #expect(try t.archive.queryRuns { $0.statusIs(Key("failed")) }.entries.isEmpty)
        #expect(try t.archive.queryRuns { $0.metric(Key("no_such_metric")) != nil }.entries.isEmpty)
    }
}
