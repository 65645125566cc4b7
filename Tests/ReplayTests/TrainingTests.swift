import Archive
import Foundation
import Kernels
import Replay
import Testing
import TestSupport

/// A small AnyNet for digits (8×8×1): bottleneck blocks with group width 8.
func smallDigitsRun(epochs: Int = 2, seed: Int64 = 7) -> RunSpec {
    let spec = AnyNetSpec(stem: .resStemCifar, stemWidth: 8, block: .resBottleneck, stages: [
        .init(depth: 1, width: 16, stride: 1, bottleneckMultiplier: 1, groupWidth: 8),
        .init(depth: 2, width: 32, stride: 2, bottleneckMultiplier: 1, groupWidth: 8),
    ], inputChannels: 1, classes: 10)
    var training = TrainingConfig(epochs: epochs, batchSize: 32)
    training.baseLearningRate = 0.1
    training.cropPadding = 1
    return RunSpec(architecture: spec, dataset: DatasetSpec(name: "digits"), training: training, seed: seed)
}

@Suite(.serialized) struct TrainingTests {
    /// Two epochs on digits with 1 and with 2 workers: identical checkpoint digests, eval logs and records.
    @Test func sameBitsWithOneAndTwoWorkers() throws {
        let a = try TemporaryArchive(), b = try TemporaryArchive()
        let one = try Trainer(spec: smallDigitsRun(), workers: Workers(1)).run(in: a.archive)
        let two = try Trainer(spec: smallDigitsRun(), workers: Workers(2)).run(in: b.archive)
        #expect(one.run == two.run)
        #expect(one.record.status == .completed)
        #expect(one.record.deterministicPart == two.record.deterministicPart)
        #expect(one.record.checkpoints.count == 3)
    }

    /// Learning is real: after 2 epochs the test error is far below chance (90%).
    @Test func learns() throws {
        let a = try TemporaryArchive()
        let outcome = try Trainer(spec: smallDigitsRun(epochs: 3), workers: Workers(2)).run(in: a.archive)
        let error = try #require(outcome.record.metrics["test_top1_error"])
        #expect(error < 30, "test error \(error)%")
    }

    /// Stopping after epoch 1 and resuming gives the same record as an uninterrupted run.
    @Test func resumeIsBitwiseIdentical() throws {
        let a = try TemporaryArchive(), b = try TemporaryArchive()
        let uninterrupted = try Trainer(spec: smallDigitsRun(), workers: Workers(2)).run(in: a.archive)
        let first = Trainer(spec: smallDigitsRun(), workers: Workers(2))
        first.stopAfterEpoch = 1
        let partial = try first.run(in: b.archive)
        #expect(partial.record.status == .inProgress)
        let resumed = try Trainer(spec: smallDigitsRun(), workers: Workers(1)).run(in: b.archive)
        #expect(resumed.resumedFrom == 1)
        #expect(resumed.record.deterministicPart == uninterrupted.record.deterministicPart)
    }
}
