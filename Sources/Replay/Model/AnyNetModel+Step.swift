import Kernels

extension AnyNetModel {
    /// One training step on a batch (forward with batch statistics, cross-entropy, backward, SGD): what a training
    /// loop does per batch, exposed for benchmarks. Returns the batch's mean loss.
    @discardableResult
    public func trainingStep(images: [Float], labels: [Int32], learningRate: Float, sgd: SGD, firstStep: Bool, workers: Workers) -> Double {
        let batch = labels.count
        let (logits, tape) = forward(images: images, batch: batch, training: true, workers: workers)
        var dLogits = [Float](repeating: 0, count: logits.count)
        let loss = SoftmaxCrossEntropy.forwardBackward(logits: logits, labels: labels, batch: batch, classes: classes, gradient: &dLogits)
        backward(tape: tape, dLogits: dLogits, batch: batch, workers: workers)
        for t in parameters.tensors where t.trainable {
            sgd.step(weights: t.values, gradient: t.gradient, buffer: t.momentum, count: t.count, learningRate: learningRate, firstStep: firstStep)
        }
        return loss.loss
    }

    /// Logits for a batch, BN in inference mode.
    public func predict(images: [Float], batch: Int, workers: Workers) -> [Float] {
        forward(images: images, batch: batch, training: false, workers: workers).logits
    }
}

extension AnyNetSpec {
    /// "AnyNet-bench", the reference model of the Kernels issue: stem 3×3 3→24 stride 1 + BN + ReLU; four stages of
    /// ResNeXt bottleneck blocks with (depth, width, b, g) = (1,24,1,8), (2,48,1,8), (2,96,1,8), (1,192,1,8), strides
    /// 1,2,2,2; global average pool; fully connected to 10 classes. Input 32×32×3 (or `channels`).
    public static func anyNetBench(channels: Int = 3) -> AnyNetSpec {
        AnyNetSpec(stem: .resStemCifar, stemWidth: 24, block: .resBottleneck, stages: [
            .init(depth: 1, width: 24, stride: 1, bottleneckMultiplier: 1, groupWidth: 8),
            .init(depth: 2, width: 48, stride: 2, bottleneckMultiplier: 1, groupWidth: 8),
            .init(depth: 2, width: 96, stride: 2, bottleneckMultiplier: 1, groupWidth: 8),
            .init(depth: 1, width: 192, stride: 2, bottleneckMultiplier: 1, groupWidth: 8),
        ], inputChannels: channels, classes: 10)
    }
}
