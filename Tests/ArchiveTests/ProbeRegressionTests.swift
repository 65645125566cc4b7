@testable import Archive
import Foundation
import SyntheticArchive
import Testing
import TestSupport

/// Cases a hostile probe of the archive commands found (2026-12-04), each now a clean error or a correct result.
@Suite struct ProbeRegressionTests {
    /// Re-committing a completed run with other results (here `synthesize` of an existing index with other bytes)
    /// used to replace its ref silently; gc then removed the original checkpoints. Now: a conflict, nothing changed.
    @Test func aCommitNeverReplacesADifferentCompletedRecord() throws {
        let t = try TemporaryArchive()
        let run = try SyntheticRuns.ingest(into: t.archive, index: 1, tensorBytes: 64)
        let before = try t.archive.readRef(kind: "runs", name: run.hex)
        #expect(throws: ArchiveError.self) { try SyntheticRuns.ingest(into: t.archive, index: 1, tensorBytes: 8) }
        #expect(try t.archive.readRef(kind: "runs", name: run.hex) == before)
        _ = try t.archive.garbageCollect(gracePeriod: 0)
        #expect(t.archive.fsck().isClean)
    }

    /// A slower copy of a run committing an earlier state keeps the further record (no downgrade).
    @Test func aCommitOfAnEarlierStateKeepsTheFurtherRecord() throws {
        let t = try TemporaryArchive()
        var staged = try StagedRun(t.archive, manifest: 5)
        try staged.epoch(0)
        let early = staged.record
        try staged.epoch(1)
        try staged.epoch(2, finish: true)
        let done = try t.archive.readRef(kind: "runs", name: staged.run.hex)
        #expect(try t.archive.commit(early) == done)
        #expect(try t.archive.record(of: staged.run)?.status == .completed)
    }

    /// A ref naming another run's record was shown as this run's data by show/log/export.
    @Test func aRefNamingAnotherRunsRecordIsDamage() throws {
        let t = try TemporaryArchive()
        let a = try SyntheticRuns.ingest(into: t.archive, index: 1, tensorBytes: 16)
        let b = try SyntheticRuns.ingest(into: t.archive, index: 2, tensorBytes: 16)
        let recordOfB = try #require(try t.archive.readRef(kind: "runs", name: b.hex))
        try Data((recordOfB.hex + "\n").utf8).write(to: URL(fileURLWithPath: t.path + "/refs/runs/" + a.hex))
        do {
            _ = try t.archive.record(of: a)
            Issue.record("expected damage")
        } catch ArchiveError.damaged(_, let reason) {
            #expect(reason.contains(b.short))
        }
        #expect(try !TidyExport.rows(of: t.archive).unreadable.isEmpty)
    }

    /// A FIFO, a folder or a symbolic link where a ref belongs: an error at once (a FIFO used to hang every reader).
    @Test(arguments: ["fifo", "folder", "link"])
    func aRefThatIsNotARegularFileIsDamage(kind: String) throws {
        let t = try TemporaryArchive()
        let run = try SyntheticRuns.ingest(into: t.archive, index: 3, tensorBytes: 16)
        let ref = t.path + "/refs/runs/" + run.hex
        let target = try #require(try t.archive.readRef(kind: "runs", name: run.hex))
        unlink(ref)
        switch kind {
        case "fifo": #expect(mkfifo(ref, 0o644) == 0)
        case "folder": try FileManager.default.createDirectory(atPath: ref, withIntermediateDirectories: false)
        default:
            try Data((target.hex + "\n").utf8).write(to: URL(fileURLWithPath: t.path + "/outside"))
            try FileManager.default.createSymbolicLink(atPath: ref, withDestinationPath: t.path + "/outside")
        }
        #expect(throws: ArchiveError.self) { try t.archive.record(of: run) }
        #expect(t.archive.fsck().problems.contains { $0.contains(ref) })
        #expect(throws: ArchiveError.self) { try t.archive.garbageCollect(gracePeriod: 0) }
    }

