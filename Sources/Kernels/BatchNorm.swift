import CKernels
import Foundation

/// Batch normalisation over the rows of an M × C matrix (NHWC: M = N·H·W), as PyTorch's BatchNorm2d.
///
/// Training forward (batch statistics):
///   μ_c = (1/M) Σ_m x[m,c];  σ²_c = (1/M) Σ_m (x[m,c] − μ_c)²   (Double, `ChannelSums` order; two passes)
///   s_c = Float(1/√(σ²_c + ε));  x̂ = (x − Float(μ_c))·s_c;  y = γ_c·x̂ + β_c   (Float, two roundings each, no FMA)
///   running_μ ← (1−m)·running_μ + m·μ;  running_σ² ← (1−m)·running_σ² + m·σ²·M/(M−1)   (m = momentum 0.1; Float)
/// Backward (x̂ recomputed from x, μ, s):
///   dβ_c = Σ dy;  dγ_c = Σ dy·x̂   (Double, `ChannelSums` order)
///   dx = (γ_c·s_c/M)·(M·dy − dβ_c − x̂·dγ_c)   (Float; the per-channel factors rounded once to Float)
/// Inference: y = (x − running_μ)·(γ/√(running_σ² + ε)) + β.
/// Defaults from pycls: ε = 1e-5, momentum 0.1.
public struct BatchNorm: Sendable {
    public var rows: Int
    public var channels: Int
    public var epsilon: Float = 1e-5
    public var momentum: Float = 0.1

    public init(rows: Int, channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.rows = rows; self.channels = channels; self.epsilon = epsilon; self.momentum = momentum
    }

    /// Per-channel values saved by the forward pass for the backward pass.
    public struct Saved: Sendable {
        public var mean: [Float]
        public var inverseStd: [Float]
        public init(mean: [Float], inverseStd: [Float]) { self.mean = mean; self.inverseStd = inverseStd }
    }

    /// With `relu`, y = ReLU(BN(x)) in the same pass, bit for bit `ReLU.forward` applied afterwards.
    public func forwardTraining(x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                y: UnsafeMutablePointer<Float>,
                                runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
                                relu: Bool = false, workers: Workers = .serial) -> Saved {
        let C = channels, M = rows
        // The three passes run in CKernels/batch_norm.c: the operations written in this file's header, per element.
        let sums = ChannelSums.sumChunks(rows: M, width: C, workers: workers) { m0, m1, p in
            reprise_bn_forward_sums(x, nil, Int64(m0), Int64(m1), Int64(C), p)
        }
        let meanD = sums.map { $0 / Double(M) }
        let squares = meanD.withUnsafeBufferPointer { mu in
            ChannelSums.sumChunks(rows: M, width: C, workers: workers) { m0, m1, p in
                reprise_bn_forward_sums(x, mu.baseAddress!, Int64(m0), Int64(m1), Int64(C), p)
            }
        }
        let varianceD = squares.map { $0 / Double(M) }
        let mean = meanD.map { Float($0) }
        let inverseStd = varianceD.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
        let unbiased = M > 1 ? Double(M) / Double(M - 1) : 1
        for c in 0..<C {
            runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
            runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * Float(varianceD[c] * unbiased)
        }
        let chunks = (M + ChannelSums.chunkRows - 1) / ChannelSums.chunkRows
        mean.withUnsafeBufferPointer { mu in
            inverseStd.withUnsafeBufferPointer { s in
                workers.forEach(chunks) { chunk, _ in
                    let (m0, m1) = (chunk * ChannelSums.chunkRows, min(M, (chunk + 1) * ChannelSums.chunkRows))
                    reprise_bn_forward_normalize(x, mu.baseAddress!, s.baseAddress!, gamma, beta, relu ? 1 : 0,
                                                 Int64(m0), Int64(m1), Int64(C), y)
                }
            }
        }
        return Saved(mean: mean, inverseStd: inverseStd)
    }

