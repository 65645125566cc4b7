/// pycls's precise BN as an end-of-epoch policy (`TrainingConfig.preciseBatchNormSamples`, > 0): after epoch e's
/// training steps, BN running statistics are recomputed (`AnyNetModel.recomputeBatchNormStatistics`) on the first
/// min(⌊samples / batch⌋, steps per epoch) batches of a second Philox permutation of the training set (purpose
/// .preciseBatchNorm, epoch e), augmented like training batches but with purpose .preciseBatchNormAugmentation
/// (pycls iterates its shuffling, augmenting training loader again). `batch` is the epoch's batch size.
struct PreciseBatchNorm {
    let samples: Int

    /// The policy of a recipe; nil when precise BN is off (0 samples).
    init?(samples: Int) {
        guard samples > 0 else { return nil }
        self.samples = samples
    }

    /// How many batches epoch statistics are averaged over (≥ 1 for a checked spec: samples ≥ every batch size).
    func batchCount(batch: Int, stepsPerEpoch: Int) -> Int { min(samples / batch, stepsPerEpoch) }

    /// The training-set indices of those batches, in order.
    func batches(trainCount: Int, batch: Int, stepsPerEpoch: Int, seed: Int64, epoch: Int) -> [[Int]] {
        let order = Philox(seed: UInt64(bitPattern: seed)).permutation(trainCount, purpose: .preciseBatchNorm, epoch: epoch)
        return (0..<batchCount(batch: batch, stepsPerEpoch: stepsPerEpoch)).map { Array(order[($0 * batch)..<(($0 + 1) * batch)]) }
    }
}