    /// `export --wide` kept one arbitrary run per architecture × dataset. Runs differing in kind or seed are rows of
    /// their own; two runs that would still share a cell are an error.
    @Test func theWideExportNeverChoosesAmongRuns() throws {
        let t = try TemporaryArchive()
        let run = try t.archive.putManifest(sampleManifest(1))
        var otherSeed = sampleManifest(1)
        otherSeed.seed = 99
        let second = try t.archive.putManifest(otherSeed)
        try t.archive.commit(RunRecord(run: run, status: .completed, metrics: ["test_top1_error": 5]))
        try t.archive.commit(RunRecord(run: second, status: .completed, metrics: ["test_top1_error": 50]))
        let csv = try TidyExport.wideCSV(try TidyExport.rows(of: t.archive).rows, metric: "test_top1_error")
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 3 && lines[0] == "architecture,kind,seed,digits")
        #expect(lines[1].hasSuffix(",train,1,5.0") && lines[2].hasSuffix(",train,99,50.0"))
        // Same architecture, kind, seed and dataset, another recipe: one cell, two runs.
        var otherRecipe = sampleManifest(1)
        otherRecipe.training = .object(["epochs": .integer(3)])
        let third = try t.archive.putManifest(otherRecipe)
        try t.archive.commit(RunRecord(run: third, status: .completed, metrics: ["test_top1_error": 7]))
        #expect(throws: ArchiveError.self) { try TidyExport.wideCSV(try TidyExport.rows(of: t.archive).rows, metric: "test_top1_error") }
    }

    /// `-o` outputs: a device or FIFO is written through, a link is followed, a folder is refused, and a failed write
    /// leaves the earlier file as it was (the old path replaced /dev/full by a regular file).
    @Test func outputFilesAreWrittenThroughOrAtomically() throws {
        let t = try TemporaryArchive()
        #expect(throws: ArchiveError.self) { try OutputFile.write(Data("x".utf8), to: "/dev/full") }
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
        let real = t.path + "/real.csv", link = t.path + "/link.csv"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try OutputFile.write(Data("first\n".utf8), to: link)   // dangling: creates the target
        try OutputFile.write(Data("second\n".utf8), to: link)  // now a regular target: replaced atomically
        #expect(lstat(link, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
        #expect(try String(contentsOfFile: real, encoding: .utf8) == "second\n")
        #expect(throws: ArchiveError.self) { try OutputFile.write(Data("x".utf8), to: t.path) }
        #expect(throws: ArchiveError.self) { try OutputFile.write(Data("x".utf8), to: t.path + "/no/such/folder.csv") }
        #expect(throws: ArchiveError.self) { try OutputFile.write(Data("x".utf8), to: "") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    /// `init` made archives in `/`, in non-empty folders and inside another archive's objects/.
    @Test func anArchiveIsCreatedOnlyInANewOrEmptyFolder() throws {
        let t = try TemporaryArchive()
        _ = try SyntheticRuns.ingest(into: t.archive, index: 2, tensorBytes: 16)
        #expect(throws: ArchiveError.self) { try Archive.create(at: t.path + "/objects") }
        #expect(throws: ArchiveError.self) { try Archive.create(at: t.path + "/FORMAT") }
        #expect(throws: ArchiveError.self) { try Archive.create(at: "") }
        #expect(try Archive.create(at: t.path).root == t.path)   // an archive already there: opened
        let empty = t.path + "/tmp/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
        _ = try Archive.create(at: empty)
    }

    /// Merging from a damaged archive copied objects before failing; merging a run kept here copied its record.
    @Test func aMergeFromADamagedArchiveCopiesNothing() throws {
        let here = try TemporaryArchive(), there = try TemporaryArchive()
        let run = try SyntheticRuns.ingest(into: there.archive, index: 4, tensorBytes: 2048)
        _ = try SyntheticRuns.ingest(into: there.archive, index: 5, tensorBytes: 2048)
        let record = try #require(try there.archive.record(of: run))
        let checkpoint = try there.archive.getJSON(CheckpointRecord.self, record.checkpoints[0].checkpoint)
        let tensor = there.archive.objects.path(of: checkpoint.tensors[0].object)
        chmod(tensor, 0o644)
        let handle = try #require(FileHandle(forUpdatingAtPath: tensor))
        handle.seek(toFileOffset: 100)
        handle.write(Data([0xFF, 0xEE]))
        try handle.close()
        #expect(throws: ArchiveError.self) { try here.archive.merge(from: there.archive) }
        #expect(try here.archive.objects.allObjects().isEmpty)
    }

    /// fsck ignored stray files in objects/ and a missing tmp/.
    @Test func strayEntriesAndAMissingTmpFolderAreReported() throws {
        let t = try TemporaryArchive()
        _ = try SyntheticRuns.ingest(into: t.archive, index: 6, tensorBytes: 16)
        try Data("x".utf8).write(to: URL(fileURLWithPath: t.path + "/objects/FORMAT"))
        try FileManager.default.removeItem(atPath: t.path + "/tmp")
        let problems = t.archive.fsck().problems
        #expect(problems.contains { $0.contains("objects/FORMAT") })
        #expect(problems.contains { $0.contains("/tmp: missing") })
    }
}
