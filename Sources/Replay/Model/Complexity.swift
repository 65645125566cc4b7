/// Model complexity as pycls counts it (pycls/models/blocks.py, the *_cx functions):
/// - "flops" are multiply-adds (RegNet paper, footnote 3): a k×k conv adds k²·C·K·OH·OW / groups; BN, ReLU, pooling
///   and additions add none; the fully connected layer adds in·out + out (its bias).
/// - params: k²·C·K / groups per conv, 2·C per BN, in·out + out for the fully connected layer.
/// - acts: output elements of every conv, pooling layer and the fully connected layer (BN and ReLU are in place).
/// - squeeze-excitation (pycls SE.complexity: gap2d_cx then two conv2d_cx with bias on a 1×1 map): C channels squeezed
///   to S add 2·C·S + S + C flops, the same params, and S + C acts; the spatial size is unchanged.
/// Output size of a layer with stride s: (h − 1)/s + 1 (pycls's formula, exact for "same" padding).
public struct Complexity: Equatable, Sendable, CustomStringConvertible {
    public var flops = 0
    public var params = 0
    public var acts = 0

    public init(flops: Int = 0, params: Int = 0, acts: Int = 0) { self.flops = flops; self.params = params; self.acts = acts }

    public var description: String { "flops \(flops), params \(params), acts \(acts)" }
}

extension AnyNetSpec {
    /// Complexity for `size`×`size` inputs, summed over `layers(inputSize:)`.
    public func complexity(inputSize size: Int) -> Complexity {
        var cx = Complexity()
        for layer in layers(inputSize: size) {
            switch layer {
            case .conv(_, let g, let h, let w):
                let oh = (h - 1) / g.stride + 1, ow = (w - 1) / g.stride + 1
                cx.flops += g.kernel * g.kernel * g.inChannels * g.outChannels * oh * ow / g.groups
                cx.params += g.kernel * g.kernel * g.inChannels * g.outChannels / g.groups
                cx.acts += g.outChannels * oh * ow
            case .batchNorm(_, let c):
                cx.params += 2 * c
            case .squeezeExcitation(_, let c, let s, _, _):
                cx.flops += 2 * c * s + s + c
                cx.params += 2 * c * s + s + c
                cx.acts += s + c
            case .maxPool(_, let c, _, let s, let h, let w):
                cx.acts += c * ((h - 1) / s + 1) * ((w - 1) / s + 1)
            case .linear(_, let i, let o):
                cx.flops += i * o + o
                cx.params += i * o + o
                cx.acts += o
            }
        }
        return cx
    }
}
