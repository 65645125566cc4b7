import Archive
import Foundation
import Kernels
import Replay
import Testing

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
        let scratch = ScratchArchive()
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
}
