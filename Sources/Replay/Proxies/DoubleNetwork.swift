import Foundation
import Kernels

/// An `AnyNetModel` evaluated in double precision with plain loops: the network zero-cost proxies score.
///
/// Same units, same layouts (NHWC activations, [out, k, k, in/groups] conv weights, [out, in] linear weights) and same
/// padding ((k − 1)/2) as the float32 model, but every value is a Double and nothing is fused or reordered for speed,
/// because proxies such as synflow overflow float32 and grasp differentiates a gradient numerically. BN is either in
/// training mode (batch statistics, biased variance, ε = 1e-5; running statistics are not touched) or removed (identity),
/// as synflow requires. Proxies are a few passes per architecture, so speed is secondary.
final class DoubleNetwork {
    enum BatchNormMode { case batchStatistics, removed }

    let model: AnyNetModel
    /// Values of every tensor of `model.parameters`, in the same order.
    var values: [[Double]]
    let batchNorm: BatchNormMode
    static let epsilon = 1e-5

    init(model: AnyNetModel, batchNorm: BatchNormMode) {
        self.model = model
        self.values = model.parameters.tensors.map { t in (0..<t.count).map { Double(t.values[$0]) } }
        self.batchNorm = batchNorm
    }

    /// Positions (in `model.parameters`) of every conv and linear weight: the tensors proxies sum over.
    var weightPositions: [Int] {
        model.units.flatMap { unit -> [Int] in
            switch unit {
            case .convBN(let u): return [u.weight]
            case .maxPool: return []
            case .block(let b): return b.branch.map(\.weight) + (b.projection.map { [$0.weight] } ?? [])
            case .head(let w, _): return [w]
            }
        }
    }

    struct ConvRecord {
        var input: [Double], convOutput: [Double], normalized: [Double], inverseStd: [Double], output: [Double]
        var outHeight: Int, outWidth: Int
    }

    enum TapeEntry {
        case convBN(ConvRecord)
        case maxPool(argmax: [Int], inputCount: Int)
        case block(branch: [ConvRecord], projection: ConvRecord?, output: [Double])
        case head(pooled: [Double], pixels: Int, channels: Int)
    }

    // MARK: convolution

    /// The unit's convolution for `batch` images: padding (k − 1)/2, as the float32 model. Its passes are Conv2D's
    /// generic references (Conv2D+Reference.swift) run in Double: one definition of a convolution for both precisions.
    static func convolution(_ u: AnyNetModel.ConvBNUnit, batch: Int) -> Conv2D {
        Conv2D(batch: batch, height: u.inHeight, width: u.inWidth, inChannels: u.geometry.inChannels,
               outChannels: u.geometry.outChannels, kernel: u.geometry.kernel, stride: u.geometry.stride,
               padding: (u.geometry.kernel - 1) / 2, groups: u.geometry.groups)
    }

    // MARK: units

    func forward(_ u: AnyNetModel.ConvBNUnit, _ x: [Double], batch: Int) -> ConvRecord {
        let conv = Self.convolution(u, batch: batch)
        let y = conv.referenceForward(x: x, w: values[u.weight])
        let C = conv.outChannels, M = y.count / C
        var normalized = y, inverseStd = [Double](repeating: 1, count: C), z = y
        if batchNorm == .batchStatistics {
            for c in 0..<C {
                var mean = 0.0
                for m in 0..<M { mean += y[m * C + c] }
                mean /= Double(M)
                var variance = 0.0
                for m in 0..<M { variance += (y[m * C + c] - mean) * (y[m * C + c] - mean) }
                variance /= Double(M)
                inverseStd[c] = 1 / (variance + Self.epsilon).squareRoot()
                for m in 0..<M {
                    normalized[m * C + c] = (y[m * C + c] - mean) * inverseStd[c]
                    z[m * C + c] = values[u.gamma][c] * normalized[m * C + c] + values[u.beta][c]
                }
            }
        }
        if u.relu { for i in z.indices where z[i] < 0 { z[i] = 0 } }
        return ConvRecord(input: x, convOutput: y, normalized: normalized, inverseStd: inverseStd, output: z,
                          outHeight: conv.outHeight, outWidth: conv.outWidth)
    }

