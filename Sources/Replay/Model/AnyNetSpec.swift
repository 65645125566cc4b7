// Replay priorities: 1. bit-identical replay 2. readable against the paper 3. speed.
import Archive

/// An AnyNet architecture as pycls defines it (facebookresearch/pycls, pycls/models/anynet.py; Radosavovic et al.,
/// "Designing Network Design Spaces", 2020): stem → stages of blocks → head (global average pool + fully connected).
/// Facts and sources: shared/specs/models-and-methods.md §1.
public struct AnyNetSpec: Codable, Equatable, Sendable {
    public enum Stem: String, Codable, Sendable, CaseIterable {
        /// 3×3 conv stride 1 → BN → ReLU (small images).
        case resStemCifar = "res_stem_cifar"
        /// 7×7 conv stride 2 → BN → ReLU → 3×3 max-pool stride 2.
        case resStemIn = "res_stem_in"
        /// 3×3 conv stride 2 → BN → ReLU.
        case simpleStemIn = "simple_stem_in"
    }

    public enum Block: String, Codable, Sendable, CaseIterable {
        /// 3×3 conv (stride) → BN → ReLU → 3×3 conv → BN → ReLU; no shortcut.
        case vanilla = "vanilla_block"
        /// ResNet basic: 3×3 (stride) → BN → ReLU → 3×3 → BN, + shortcut, ReLU.
        case resBasic = "res_basic_block"
        /// ResNeXt bottleneck: 1×1 → BN → ReLU → 3×3 grouped (stride) → BN → ReLU → 1×1 → BN, + shortcut, ReLU.
        case resBottleneck = "res_bottleneck_block"
    }

    public struct Stage: Codable, Equatable, Sendable {
        public var depth: Int
        public var width: Int
        public var stride: Int
        /// pycls's bot_mul = 1/b (the paper's bottleneck ratio b is a divisor): w_b = round(width · bottleneckMultiplier).
        public var bottleneckMultiplier: Double
        /// Channels per group of the 3×3 convolution in bottleneck blocks.
        public var groupWidth: Int

        public init(depth: Int, width: Int, stride: Int, bottleneckMultiplier: Double = 1, groupWidth: Int = 1) {
            self.depth = depth; self.width = width; self.stride = stride
            self.bottleneckMultiplier = bottleneckMultiplier; self.groupWidth = groupWidth
        }
    }

    public var stem: Stem
    public var stemWidth: Int
    public var block: Block
    public var stages: [Stage]
    public var inputChannels: Int
    public var classes: Int
    /// pycls's se_r (RegNetY uses 0.25): with `resBottleneck` blocks, a squeeze-and-excitation module after the grouped
    /// 3×3 conv's BN + ReLU, squeezing w_b channels to w_se = int(round(w_in · se_r)) — w_in being the *block's input*
    /// width, as pycls's BottleneckTransform; no module when w_se = 0. nil (the default) leaves it out and out of the
    /// spec's JSON, so the manifests (and run IDs) of specs without SE are unchanged. pycls ignores se_r for the other
    /// block types; Reprise rejects that combination (`problems`).
    public var seRatio: Double?

    public init(stem: Stem, stemWidth: Int, block: Block, stages: [Stage], inputChannels: Int = 3, classes: Int, seRatio: Double? = nil) {
        self.stem = stem; self.stemWidth = stemWidth; self.block = block; self.stages = stages
        self.inputChannels = inputChannels; self.classes = classes; self.seRatio = seRatio
    }

    /// What makes the spec unbuildable, one line per field (empty when it is fine; see `check(into:at:)`).
    public var problems: [String] {
        var c = SpecCheck()
        check(into: &c, at: "architecture")
        return c.problems
    }

    /// The spec as free-form JSON for a run manifest.
    public var json: JSONValue { (try? JSONValue.from(self)) ?? .null }

    /// Bottleneck width and group count of a block whose output width is `width` (pycls res_bottleneck_block):
    /// w_b = int(round(width · bot_mul)), groups = w_b // group_w. Python's round is half-to-even.
    static func bottleneck(width: Int, multiplier: Double, groupWidth: Int) -> (width: Int, groups: Int) {
        let wb = Int((Double(width) * multiplier).rounded(.toNearestOrEven))
        return (wb, max(1, wb / groupWidth))
    }
}

