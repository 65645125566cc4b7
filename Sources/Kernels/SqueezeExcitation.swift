import Foundation

/// Squeeze-and-excitation (Hu et al., "Squeeze-and-Excitation Networks", CVPR 2018), as pycls's `SE` module that
/// RegNetY puts after the grouped 3×3 convolution of a bottleneck block (pycls/models/blocks.py):
///
///     s[n, c] = (1/P) Σ_p x[n, p, c]                      global average pool (`GlobalAveragePool`)
///     h = ReLU(W₁ s + b₁)                                  1×1 conv C → S with bias (`Linear`, W₁ is [S][C])
///     g = σ(W₂ h + b₂),  σ(z) = 1 / (1 + e^(−z))           1×1 conv S → C with bias, sigmoid
///     y[n, p, c] = x[n, p, c] · g[n, c]
///
/// NHWC, P = H·W pixels. Backward (every gradient written, not accumulated):
///
///     ∂g[n, c] = Σ_p ∂y[n, p, c]·x[n, p, c]     (Float, increasing p)
///     ∂z = ∂g · g · (1 − g);  `Linear.backward` gives ∂h, ∂W₂, ∂b₂;  ∂h ← 0 where h = 0 (`ReLU.backward`)
///     `Linear.backward` gives ∂s, ∂W₁, ∂b₁;  ∂x[n, p, c] = ∂y·g[n, c] + ∂s[n, c]·(1/P)
///
/// Every loop has a fixed order and the GEMMs are worker-count independent, so the bits do not depend on `workers`.
/// There is no separate fast path: this is the plain form, checked against an autodiff reference
/// (scripts/golden/squeeze_excitation.py → Tests/ReplayTests/golden/squeeze_excitation.json).
public struct SqueezeExcitation: Sendable {
    public var batch: Int, pixels: Int, channels: Int, squeezed: Int

    public init(batch: Int, pixels: Int, channels: Int, squeezed: Int) {
        self.batch = batch; self.pixels = pixels; self.channels = channels; self.squeezed = squeezed
    }

    /// What the backward pass needs besides x: the pooled input s, the hidden activation h (after ReLU), the gate g.
    public struct Saved: Sendable {
        public var pooled: [Float], hidden: [Float], gate: [Float]
    }

    public static func sigmoid(_ z: Float) -> Float { 1 / (1 + exp(-z)) }

    /// y = x ⊙ g; y may not alias x.
    @discardableResult
    public func forward(x: UnsafePointer<Float>, w1: UnsafePointer<Float>, b1: UnsafePointer<Float>,
                        w2: UnsafePointer<Float>, b2: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                        workers: Workers = .serial) -> Saved {
        var pooled = [Float](repeating: 0, count: batch * channels)
        GlobalAveragePool(batch: batch, pixels: pixels, channels: channels).forward(x, &pooled)
        var hidden = [Float](repeating: 0, count: batch * squeezed)
        Linear(batch: batch, inFeatures: channels, outFeatures: squeezed).forward(x: pooled, w: w1, b: b1, y: &hidden, workers: workers)
        hidden.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, $0.baseAddress!, count: $0.count) }
        var gate = [Float](repeating: 0, count: batch * channels)
        Linear(batch: batch, inFeatures: squeezed, outFeatures: channels).forward(x: hidden, w: w2, b: b2, y: &gate, workers: workers)
        for i in gate.indices { gate[i] = Self.sigmoid(gate[i]) }
        for n in 0..<batch {
            for p in 0..<pixels {
                let base = (n * pixels + p) * channels
                for c in 0..<channels { y[base + c] = x[base + c] * gate[n * channels + c] }
            }
        }
        return Saved(pooled: pooled, hidden: hidden, gate: gate)
    }

    /// Writes dx (may not alias x or dy) and the four parameter gradients.
    public func backward(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, w1: UnsafePointer<Float>, w2: UnsafePointer<Float>,
                         saved: Saved, dx: UnsafeMutablePointer<Float>,
                         dw1: UnsafeMutablePointer<Float>, db1: UnsafeMutablePointer<Float>,
                         dw2: UnsafeMutablePointer<Float>, db2: UnsafeMutablePointer<Float>, workers: Workers = .serial) {
        var dz = [Float](repeating: 0, count: batch * channels)
        for n in 0..<batch {
            for c in 0..<channels {
                var s: Float = 0
                for p in 0..<pixels { let i = (n * pixels + p) * channels + c; s += dy[i] * x[i] }
                let g = saved.gate[n * channels + c]
                dz[n * channels + c] = s * g * (1 - g)
            }
        }
        var dHidden = [Float](repeating: 0, count: batch * squeezed)
        Linear(batch: batch, inFeatures: squeezed, outFeatures: channels).backward(
            x: saved.hidden, w: w2, dy: dz, dx: &dHidden, dw: dw2, db: db2, workers: workers)
        var dPre = [Float](repeating: 0, count: batch * squeezed)
        ReLU.backward(y: saved.hidden, dy: dHidden, dx: &dPre, count: dPre.count)
        var dPooled = [Float](repeating: 0, count: batch * channels)
        Linear(batch: batch, inFeatures: channels, outFeatures: squeezed).backward(
            x: saved.pooled, w: w1, dy: dPre, dx: &dPooled, dw: dw1, db: db1, workers: workers)
        let scale = Float(1 / Double(pixels))
        for n in 0..<batch {
            for p in 0..<pixels {
                let base = (n * pixels + p) * channels
                for c in 0..<channels { dx[base + c] = dy[base + c] * saved.gate[n * channels + c] + dPooled[n * channels + c] * scale }
            }
        }
    }
}
