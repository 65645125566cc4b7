@testable import Archive
import SyntheticArchive
import Foundation
import Testing
import TestSupport

/// A run stored step by step: a manifest, then one checkpoint per epoch, so tests can take copies mid-run.
struct StagedRun {
    let archive: Archive
    let run: ObjectID
    var record: RunRecord

    init(_ archive: Archive, manifest n: Int) throws {
        self.archive = archive
        run = try archive.putManifest(sampleManifest(n))
        record = RunRecord(run: run, status: .inProgress)
    }

    /// Trains "one more epoch": a checkpoint whose tensor depends on (epoch, salt), an eval log, and a commit.
    mutating func epoch(_ epoch: Int, salt: Float = 0, finish: Bool = false) throws {
        let values = (0..<8).map { Float($0) + Float(epoch) * 10 + salt }
        let tensor = try values.withUnsafeBufferPointer { try archive.putTensor($0) }
        let checkpoint = try archive.putJSON(CheckpointRecord(run: run, epoch: epoch, step: epoch * 10,
                                                              tensors: [.init(name: "w", shape: [8], object: tensor)]))
        record.checkpoints.append(.init(epoch: epoch, checkpoint: checkpoint))
        record.evalLog = try archive.putJSON(EvalLog(epochs: (1...max(1, epoch)).map {
            .init(epoch: $0, learningRate: 0.1, trainLoss: 1, trainTop1Error: 50, testLoss: 1, testTop1Error: 40 - Double($0) - Double(salt), testTop5Error: 5)
        }))
        if finish {
            record.status = .completed
            record.metrics = ["test_top1_error": 40 - Double(epoch) - Double(salt)]
        }
        try archive.commit(record)
    }
}

/// `bundle import` and `archive merge` share one rule (`RunAdoption`): never downgrade a run, never replace a ref
/// silently, and a run with different results is a conflict that changes nothing.
@Suite struct RunAdoptionTests {
    /// The probe's case: a bundle exported while the run was in progress is imported after the run completed. The
    /// completed record must stay, and gc must keep its newer checkpoints.
    @Test func importingAnUnfinishedCopyNeverDowngradesACompletedRun() throws {
        let t = try TemporaryArchive()
        var staged = try StagedRun(t.archive, manifest: 1)
        try staged.epoch(0)
        try staged.epoch(1)
        let bundle = t.path + "/mid-run.bundle"
        try Bundle.export(runs: [staged.run], from: t.archive, to: bundle)
        try staged.epoch(2)
        try staged.epoch(3, finish: true)
        let completed = try t.archive.record(of: staged.run)
        let report = try Bundle.import(from: bundle, into: t.archive)
        #expect(report.runs == 0 && report.unchanged == 1)
        #expect(try t.archive.record(of: staged.run) == completed)
        _ = try t.archive.garbageCollect(gracePeriod: 0)
        #expect(t.archive.fsck().isClean)
        #expect(try t.archive.record(of: staged.run)?.checkpoints.count == 4)
    }

    /// The other way round: the archive holds the copy taken mid-run, the bundle the finished run — it advances.
    @Test func importingAFurtherCopyAdvancesAnUnfinishedRun() throws {
        let early = try TemporaryArchive(), late = try TemporaryArchive()
        var a = try StagedRun(early.archive, manifest: 2)
        var b = try StagedRun(late.archive, manifest: 2)
        for e in 0...1 { try a.epoch(e); try b.epoch(e) }
        try b.epoch(2, finish: true)
        let bundle = late.path + "/done.bundle"
        try Bundle.export(runs: [b.run], from: late.archive, to: bundle)
        #expect(try Bundle.import(from: bundle, into: early.archive).runs == 1)
        #expect(try early.archive.record(of: a.run)?.deterministicPart == late.archive.record(of: b.run)?.deterministicPart)
        // The run index sees the import (it is journalled like any commit).
        #expect(try early.archive.indexedRuns().entries.first?.status == .completed)
    }

    /// Different results for one run ID: exit-1 conflict naming the run and both versions; nothing is written.
    @Test func aConflictingBundleOrArchiveChangesNothing() throws {
        let here = try TemporaryArchive(), there = try TemporaryArchive()
        var a = try StagedRun(here.archive, manifest: 3)
        var b = try StagedRun(there.archive, manifest: 3)
        try a.epoch(0); try a.epoch(1, finish: true)
        try b.epoch(0); try b.epoch(1, salt: 0.5, finish: true)   // a determinism failure
        let extra = try SyntheticRuns.ingest(into: there.archive, index: 7, tensorBytes: 64)
        let bundle = there.path + "/b.bundle"
        try Bundle.export(runs: [b.run, extra], from: there.archive, to: bundle)
        let objectsBefore = try here.archive.objects.allObjects()
        let recordBefore = try here.archive.record(of: a.run)
        for attempt in ["import", "merge"] {
            do {
                if attempt == "import" { _ = try Bundle.import(from: bundle, into: here.archive) } else { _ = try here.archive.merge(from: there.archive) }
                Issue.record("\(attempt): expected a conflict")
            } catch let ArchiveError.conflict(message) {
                #expect(message.contains(a.run.hex) && message.contains("checkpoints differ from epoch 1"))
                #expect(message.contains("here completed") && message.contains("there completed"))
                #expect(message.contains("nothing was changed"))
            }
            #expect(try here.archive.objects.allObjects() == objectsBefore)
            #expect(try here.archive.runIDs() == [a.run])
            #expect(try here.archive.record(of: a.run) == recordBefore)
        }
    }

    /// A bundle whose ref names a record of another run, or a record whose checkpoint is nowhere, is refused.
    @Test func aBundleRefMustNameACompleteRecordOfItsRun() throws {
        let source = try TemporaryArchive(), target = try TemporaryArchive()
        let one = try SyntheticRuns.ingest(into: source.archive, index: 1, tensorBytes: 64)
        let two = try SyntheticRuns.ingest(into: source.archive, index: 2, tensorBytes: 64)
        let path = source.path + "/b.bundle"
        try Bundle.export(runs: [one, two], from: source.archive, to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let recordOfOne = try #require(try source.archive.readRef(kind: "runs", name: one.hex))
        let recordOfTwo = try #require(try source.archive.readRef(kind: "runs", name: two.hex))
        // Point run one's ref at run two's record.
        let line = try #require(bytes.range(of: Data("ref runs \(one.hex) \(recordOfOne.hex)".utf8)))
        bytes.replaceSubrange(line, with: Data("ref runs \(one.hex) \(recordOfTwo.hex)".utf8))
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            _ = try Bundle.import(from: path, into: target.archive)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("names a record of run \(two.short)"))
        }
        #expect(try target.archive.runIDs().isEmpty && target.archive.objects.allObjects().isEmpty)
    }
}
