import Foundation

/// The synthetic dataset of the FEAR seed ("Ranking Architectures by Feature Extraction Capabilities", App. A.4):
/// Gaussian images labelled by which of `classes` random networks scores them highest, so nothing about natural images
/// can help an architecture. The paper's version: 60,000 images of 32×32×3, 10 networks Linear(3072→3072)–ReLU–
/// Linear(3072→1), 6,000 images per class, 50,000 for training.
///
/// Exact definition (all draws from Philox with key `seed`, purpose .dataset):
/// - network k's weights, PyTorch nn.Linear's default: W₁ (hidden×D), b₁ (hidden) uniform in ±1/√D; w₂ (hidden), b₂ uniform
///   in ±1/√hidden; the u-th number of network k is 2·uniform(epoch 100 + k, index u) − 1 times the bound, in the order
///   W₁ row-major, b₁, w₂, b₂ (D = size²·channels);
/// - candidate image i: D standard normals (Box–Muller, epoch 10, index i·D + j), rounded to Float, laid out NHWC;
/// - its label: argmax over k of w₂·ReLU(W₁x + b₁) + b₂ computed in Double (ties to the lowest k);
/// - balance: candidates i = 0, 1, 2, … are accepted while their class has fewer than count/classes images, until every
///   class is full (so each class holds exactly count/classes images, as in the paper); if 200·count candidates do not
///   fill every class, loading fails and names the rarest class;
/// - the accepted images, in candidate order, are split by `ImageDataset.split(testCount:seed:)`.
public struct SyntheticDatasetSpec: Codable, Equatable, Sendable {
    public var count: Int
    public var size: Int
    public var channels: Int
    public var classes: Int
    public var hidden: Int
    public var seed: Int64

    public init(count: Int, size: Int, channels: Int, classes: Int, hidden: Int, seed: Int64) {
        self.count = count; self.size = size; self.channels = channels; self.classes = classes; self.hidden = hidden; self.seed = seed
    }

    public func generate() throws -> ImageDataset {
        guard count > 0, size > 0, channels > 0, classes >= 2, hidden > 0, count % classes == 0 else {
            throw DatasetError(path: "synthetic", reason: "needs count > 0 divisible by classes ≥ 2, size, channels and hidden > 0")
        }
        let d = size * size * channels
        let rng = Philox(seed: UInt64(bitPattern: seed))
        struct Network { var w1: [Double], b1: [Double], w2: [Double], b2: Double }
        let networks = (0..<classes).map { k -> Network in
            var u = 0
            func draw(_ n: Int, bound: Double) -> [Double] {
                defer { u += n }
                return (0..<n).map { (2 * Double(rng.uniform(purpose: .dataset, epoch: 100 + k, index: u + $0)) - 1) * bound }
            }
            let b1Bound = 1 / Double(d).squareRoot(), b2Bound = 1 / Double(hidden).squareRoot()
            return Network(w1: draw(hidden * d, bound: b1Bound), b1: draw(hidden, bound: b1Bound),
                           w2: draw(hidden, bound: b2Bound), b2: draw(1, bound: b2Bound)[0])
        }
        let quota = count / classes
        var filled = [Int](repeating: 0, count: classes)
        var images: [Float] = [], labels: [Int32] = []
        images.reserveCapacity(count * d)
        var candidate = 0
        var x = [Double](repeating: 0, count: d)
        while labels.count < count {
            guard candidate < 200 * count else {
                let rarest = filled.enumerated().min { $0.element < $1.element }!
                throw DatasetError(path: "synthetic", reason: "class \(rarest.offset) has \(rarest.element) of \(quota) images after \(candidate) candidates; try another seed or more hidden units")
            }
            for j in 0..<d { x[j] = Double(Float(rng.normal(purpose: .dataset, epoch: 10, index: candidate * d + j))) }
            var best = 0, bestScore = -Double.infinity
            for (k, net) in networks.enumerated() {
                var score = net.b2
                for h in 0..<hidden {
                    var a = net.b1[h]
                    for j in 0..<d { a += net.w1[h * d + j] * x[j] }
                    score += net.w2[h] * max(a, 0)
                }
                if score > bestScore { bestScore = score; best = k }
            }
            if filled[best] < quota {
                filled[best] += 1
                images += x.map { Float($0) }
                labels.append(Int32(best))
            }
            candidate += 1
        }
        return ImageDataset(name: "synthetic", height: size, width: size, channels: channels, classes: classes, images: images, labels: labels)
    }
}
