import Archive
import Foundation
import Testing
import TestSupport

@Suite struct RunTests {
    @Test func commitReadResolveAndGC() throws {
        let t = try TemporaryArchive()
        let a = t.archive
        let run = try a.putManifest(sampleManifest(1))
        let tensor = try [Float](repeating: 1.5, count: 10).withUnsafeBufferPointer { try a.putTensor($0) }
        let checkpoint = try a.putJSON(CheckpointRecord(run: run, epoch: 1, step: 5,
                                                        tensors: [.init(name: "w", shape: [2, 5], object: tensor)]))
        let log = try a.putJSON(EvalLog(epochs: [.init(epoch: 1, learningRate: 0.1, trainLoss: 2, trainTop1Error: 50,
                                                       testLoss: 2.1, testTop1Error: 55, testTop5Error: 10)]))
        try a.commit(RunRecord(run: run, status: .completed, checkpoints: [.init(epoch: 1, checkpoint: checkpoint)],
                               evalLog: log, metrics: ["test_top1_error": 55]))
        #expect(try a.runIDs() == [run])
        #expect(try a.resolveRun(String(run.hex.prefix(8))) == run)
        #expect(try a.record(of: run)?.metrics["test_top1_error"] == 55)
        #expect(try a.manifest(run) == sampleManifest(1))

        // An unreferenced object survives gc within the grace period, and goes after it.
        let orphan = try a.objects.put(Data("orphan".utf8), compression: .always)
        #expect(try a.garbageCollect().removed == 0)
        let report = try a.garbageCollect(gracePeriod: 0)
        #expect(report.removed == 1)
        #expect(report.kept == 5)
        #expect(!a.objects.contains(orphan))
        #expect(a.fsck().isClean)
    }

    @Test func commitRefusesRecordWithMissingObjects() throws {
        let t = try TemporaryArchive()
        let run = try t.archive.putManifest(sampleManifest(2))
        let ghost = ObjectID(of: Data("never stored".utf8))
        #expect(throws: ArchiveError.missingObject(ghost)) {
            try t.archive.commit(RunRecord(run: run, status: .completed, evalLog: ghost))
        }
        #expect(try t.archive.runIDs().isEmpty)
    }

    @Test func fsckFindsMissingReferencedObject() throws {
        let t = try TemporaryArchive()
        let run = try t.archive.putManifest(sampleManifest(3))
        let log = try t.archive.putJSON(EvalLog())
        try t.archive.commit(RunRecord(run: run, status: .failed, reason: "test", evalLog: log))
        unlink(t.archive.objects.path(of: log))
        let report = t.archive.fsck()
        #expect(report.problems.contains { $0.contains(log.hex) })
    }

    @Test func openingANonArchiveSaysHowToCreateOne() {
        do {
            _ = try Archive.open(at: "/tmp/definitely-not-an-archive-\(UUID().uuidString)")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("reprise init"))
        }
    }
}
