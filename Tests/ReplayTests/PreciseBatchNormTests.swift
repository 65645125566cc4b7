import Archive
import Foundation
import Kernels
import Replay
import Testing
import TestSupport

@Suite(.serialized) struct PreciseBatchNormTests {
    /// The stem's BN statistics after the precise pass equal the mean of the batch means and the mean of the batch
    /// second moments (made central), computed here independently: the stem convolution by the direct-loop reference
    /// in Double, per-batch mean and unbiased variance by hand.
    @Test func stemStatisticsMatchAnIndependentComputation() throws {
        let spec = smallDigitsRun().architecture
        let model = AnyNetModel(spec: spec, inputSize: 8, seed: 3)
        let (train, _) = try DatasetSpec(name: "digits").load()
        let batch = 16
        let batches = (0..<3).map { j in Array(train.images[(j * batch * 64)..<((j + 1) * batch * 64)]) }
        model.recomputeBatchNormStatistics(batches: batches, batch: batch, workers: Workers(2))

        let p = model.parameters
        let weight = p[p.position(of: "stem.conv.weight")!].valueArray.map(Double.init)
        let conv = Conv2D(batch: batch, height: 8, width: 8, inChannels: 1, outChannels: 8, kernel: 3, stride: 1, padding: 1)
        let channels = 8, rows = batch * 64
        var meanOfMeans = [Double](repeating: 0, count: channels), meanOfSecond = meanOfMeans
        for images in batches {
            let y = conv.referenceForward(x: images.map(Double.init), w: weight)
            for c in 0..<channels {
                let values = stride(from: c, to: y.count, by: channels).map { y[$0] }
                let mu = values.reduce(0, +) / Double(rows)
                let unbiased = values.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(rows - 1)
                meanOfMeans[c] += mu / 3
                meanOfSecond[c] += (unbiased + mu * mu) / 3
            }
        }
        let mean = p[p.position(of: "stem.bn.running_mean")!].valueArray
        let variance = p[p.position(of: "stem.bn.running_var")!].valueArray
        for c in 0..<channels {
            #expect(abs(Double(mean[c]) - meanOfMeans[c]) <= 1e-5 * max(1, abs(meanOfMeans[c])))
            let expected = meanOfSecond[c] - meanOfMeans[c] * meanOfMeans[c]
            #expect(abs(Double(variance[c]) - expected) <= 1e-4 * expected, "channel \(c): \(variance[c]) vs \(expected)")
        }
    }

    /// A recipe with precise BN: a different run ID (it is part of the manifest), deterministic across worker counts,
    /// replayed bit for bit; a recipe without it keeps the manifest it had before the option existed.
    @Test func recipeWithPreciseStatistics() throws {
        var run = smallDigitsRun(epochs: 1)
        let without = try JSONEncoder().encode(run.training)
        #expect(!String(decoding: without, as: UTF8.self).contains("precise"))
        run.training.preciseBatchNormSamples = 96
        #expect(String(decoding: try JSONEncoder().encode(run.training), as: UTF8.self).contains("\"preciseBatchNormSamples\":96"))
        let a = try TemporaryArchive(), b = try TemporaryArchive()
        let one = try Trainer(spec: run, workers: Workers(1)).run(in: a.archive)
        let two = try Trainer(spec: run, workers: Workers(2)).run(in: b.archive)
        #expect(one.run == two.run && one.record.deterministicPart == two.record.deterministicPart)
        let plain = try Trainer(spec: smallDigitsRun(epochs: 1), workers: Workers(2)).run(in: b.archive)
        #expect(one.run != plain.run)
        // Same SGD steps, so the same weights; only the BN statistics were recomputed.
        func tensor(_ name: String, _ outcome: Trainer.Outcome, _ archive: Archive) throws -> [Float] {
            let checkpoint = try archive.getJSON(CheckpointRecord.self, outcome.record.checkpoints.last!.checkpoint)
            let entry = checkpoint.tensors.first { $0.name == name }!
            return try archive.getTensor(entry.object, count: entry.elementCount)
        }
        #expect(try tensor("s2.b2.f.b.conv.weight", one, a.archive) == tensor("s2.b2.f.b.conv.weight", plain, b.archive))
        #expect(try tensor("s2.b2.f.b.bn.running_var", one, a.archive) != tensor("s2.b2.f.b.bn.running_var", plain, b.archive))
        #expect(try Replayer(archive: a.archive, workers: Workers(2)).replay(one.run).isBitwiseIdentical)

        run.training.preciseBatchNormSamples = 10
        #expect(run.training.validate().contains { $0.contains("preciseBatchNormSamples") })
    }

    /// Precise BN averages over ⌊samples / batch⌋ batches of the epoch's batch size, so with FEAR it needs at least one
    /// stage-2 batch; a spec with fewer samples is refused, naming the field (before this check the trainer stopped on
    /// a precondition, averaging over zero batches, in stage 2's first epoch).
    @Test func preciseBatchNormNeedsOneStage2Batch() throws {
        var run = smallDigitsRun(epochs: 2)  // batch size 32
        run.training.preciseBatchNormSamples = 64
        run.training.fear = FearConfig(thresholdPercent: 10, stage2Epochs: 1, stage2BatchSize: 128, trainableBlocks: 1)
        let refused = run.training.validate()
        #expect(refused.count == 1 && refused[0].contains("training.preciseBatchNormSamples")
                && refused[0].contains("fear.stage2BatchSize = 128"), "\(refused)")
        run.training.fear?.stage2BatchSize = 64
        #expect(run.training.validate().isEmpty)
        run.training.fear?.stage2BatchSize = nil
        #expect(run.training.validate().isEmpty)
    }
}
