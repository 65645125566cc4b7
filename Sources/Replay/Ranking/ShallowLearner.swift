import Foundation
import Kernels

/// FEAR's threshold source (seed 003, App. A.3): a fast shallow learner whose training accuracy on the dataset sets the
/// stage-1 threshold. The paper uses HOG features and two hidden fully connected layers; Reprise uses random features,
/// which the paper names as an alternative ("random kitchen sinks"), and one hidden layer:
///
/// - features φ(x) = ReLU(R·x), R [features × D] fixed, R_ij ~ N(0, 1/D) from Philox (key `seed`, purpose .shallowLearner,
///   epoch 0, index i·D + j), x the image's D pixels (NHWC order);
/// - network: Linear(features → hidden) – ReLU – Linear(hidden → classes), weights ~ N(0, 1/fan_in) from Philox
///   (epochs 1 and 2), biases 0; trained with Reprise's kernels: SGD (momentum 0.9, Nesterov, weight decay 5e-4),
///   learning rate `learningRate`·½(1 + cos(π·e/epochs)), batches of `batchSize` in Philox order (purpose .shuffle, epoch e),
///   last partial batch dropped, cross-entropy;
/// - result: the last epoch's running train top-1 accuracy (%), FEAR's kind of threshold, and the test accuracy.
/// Deterministic for a given dataset and configuration (every draw keyed, kernels thread-count independent).
public struct ShallowLearner: Codable, Equatable, Sendable {
    public var features = 256
    public var hidden = 32
    public var epochs = 3
    public var batchSize = 64
    public var learningRate = 0.05
    public var seed: Int64 = 0

    public init() {}

    public struct Result: Sendable {
        public var trainAccuracy: Double
        public var testAccuracy: Double
        public var seconds: Double
    }

    public func fit(train: ImageDataset, test: ImageDataset, workers: Workers = .serial) throws -> Result {
        guard train.count >= batchSize, batchSize >= 1, epochs >= 1, features >= 1, hidden >= 1 else {
            throw ReplayError(train.name, "shallow learner needs at least one batch of \(batchSize) images and positive sizes")
        }
        let start = Date()
        let d = train.imageSize, c = train.classes
        let rng = Philox(seed: UInt64(bitPattern: seed))
        func normal(_ count: Int, std: Double, epoch: Int) -> [Float] {
            (0..<count).map { Float(std * rng.normal(purpose: .shallowLearner, epoch: epoch, index: $0)) }
        }
        let r = normal(features * d, std: (1 / Double(d)).squareRoot(), epoch: 0)
        var w1 = normal(hidden * features, std: (1 / Double(features)).squareRoot(), epoch: 1), b1 = [Float](repeating: 0, count: hidden)
        var w2 = normal(c * hidden, std: (1 / Double(hidden)).squareRoot(), epoch: 2), b2 = [Float](repeating: 0, count: c)
        let zeroBias = [Float](repeating: 0, count: features)
        func featurize(_ images: [Float], _ n: Int) -> [Float] {
            var phi = [Float](repeating: 0, count: n * features)
            Linear(batch: n, inFeatures: d, outFeatures: features).forward(x: images, w: r, b: zeroBias, y: &phi, workers: workers)
            phi.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, $0.baseAddress!, count: $0.count) }
            return phi
        }
        func forward(_ phi: [Float], _ n: Int) -> (h: [Float], logits: [Float]) {
            var h = [Float](repeating: 0, count: n * hidden), logits = [Float](repeating: 0, count: n * c)
            Linear(batch: n, inFeatures: features, outFeatures: hidden).forward(x: phi, w: w1, b: b1, y: &h, workers: workers)
            h.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, $0.baseAddress!, count: $0.count) }
            Linear(batch: n, inFeatures: hidden, outFeatures: c).forward(x: h, w: w2, b: b2, y: &logits, workers: workers)
            return (h, logits)
        }
        let sgd = SGD(momentum: 0.9, weightDecay: 5e-4, nesterov: true)
        var m1 = [Float](repeating: 0, count: w1.count), mb1 = [Float](repeating: 0, count: hidden)
        var m2 = [Float](repeating: 0, count: w2.count), mb2 = [Float](repeating: 0, count: c)
        var g1 = m1, gb1 = mb1, g2 = m2, gb2 = mb2
        let steps = train.count / batchSize
        var lastAccuracy = 0.0
        var step = 0
        for e in 0..<epochs {
            let lr = Float(learningRate * 0.5 * (1 + cos(Double.pi * Double(e) / Double(epochs))))
            let order = rng.permutation(train.count, purpose: .shuffle, epoch: e)
            var wrong = 0
            for s in 0..<steps {
                let idx = Array(order[(s * batchSize)..<((s + 1) * batchSize)])
                var images: [Float] = []
                images.reserveCapacity(batchSize * d)
                for i in idx { images.append(contentsOf: train.images[(i * d)..<((i + 1) * d)]) }
                let labels = idx.map { train.labels[$0] }
                let phi = featurize(images, batchSize)
                let (h, logits) = forward(phi, batchSize)
                var dLogits = [Float](repeating: 0, count: logits.count)
                wrong += SoftmaxCrossEntropy.forwardBackward(logits: logits, labels: labels, batch: batchSize, classes: c, gradient: &dLogits).top1Wrong
                var dh = [Float](repeating: 0, count: h.count), dPhi = [Float](repeating: 0, count: phi.count)
                Linear(batch: batchSize, inFeatures: hidden, outFeatures: c).backward(x: h, w: w2, dy: dLogits, dx: &dh, dw: &g2, db: &gb2, workers: workers)
                let dhRelu = [Float](unsafeUninitializedCapacity: dh.count) { buffer, n in
                    ReLU.backward(y: h, dy: dh, dx: buffer.baseAddress!, count: dh.count); n = dh.count
                }
                Linear(batch: batchSize, inFeatures: features, outFeatures: hidden).backward(x: phi, w: w1, dy: dhRelu, dx: &dPhi, dw: &g1, db: &gb1, workers: workers)
                sgd.step(weights: &w1, gradient: g1, buffer: &m1, count: w1.count, learningRate: lr, firstStep: step == 0)
                sgd.step(weights: &b1, gradient: gb1, buffer: &mb1, count: b1.count, learningRate: lr, firstStep: step == 0)
                sgd.step(weights: &w2, gradient: g2, buffer: &m2, count: w2.count, learningRate: lr, firstStep: step == 0)
                sgd.step(weights: &b2, gradient: gb2, buffer: &mb2, count: b2.count, learningRate: lr, firstStep: step == 0)
                step += 1
            }
            lastAccuracy = 100 - 100 * Double(wrong) / Double(steps * batchSize)
        }
        var testWrong = 0
        for startIndex in stride(from: 0, to: test.count, by: 256) {
            let n = min(256, test.count - startIndex)
            let images = Array(test.images[(startIndex * d)..<((startIndex + n) * d)])
            let logits = forward(featurize(images, n), n).logits
            testWrong += SoftmaxCrossEntropy.forwardBackward(logits: logits, labels: Array(test.labels[startIndex..<(startIndex + n)]),
                                                             batch: n, classes: c, gradient: nil).top1Wrong
        }
        return Result(trainAccuracy: lastAccuracy, testAccuracy: 100 - 100 * Double(testWrong) / Double(max(1, test.count)),
                      seconds: Date().timeIntervalSince(start))
    }
}
