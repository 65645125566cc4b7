import Kernels

extension AnyNetModel {
    /// pycls's precise BN statistics (net.py, `compute_precise_bn_stats`), restated: for each BN layer, run the
    /// model in training mode on each of the n given batches with BN momentum 1, so that after batch j the layer's
    /// running statistics are that batch's mean μⱼ and unbiased variance vⱼ; then set
    ///   running_μ = (1/n)·Σⱼ μⱼ,   running_σ² = (1/n)·Σⱼ (vⱼ + μⱼ²) − running_μ²
    /// (the mean of the batch means and the mean of the batch second moments, made central again). The sums are taken
    /// in Double, in batch order, and rounded once to Float. Trainable parameters and their gradients are untouched.
    ///
    /// Why: with few SGD steps, PyTorch's running averages still remember their initial values (mean 0, variance 1 —
    /// 0.9ⁿ of them after n steps), and a model that fits its training set can evaluate at chance.
    ///
    /// - Parameter batches: n ≥ 1 batches, each `batch` NHWC images.
    public func recomputeBatchNormStatistics(batches: [[Float]], batch: Int, workers: Workers) {
        precondition(!batches.isEmpty)
        let layers = batchNormStatistics
        var meanSums = layers.map { [Double](repeating: 0, count: parameters[$0.mean].count) }
        var secondMomentSums = meanSums
        let saved = batchNormMomentum
        batchNormMomentum = 1
        defer { batchNormMomentum = saved }
        for images in batches {
            _ = forward(images: images, batch: batch, training: true, workers: workers)
            for (l, layer) in layers.enumerated() {
                let mean = parameters[layer.mean].values, variance = parameters[layer.variance].values
                for c in meanSums[l].indices {
                    meanSums[l][c] += Double(mean[c])
                    secondMomentSums[l][c] += Double(variance[c]) + Double(mean[c]) * Double(mean[c])
                }
            }
        }
        let n = Double(batches.count)
        for (l, layer) in layers.enumerated() {
            let mean = parameters[layer.mean].values, variance = parameters[layer.variance].values
            for c in meanSums[l].indices {
                let mu = meanSums[l][c] / n
                mean[c] = Float(mu)
                variance[c] = Float(secondMomentSums[l][c] / n - mu * mu)
            }
        }
    }

    /// Positions of every BN layer's (running mean, running variance) tensors, in model order.
    var batchNormStatistics: [(mean: Int, variance: Int)] {
        parameters.tensors.indices.compactMap { i in
            let name = parameters[i].name
            guard name.hasSuffix(".running_mean"), let v = parameters.position(of: String(name.dropLast("mean".count)) + "var") else { return nil }
            return (i, v)
        }
    }
}