/// A convolution in the model, for counting and building.
public struct ConvGeometry: Equatable, Sendable {
    public var inChannels: Int, outChannels: Int, kernel: Int, stride: Int, groups: Int
}

extension AnyNetSpec {
    /// The 2-D layers in execution order, with the input size each sees: what both counting and building walk.
    public enum Layer: Equatable, Sendable {
        case conv(name: String, ConvGeometry, inHeight: Int, inWidth: Int)
        case batchNorm(name: String, channels: Int)
        /// pycls SE: global average pool, 1×1 conv channels → squeezed (bias), ReLU, 1×1 conv squeezed → channels
        /// (bias), sigmoid, channel-wise product; keeps the spatial size.
        case squeezeExcitation(name: String, channels: Int, squeezed: Int, inHeight: Int, inWidth: Int)
        case maxPool(name: String, channels: Int, kernel: Int, stride: Int, inHeight: Int, inWidth: Int)
        case linear(name: String, inFeatures: Int, outFeatures: Int)
    }

    /// Every layer of the network for `size`×`size` inputs, named by pycls's module paths (stem.conv, s1.b1.f.a.conv, …).
    public func layers(inputSize size: Int) -> [Layer] {
        var out: [Layer] = []
        var h = size, w = size, channels = inputChannels
        func conv(_ name: String, _ cout: Int, _ k: Int, _ s: Int, groups: Int = 1) {
            out.append(.conv(name: name + ".conv", ConvGeometry(inChannels: channels, outChannels: cout, kernel: k, stride: s, groups: groups),
                             inHeight: h, inWidth: w))
            h = (h - 1) / s + 1; w = (w - 1) / s + 1
            channels = cout
            out.append(.batchNorm(name: name + ".bn", channels: cout))
        }
        switch stem {
        case .resStemCifar: conv("stem", stemWidth, 3, 1)
        case .simpleStemIn: conv("stem", stemWidth, 3, 2)
        case .resStemIn:
            conv("stem", stemWidth, 7, 2)
            out.append(.maxPool(name: "stem.pool", channels: stemWidth, kernel: 3, stride: 2, inHeight: h, inWidth: w))
            h = (h - 1) / 2 + 1; w = (w - 1) / 2 + 1
        }
        for (si, stage) in stages.enumerated() {
            for bi in 0..<stage.depth {
                let prefix = "s\(si + 1).b\(bi + 1)"
                let stride = bi == 0 ? stage.stride : 1
                let (inC, inH, inW) = (channels, h, w)
                switch block {
                case .vanilla, .resBasic:
                    conv(prefix + ".f.a", stage.width, 3, stride)
                    conv(prefix + ".f.b", stage.width, 3, 1)
                case .resBottleneck:
                    let (wb, groups) = AnyNetSpec.bottleneck(width: stage.width, multiplier: stage.bottleneckMultiplier, groupWidth: stage.groupWidth)
                    conv(prefix + ".f.a", wb, 1, 1)
                    conv(prefix + ".f.b", wb, 3, stride, groups: groups)
                    if let r = seRatio {
                        let squeezed = Int((Double(inC) * r).rounded(.toNearestOrEven))
                        if squeezed > 0 { out.append(.squeezeExcitation(name: prefix + ".f.se", channels: wb, squeezed: squeezed, inHeight: h, inWidth: w)) }
                    }
                    conv(prefix + ".f.c", stage.width, 1, 1)
                }
                if block != .vanilla && (inC != stage.width || stride != 1) {
                    let (outC, outH, outW) = (channels, h, w)
                    (channels, h, w) = (inC, inH, inW)
                    conv(prefix + ".proj", stage.width, 1, stride)
                    (channels, h, w) = (outC, outH, outW)
                }
            }
        }
        out.append(.linear(name: "head.fc", inFeatures: channels, outFeatures: classes))
        return out
    }
}
