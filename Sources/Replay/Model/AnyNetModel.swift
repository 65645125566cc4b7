import Kernels

/// A trainable AnyNet (NHWC, float32) built from an `AnyNetSpec`, on Reprise's deterministic kernels.
///
/// Initialisation (pycls blocks.py:init_weights), drawn from Philox (purpose .initialization, epoch = tensor position,
/// index = element): conv weight ~ N(0, √(2/fan_out)) with fan_out = k²·out_channels (groups ignored); BN γ = 1, β = 0,
/// running mean 0, running variance 1; fully connected weight ~ N(0, 0.01), bias 0. Squeeze-excitation convs (RegNetY)
/// are convs too (weight N(0, √(2/fan_out))); pycls leaves their biases at PyTorch's default, U(−1/√fan_in, 1/√fan_in),
/// drawn here from Philox uniforms u as bound·(2u − 1). Normals are Box–Muller in Double, then scaled and rounded once
/// to Float.
public final class AnyNetModel {
    public let spec: AnyNetSpec
    public let inputSize: Int
    public let parameters = Parameters()
    var units: [Unit] = []
    let classes: Int
    /// BN momentum m of training-mode forward passes (running ← (1−m)·running + m·batch); pycls/PyTorch 0.1. The
    /// precise-BN pass sets it to 1 so that the running statistics become the batch's own.
    var batchNormMomentum: Float = 0.1

    public init(spec: AnyNetSpec, inputSize: Int, seed: UInt64) {
        self.spec = spec
        self.inputSize = inputSize
        self.classes = spec.classes
        MemoryPolicy.keepLargeBlocksInHeap()
        let rng = Philox(seed: seed)
        func normal(_ count: Int, std: Double, tensor: Int) -> [Float] {
            (0..<count).map { Float(std * rng.normal(purpose: .initialization, epoch: tensor, index: $0)) }
        }
        let layers = spec.layers(inputSize: inputSize)
        var i = 0
        var pendingConv: (String, ConvGeometry, Int, Int)?
        var convUnits: [String: ConvBNUnit] = [:]
        var seUnits: [String: SEUnit] = [:]
        var order: [String] = []
        while i < layers.count {
            switch layers[i] {
            case .conv(let name, let g, let h, let w):
                pendingConv = (name, g, h, w)
            case .batchNorm(let name, let channels):
                let (convName, g, h, w) = pendingConv!
                let prefix = String(convName.dropLast(".conv".count))
                let weight = parameters.add(convName + ".weight", shape: [g.outChannels, g.kernel, g.kernel, g.inChannels / g.groups],
                                            values: normal(g.outChannels * g.kernel * g.kernel * g.inChannels / g.groups,
                                                           std: (2.0 / Double(g.kernel * g.kernel * g.outChannels)).squareRoot(),
                                                           tensor: parameters.count))
                let gamma = parameters.add(name + ".weight", shape: [channels], values: [Float](repeating: 1, count: channels))
                let beta = parameters.add(name + ".bias", shape: [channels], values: [Float](repeating: 0, count: channels))
                let mean = parameters.add(name + ".running_mean", shape: [channels], values: [Float](repeating: 0, count: channels), trainable: false)
                let variance = parameters.add(name + ".running_var", shape: [channels], values: [Float](repeating: 1, count: channels), trainable: false)
                convUnits[prefix] = ConvBNUnit(geometry: g, inHeight: h, inWidth: w, weight: weight, gamma: gamma, beta: beta,
                                               runningMean: mean, runningVariance: variance, relu: true)
                order.append(prefix)
            case .maxPool:
                break
            case .squeezeExcitation(let name, let c, let sq, let h, let w):
                func uniform(_ count: Int, bound: Double, tensor: Int) -> [Float] {
                    (0..<count).map { Float(bound * (2 * Double(rng.uniform(purpose: .initialization, epoch: tensor, index: $0)) - 1)) }
                }
                let w1 = parameters.add(name + ".f_ex.0.weight", shape: [sq, 1, 1, c], values: normal(sq * c, std: (2.0 / Double(sq)).squareRoot(), tensor: parameters.count))
                let b1 = parameters.add(name + ".f_ex.0.bias", shape: [sq], values: uniform(sq, bound: 1 / Double(c).squareRoot(), tensor: parameters.count))
                let w2 = parameters.add(name + ".f_ex.2.weight", shape: [c, 1, 1, sq], values: normal(c * sq, std: (2.0 / Double(c)).squareRoot(), tensor: parameters.count))
                let b2 = parameters.add(name + ".f_ex.2.bias", shape: [c], values: uniform(c, bound: 1 / Double(sq).squareRoot(), tensor: parameters.count))
                seUnits[String(name.dropLast(".f.se".count))] = SEUnit(channels: c, squeezed: sq, height: h, width: w, w1: w1, b1: b1, w2: w2, b2: b2)
            case .linear(let name, let inF, let outF):
                let weight = parameters.add(name + ".weight", shape: [outF, inF], values: normal(outF * inF, std: 0.01, tensor: parameters.count))
                let bias = parameters.add(name + ".bias", shape: [outF], values: [Float](repeating: 0, count: outF))
                _ = (weight, bias)
            }
            i += 1
        }
        // Assemble: stem, then blocks (f.a, f.b[, f.c], proj), then head.
        var stemUnit = convUnits["stem"]!
        stemUnit.relu = true
        units.append(.convBN(stemUnit))
        if spec.stem == .resStemIn { units.append(.maxPool) }
        for (si, stage) in spec.stages.enumerated() {
            for bi in 0..<stage.depth {
                let prefix = "s\(si + 1).b\(bi + 1)"
                var branch = ["f.a", "f.b", "f.c"].compactMap { convUnits["\(prefix).\($0)"] }
                let residual = spec.block != .vanilla
                if residual { branch[branch.count - 1].relu = false }
                units.append(.block(Block(branch: branch, projection: convUnits["\(prefix).proj"].map { var u = $0; u.relu = false; return u },
                                          residual: residual, se: seUnits[prefix])))
            }
        }
        units.append(.head(weight: parameters.position(of: "head.fc.weight")!, bias: parameters.position(of: "head.fc.bias")!))
    }

    enum Unit {
        case convBN(ConvBNUnit)
        case maxPool
        case block(Block)
        case head(weight: Int, bias: Int)
    }

    /// A convolution followed by batch norm and (optionally) ReLU, with what the backward pass needs.
    struct ConvBNUnit {
        var geometry: ConvGeometry
        var inHeight: Int, inWidth: Int
        var weight: Int, gamma: Int, beta: Int, runningMean: Int, runningVariance: Int
        var relu: Bool
    }

    /// A squeeze-excitation module (positions of its four tensors) on a height × width map.
    struct SEUnit {
        var channels: Int, squeezed: Int, height: Int, width: Int
        var w1: Int, b1: Int, w2: Int, b2: Int
    }

    struct Block {
        var branch: [ConvBNUnit]
        var projection: ConvBNUnit?
        var residual: Bool
        /// Applied to the output of branch unit `Block.seAfter` (f.b, the grouped 3×3) when present.
        var se: SEUnit?
        static let seAfter = 1
    }
}
