@testable import Archive
import Foundation
import Kernels
import Replay
import Testing
import TestSupport

@Suite(.serialized) struct ReplayerTests {
    @Test func replayOfAnArchivedRunIsBitwiseIdentical() throws {
        let a = try TemporaryArchive()
        let outcome = try Trainer(spec: smallDigitsRun(), workers: Workers(1)).run(in: a.archive)
        let report = try Replayer(archive: a.archive, workers: Workers(2)).replay(outcome.run)
        #expect(report.isBitwiseIdentical)
        #expect(report.epochs.map(\.epoch) == [0, 1, 2])
        #expect(report.firstDifference == nil)
    }

    /// A tampered archive (one weight changed in the last checkpoint, stored as a new record) is caught, with the epoch
    /// and the tensor named.
    @Test func replayNamesTheFirstDifferingTensor() throws {
        let a = try TemporaryArchive()
        let outcome = try Trainer(spec: smallDigitsRun(), workers: Workers(2)).run(in: a.archive)
        var record = outcome.record
        let last = record.checkpoints.last!
        var checkpoint = try a.archive.getJSON(CheckpointRecord.self, last.checkpoint)
        var values = try a.archive.getTensor(checkpoint.tensors[0].object, count: checkpoint.tensors[0].elementCount)
        values[3] += 0.25
        checkpoint.tensors[0].object = try values.withUnsafeBufferPointer { try a.archive.putTensor($0) }
        record.checkpoints[record.checkpoints.count - 1].checkpoint = try a.archive.putJSON(checkpoint)
        try a.archive.forgeRecord(record)
        let report = try Replayer(archive: a.archive, workers: Workers(2)).replay(outcome.run)
        #expect(!report.isBitwiseIdentical)
        let difference = try #require(report.firstDifference)
        #expect(difference.epoch == 2)
        #expect(difference.tensor == checkpoint.tensors[0].name)
        #expect(abs(difference.maxAbsoluteDifference - 0.25) < 1e-6)
    }

    /// Replay compares by object ID, so a damaged stored checkpoint used to give "bitwise identical" (a probe's
    /// finding). The stored objects are re-read first: a truncated tensor is `corruptObject` (exit 1).
    @Test func replayRefusesARunWhoseStoredBitsAreDamaged() throws {
        let a = try TemporaryArchive()
        let outcome = try Trainer(spec: smallDigitsRun(epochs: 1), workers: Workers(2)).run(in: a.archive)
        let checkpoint = try a.archive.getJSON(CheckpointRecord.self, outcome.record.checkpoints.last!.checkpoint)
        let path = a.archive.objects.path(of: checkpoint.tensors[0].object)
        chmod(path, 0o644)
        #expect(truncate(path, 20) == 0)
        do {
            _ = try Replayer(archive: a.archive, workers: Workers(2)).replay(outcome.run)
            Issue.record("expected corruptObject")
        } catch ArchiveError.corruptObject(let file, _) {
            #expect(file == path)
        }
    }
}

/// The dispatch on a run's kind lives in Replay (Replayer.replayAnyKind): synthetic runs are refused with a
/// ReplayError naming the kind, and `replay(_:)` refuses any kind but train.
@Suite struct ReplayKindDispatchTests {
    @Test func syntheticRunsAreNotReplayed() throws {
        let a = try TemporaryArchive()
        var manifest = RunManifest(architecture: .object(["n": .integer(1)]), dataset: .object(["name": .string("digits")]),
                                   datasetDigest: String(repeating: "0", count: 64), training: .object([:]), seed: 0,
                                   repriseVersion: "test", kernelVersion: "test")
        manifest.kind = .synthetic
        let run = try a.archive.putManifest(manifest)
        let replayer = Replayer(archive: a.archive, workers: .serial)
        #expect(throws: ReplayError.notReplayable(run, .synthetic)) { try replayer.replayAnyKind(run) }
        #expect(throws: ReplayError.notReplayable(run, .synthetic)) { try replayer.replay(run) }
    }
}