    /// Returns dx; adds the unit's weight, γ and β gradients into `gradients`; reports (conv weight position, conv
    /// output, ∂L/∂conv output) to `convGradient`.
    func backward(_ u: AnyNetModel.ConvBNUnit, _ r: ConvRecord, _ dOut: [Double], batch: Int, gradients: inout [[Double]],
                  convGradient: ((Int, [Double], [Double]) -> Void)?) -> [Double] {
        let conv = Self.convolution(u, batch: batch)
        var dz = dOut
        if u.relu { for i in dz.indices where r.output[i] <= 0 { dz[i] = 0 } }
        var dy = dz
        if batchNorm == .batchStatistics {
            let C = conv.outChannels, M = dz.count / C
            for c in 0..<C {
                var dBeta = 0.0, dGamma = 0.0
                for m in 0..<M { dBeta += dz[m * C + c]; dGamma += dz[m * C + c] * r.normalized[m * C + c] }
                gradients[u.beta][c] += dBeta
                gradients[u.gamma][c] += dGamma
                let factor = values[u.gamma][c] * r.inverseStd[c] / Double(M)
                for m in 0..<M { dy[m * C + c] = factor * (Double(M) * dz[m * C + c] - dBeta - r.normalized[m * C + c] * dGamma) }
            }
        }
        convGradient?(u.weight, r.convOutput, dy)
        let dx = conv.referenceBackwardData(dy: dy, w: values[u.weight])
        let dw = conv.referenceBackwardWeights(x: r.input, dy: dy)
        for i in dw.indices { gradients[u.weight][i] += dw[i] }
        return dx
    }

    /// Logits [batch][classes] and the tape for `backward`.
    func forward(images: [Double], batch: Int) -> (logits: [Double], tape: [TapeEntry]) {
        var x = images
        var h = model.inputSize, w = model.inputSize, channels = model.spec.inputChannels
        var tape: [TapeEntry] = []
        for unit in model.units {
            switch unit {
            case .convBN(let u):
                let r = forward(u, x, batch: batch)
                (x, h, w, channels) = (r.output, r.outHeight, r.outWidth, u.geometry.outChannels)
                tape.append(.convBN(r))
            case .maxPool:
                let (oh, ow) = ((h - 1) / 2 + 1, (w - 1) / 2 + 1)
                var y = [Double](repeating: 0, count: batch * oh * ow * channels), argmax = [Int](repeating: 0, count: y.count)
                for n in 0..<batch { for i in 0..<oh { for j in 0..<ow { for c in 0..<channels {
                    var best = -Double.infinity, at = -1
                    for kh in 0..<3 { for kw in 0..<3 {
                        let ih = i * 2 - 1 + kh, iw = j * 2 - 1 + kw
                        guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                        let index = ((n * h + ih) * w + iw) * channels + c
                        if x[index] > best { best = x[index]; at = index }
                    } }
                    let o = ((n * oh + i) * ow + j) * channels + c
                    y[o] = best; argmax[o] = at
                } } } }
                tape.append(.maxPool(argmax: argmax, inputCount: x.count))
                (x, h, w) = (y, oh, ow)
            case .block(let block):
                var records: [ConvRecord] = []
                var f = x
                for u in block.branch {
                    let r = forward(u, f, batch: batch)
                    f = r.output
                    (h, w, channels) = (r.outHeight, r.outWidth, u.geometry.outChannels)
                    records.append(r)
                }
                var projection: ConvRecord?
                if block.residual {
                    var shortcut = x
                    if let p = block.projection {
                        let r = forward(p, x, batch: batch)
                        shortcut = r.output
                        projection = r
                    }
                    for i in f.indices { f[i] = max(0, f[i] + shortcut[i]) }
                }
                tape.append(.block(branch: records, projection: projection, output: f))
                x = f
            case .head(let weight, let bias):
                let pixels = h * w
                var pooled = [Double](repeating: 0, count: batch * channels)
                for n in 0..<batch { for p in 0..<pixels { for c in 0..<channels { pooled[n * channels + c] += x[(n * pixels + p) * channels + c] } } }
                for i in pooled.indices { pooled[i] /= Double(pixels) }
                let classes = model.classes
                var logits = [Double](repeating: 0, count: batch * classes)
                for n in 0..<batch { for o in 0..<classes {
                    var acc = values[bias][o]
                    for c in 0..<channels { acc += values[weight][o * channels + c] * pooled[n * channels + c] }
                    logits[n * classes + o] = acc
                } }
                tape.append(.head(pooled: pooled, pixels: pixels, channels: channels))
                x = logits
            }
        }
        return (x, tape)
    }

