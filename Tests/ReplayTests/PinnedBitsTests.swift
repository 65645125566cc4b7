import Archive
import Foundation
import Kernels
import Replay
import Testing
import TestSupport

/// The bits of a tiny fixed-seed run are pinned: any change to an arithmetic chain (GEMM, convolution, BN, loss, SGD,
/// data order) changes these digests and fails this test. The fix is never to renew the digests alone: bump
/// `KernelVersion.current` (old runs are then no longer replayable bit for bit, and their run IDs differ), then
/// renew them. The digests were produced by this code on 2026-12-04 (1 and 2 workers give the same, tested in
/// TrainingTests.sameBitsWithOneAndTwoWorkers); they are not from an independent reference — what they pin is
/// "unchanged since", which is the contract.
@Suite(.serialized) struct PinnedBitsTests {
    /// SHA-256 over the tensor object IDs of each checkpoint (epochs 0, 1, 2), in tensor order, joined by "\n".
    static let tensorDigests = [
        "9de5c07b7ebb4e4496138930c1d0a24ac12a5d607d7ac6b93c3ab492a3ea193c",
        "185e964ada3258ffb7346acf3d0958371b3a00225a7ab1f14633c67613a2ab1e",
        "dda40f2d8667fc11413f59a9abea9d46225264af09f19311999da2e6acd1db74",
    ]
    /// The eval log's object ID (its canonical JSON: losses and errors per epoch).
    static let evalLog = "3cad97427c633464aa6a9c133ae7228910ac382829066e1714109559609af8d1"

    @Test func aTinyFixedSeedRunGivesThePinnedBits() throws {
        #expect(KernelVersion.current == "kernels-1", "kernel version bumped: renew the pinned digests below")
        let scratch = try TemporaryArchive()
        let outcome = try Trainer(spec: smallDigitsRun(epochs: 2, seed: 7), workers: Workers(2)).run(in: scratch.archive)
        #expect(outcome.record.status == .completed)
        var digests: [String] = []
        for entry in outcome.record.checkpoints {
            let checkpoint = try scratch.archive.getJSON(CheckpointRecord.self, entry.checkpoint)
            digests.append(ObjectID(of: Data(checkpoint.tensors.map(\.object.hex).joined(separator: "\n").utf8)).hex)
        }
        // On a mismatch this line shows the new values (after the version bump).
        print("pinned tensor digests: \(digests); eval log: \(outcome.record.evalLog?.hex ?? "-")")
        #expect(digests == Self.tensorDigests)
        #expect(outcome.record.evalLog?.hex == Self.evalLog)
    }

    /// The policies' bits: a FEAR run (threshold reached, then stage 2 with one trainable block, clipping and a fresh
    /// SGD) and a run with precise BN and early stopping on a validation part. SHA-256 over every checkpoint's tensor
    /// object IDs (all epochs, joined by "\n") and the eval log's ID. Produced by the Trainer before its refactor into
    /// EpochPlan/FearSchedule/GradientClipping/EarlyStopping (commit f886cbc) and unchanged by it.
    static let policyDigests: [String: String] = [
        "fear": "9690c4a95a073ae2a4f37e0f3f2a2117d82bb539724ae0c5eaffc6a33c805106",  // 6 checkpoints (epochs 0–5)
        "preciseBNEarlyStopping": "8b67c561850020e696ee294b157674b9ea2943ec7a669af0a29fe1dbd0ffcd3f",  // 5 checkpoints (epochs 0–4)
    ]

    @Test func trainingPoliciesGiveThePinnedBits() throws {
        var fear = smallDigitsRun(epochs: 4, seed: 3)
        fear.dataset.trainLimit = 480; fear.dataset.testLimit = 120
        fear.training.fear = FearConfig(thresholdPercent: 40, stage2Epochs: 2, trainableBlocks: 1, gradientClip: 0.5)
        var other = smallDigitsRun(epochs: 4, seed: 5)
        other.dataset.trainLimit = 480; other.dataset.testLimit = 120; other.dataset.validationCount = 96
        other.training.preciseBatchNormSamples = 96
        other.training.earlyStoppingPatience = 1
        for (name, spec) in [("fear", fear), ("preciseBNEarlyStopping", other)] {
            let scratch = try TemporaryArchive()
            let outcome = try Trainer(spec: spec, workers: Workers(2)).run(in: scratch.archive)
            var ids: [String] = []
            for entry in outcome.record.checkpoints {
                ids += try scratch.archive.getJSON(CheckpointRecord.self, entry.checkpoint).tensors.map(\.object.hex)
            }
            ids.append(outcome.record.evalLog?.hex ?? "-")
            let digest = ObjectID(of: Data(ids.joined(separator: "\n").utf8)).hex
            print("pinned policy digest \(name): \(digest) (\(outcome.record.checkpoints.count) checkpoints, metrics \(outcome.record.metrics.keys.sorted()))")
            #expect(digest == Self.policyDigests[name], "\(name)")
        }
    }
}