    public func forwardInference(x: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                 runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
                                 y: UnsafeMutablePointer<Float>, workers: Workers = .serial) {
        let C = channels
        let scale = (0..<C).map { gamma[$0] / (runningVariance[$0] + epsilon).squareRoot() }
        scale.withUnsafeBufferPointer { scale in
            workers.forEachRange(rows, chunk: ChannelSums.chunkRows) { range in   // rows are independent
                for m in range {
                    let xr = x + m * C, yr = y + m * C
                    for c in 0..<C { yr[c] = (xr[c] - runningMean[c]) * scale[c] + beta[c] }
                }
            }
        }
    }

    /// Writes dx, and dγ, dβ (overwritten, not accumulated). With `reluOutput` (the output of a ReLU that followed
    /// this BN), dy is first masked as `ReLU.backward` does — dy where the output is > 0, else 0 — in the same passes,
    /// bit for bit the same as masking into a separate array first.
    public func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>, saved: Saved,
                         dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
                         reluOutput: UnsafePointer<Float>? = nil, workers: Workers = .serial) {
        let C = channels, M = rows
        // Both passes run in CKernels/batch_norm.c: the same operations per element as written in this file's header.
        let sums = saved.mean.withUnsafeBufferPointer { mu in
            saved.inverseStd.withUnsafeBufferPointer { s in
                ChannelSums.sumChunks(rows: M, width: 2 * C, workers: workers) { m0, m1, p in
                    reprise_bn_backward_sums(x, dy, reluOutput, mu.baseAddress!, s.baseAddress!, Int64(m0), Int64(m1), Int64(C), p)
                }
            }
        }
        for c in 0..<C { dBeta[c] = Float(sums[c]); dGamma[c] = Float(sums[C + c]) }
        let factor = (0..<C).map { gamma[$0] * saved.inverseStd[$0] / Float(M) }
        let sumDy = (0..<C).map { Float(sums[$0]) }, sumDyXhat = (0..<C).map { Float(sums[C + $0]) }
        let chunks = (M + ChannelSums.chunkRows - 1) / ChannelSums.chunkRows
        saved.mean.withUnsafeBufferPointer { mu in
        saved.inverseStd.withUnsafeBufferPointer { s in
        factor.withUnsafeBufferPointer { f in
        sumDy.withUnsafeBufferPointer { sdy in
        sumDyXhat.withUnsafeBufferPointer { sdx in
            workers.forEach(chunks) { chunk, _ in
                let (m0, m1) = (chunk * ChannelSums.chunkRows, min(M, (chunk + 1) * ChannelSums.chunkRows))
                reprise_bn_backward_dx(x, dy, reluOutput, mu.baseAddress!, s.baseAddress!, f.baseAddress!, sdy.baseAddress!,
                                       sdx.baseAddress!, Float(M), Int64(m0), Int64(m1), Int64(C), dx)
            }
        } } } } }
    }

    /// Double-precision reference of the training forward pass and its backward (plain sequential sums), for tests.
    public func reference(x: [Double], gamma: [Double], beta: [Double], dy: [Double])
        -> (y: [Double], dx: [Double], dGamma: [Double], dBeta: [Double]) {
        let C = channels, M = rows
        var mean = [Double](repeating: 0, count: C), variance = mean
        for m in 0..<M { for c in 0..<C { mean[c] += x[m * C + c] } }
        mean = mean.map { $0 / Double(M) }
        for m in 0..<M { for c in 0..<C { variance[c] += (x[m * C + c] - mean[c]) * (x[m * C + c] - mean[c]) } }
        let s = variance.map { 1 / ($0 / Double(M) + Double(epsilon)).squareRoot() }
        var y = x, dx = x, dGamma = [Double](repeating: 0, count: C), dBeta = dGamma
        for m in 0..<M { for c in 0..<C {
            let xhat = (x[m * C + c] - mean[c]) * s[c]
            y[m * C + c] = gamma[c] * xhat + beta[c]
            dBeta[c] += dy[m * C + c]; dGamma[c] += dy[m * C + c] * xhat
        } }
        for m in 0..<M { for c in 0..<C {
            let xhat = (x[m * C + c] - mean[c]) * s[c]
            dx[m * C + c] = gamma[c] * s[c] / Double(M) * (Double(M) * dy[m * C + c] - dBeta[c] - xhat * dGamma[c])
        } }
        return (y, dx, dGamma, dBeta)
    }
}