    /// Gradients of every tensor (zero for BN running statistics) and of the input, from ∂L/∂logits. `convGradient`
    /// sees each conv (and the head's linear layer, as its weight position) with its output and that output's gradient.
    func backward(tape: [TapeEntry], dLogits: [Double], batch: Int,
                  convGradient: ((Int, [Double], [Double]) -> Void)? = nil) -> (parameters: [[Double]], input: [Double]) {
        var gradients = values.map { [Double](repeating: 0, count: $0.count) }
        var d = dLogits
        for (unit, entry) in zip(model.units, tape).reversed() {
            switch (unit, entry) {
            case (.head(let weight, let bias), .head(let pooled, let pixels, let channels)):
                let classes = model.classes
                convGradient?(weight, [], d)
                var dPooled = [Double](repeating: 0, count: batch * channels)
                for n in 0..<batch { for o in 0..<classes {
                    let g = d[n * classes + o]
                    gradients[bias][o] += g
                    for c in 0..<channels {
                        gradients[weight][o * channels + c] += g * pooled[n * channels + c]
                        dPooled[n * channels + c] += g * values[weight][o * channels + c]
                    }
                } }
                var dx = [Double](repeating: 0, count: batch * pixels * channels)
                for n in 0..<batch { for p in 0..<pixels { for c in 0..<channels { dx[(n * pixels + p) * channels + c] = dPooled[n * channels + c] / Double(pixels) } } }
                d = dx
            case (.block(let block), .block(let records, let projection, let output)):
                var dSum = d
                if block.residual { for i in dSum.indices where output[i] <= 0 { dSum[i] = 0 } }
                var df = dSum
                for (u, r) in zip(block.branch, records).reversed() {
                    df = backward(u, r, df, batch: batch, gradients: &gradients, convGradient: convGradient)
                }
                if block.residual {
                    let dShortcut = block.projection.map { backward($0, projection!, dSum, batch: batch, gradients: &gradients, convGradient: convGradient) } ?? dSum
                    for i in df.indices { df[i] += dShortcut[i] }
                }
                d = df
            case (.maxPool, .maxPool(let argmax, let inputCount)):
                var dx = [Double](repeating: 0, count: inputCount)
                for o in argmax.indices { dx[argmax[o]] += d[o] }
                d = dx
            case (.convBN(let u), .convBN(let r)):
                d = backward(u, r, d, batch: batch, gradients: &gradients, convGradient: convGradient)
            default:
                preconditionFailure("tape does not match the model's units")
            }
        }
        return (gradients, d)
    }
}

/// Mean softmax cross-entropy over the batch (no label smoothing) and its gradient with respect to the logits, in Double.
func doubleCrossEntropy(logits: [Double], labels: [Int32], classes: Int) -> (loss: Double, gradient: [Double]) {
    let batch = labels.count
    var loss = 0.0, gradient = [Double](repeating: 0, count: logits.count)
    for n in 0..<batch {
        let row = logits[(n * classes)..<((n + 1) * classes)]
        let top = row.max()!
        let sum = row.reduce(0.0) { $0 + exp($1 - top) }
        loss += top + log(sum) - logits[n * classes + Int(labels[n])]
        for k in 0..<classes {
            gradient[n * classes + k] = (exp(logits[n * classes + k] - top) / sum - (k == Int(labels[n]) ? 1 : 0)) / Double(batch)
        }
    }
    return (loss / Double(batch), gradient)
}
