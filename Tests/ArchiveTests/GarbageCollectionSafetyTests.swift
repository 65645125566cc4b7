@testable import Archive
import SyntheticArchive
import Foundation
import Testing
import TestSupport

/// Sets a file's modification time `seconds` into the past.
func backdate(_ path: String, by seconds: Int) {
    var times = [timespec(tv_sec: time(nil) - seconds, tv_nsec: 0), timespec(tv_sec: time(nil) - seconds, tv_nsec: 0)]
    utimensat(AT_FDCWD, path, &times, 0)
}

/// gc beside writers (`ArchiveLock`, refreshed mtimes) and on archives it cannot fully read.
@Suite(.serialized) struct GarbageCollectionSafetyTests {
    /// The probe's case: an old unreferenced leftover becomes referenced again through deduplication. Storing it
    /// again refreshes its mtime, so gc's grace period protects it until the commit that references it.
    @Test func reusingAnOldLeftoverRefreshesIt() throws {
        let t = try TemporaryArchive()
        let run = try t.archive.putManifest(sampleManifest(1))
        let leftover = try t.archive.putJSON(EvalLog())
        backdate(t.archive.objects.path(of: leftover), by: 7200)
        backdate(t.archive.objects.path(of: run), by: 7200)
        #expect(try t.archive.putJSON(EvalLog()) == leftover)          // deduplicated: not written again
        #expect(try t.archive.putManifest(sampleManifest(1)) == run)
        #expect(try t.archive.garbageCollect().removed == 0)
        try t.archive.commit(RunRecord(run: run, status: .failed, reason: "test", evalLog: leftover))
        #expect(t.archive.fsck().isClean)
    }

    /// gc waits for a write transaction to end: an object stored inside it, even one that looks old, is still there
    /// when the transaction commits the ref that reaches it.
    @Test func gcWaitsForAWriteTransaction() throws {
        let t = try TemporaryArchive()
        let started = DispatchSemaphore(value: 0)
        let gcDone = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var removed = -1
        nonisolated(unsafe) var gcFinishedBeforeCommit = false
        nonisolated(unsafe) var committed = false
        try t.archive.transaction {
            let run = try t.archive.putManifest(sampleManifest(2))
            let log = try t.archive.putJSON(EvalLog())
            for id in [run, log] { backdate(t.archive.objects.path(of: id), by: 7200) }
            DispatchQueue.global().async {
                started.signal()
                removed = (try? t.archive.garbageCollect().removed) ?? -2
                gcFinishedBeforeCommit = !committed
                gcDone.signal()
            }
            started.wait()
            usleep(300_000)   // gc is running now, and must be waiting for this transaction
            try t.archive.commit(RunRecord(run: run, status: .failed, reason: "test", evalLog: log))
            committed = true
        }
        gcDone.wait()
        #expect(!gcFinishedBeforeCommit)
        #expect(removed == 0)
        #expect(t.archive.fsck().isClean)
    }

    /// Two writer processes and a gc with no grace period at all, in a loop, at the same time: every run the writers
    /// committed is there, whole, and fsck is clean.
    @Test func concurrentWritersAndGCLoseNothing() throws {
        let t = try TemporaryArchive()
        func start(_ arguments: [String]) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: builtProduct("reprise"))
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        // The writers overlap on runs 60…79, so one reuses (deduplicates) objects the other stored.
        let writers = try [0, 60].map { try start(["synthesize", "--archive", t.path, "--runs", "80", "--start", String($0), "--tensor-bytes", "512"]) }
        var collections = 0
        while writers.contains(where: \.isRunning) {
            let gc = try start(["gc", "--archive", t.path, "--grace", "0"])
            gc.waitUntilExit()
            #expect(gc.terminationStatus == 0)
            collections += 1
        }
        for writer in writers { #expect(writer.terminationStatus == 0) }
        #expect(collections >= 1)
        let archive = try Archive.open(at: t.path)
        let expected = Set(try (0..<140).map { try SyntheticRuns.manifest(index: $0).runID() })
        #expect(Set(try archive.runIDs()) == expected)
        let report = archive.fsck()
        #expect(report.isClean, "\(report.problems)")
    }

    /// A folder that cannot be listed is damage, never "empty": fsck reports it and gc removes nothing.
    @Test(arguments: ["refs/runs", "objects/fan"])
    func anUnlistableFolderStopsGC(folder: String) throws {
        let t = try TemporaryArchive()
        let runs = try (0..<3).map { try SyntheticRuns.ingest(into: t.archive, index: $0, tensorBytes: 64) }
        let orphan = try t.archive.putJSON(EvalLog())
        let before = try t.archive.objects.allObjects()
        // Replace the folder by a file (root can read any mode bits, so a chmod would prove nothing here).
        let path = folder == "refs/runs" ? t.path + "/refs/runs" : (t.archive.objects.path(of: runs[1]) as NSString).deletingLastPathComponent
        let saved = path + ".saved"
        try FileManager.default.moveItem(atPath: path, toPath: saved)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: path))
        #expect(!t.archive.fsck().isClean)
        #expect(throws: ArchiveError.self) { try t.archive.garbageCollect(gracePeriod: 0) }
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: saved, toPath: path)
        #expect(try t.archive.objects.allObjects() == before)
        #expect(t.archive.objects.contains(orphan))
        #expect(t.archive.fsck().isClean)
    }

    /// A ref that does not hold an object ID, or names an object of the wrong type, stops gc.
    @Test(arguments: ["garbage", "wrong-type"])
    func aDamagedRefStopsGC(damage: String) throws {
        let t = try TemporaryArchive()
        let run = try SyntheticRuns.ingest(into: t.archive, index: 4, tensorBytes: 64)
        let orphan = try t.archive.putJSON(EvalLog())
        let ref = t.path + "/refs/runs/" + run.hex
        try Data((damage == "garbage" ? "zz\n" : orphan.hex + "\n").utf8).write(to: URL(fileURLWithPath: ref))
        #expect(!t.archive.fsck().isClean)
        #expect(throws: ArchiveError.self) { try t.archive.garbageCollect(gracePeriod: 0) }
        #expect(t.archive.objects.contains(orphan) && t.archive.objects.contains(run))
    }

    @Test(arguments: [Double.nan, -1, .infinity])
    func aGracePeriodMustBeAFiniteNonNegativeNumber(grace: Double) throws {
        let t = try TemporaryArchive()
        let orphan = try t.archive.putJSON(EvalLog())
        #expect(throws: ArchiveError.self) { try t.archive.garbageCollect(gracePeriod: grace) }
        #expect(t.archive.objects.contains(orphan))
    }
}
