/// Fully connected layer: y[n, o] = Σ_i x[n, i]·W[o, i] + b[o], W is [out][in] (PyTorch's Linear).
/// Arithmetic: the GEMM chain over i (from +0), then one addition of b[o].
/// Backward: dx = dy·W (chain over o); dW = dyᵀ·x (chain over n); db[o] = Σ_n dy[n, o] (Float, increasing n).
public struct Linear: Sendable {
    public var batch: Int, inFeatures: Int, outFeatures: Int
    public init(batch: Int, inFeatures: Int, outFeatures: Int) {
        self.batch = batch; self.inFeatures = inFeatures; self.outFeatures = outFeatures
    }

    public func forward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                        workers: Workers = .serial) {
        Gemm.multiply(m: batch, n: outFeatures, k: inFeatures, a: StridedMatrix(rowMajor: x, ld: inFeatures),
                      b: StridedMatrix(rowMajor: w, ld: inFeatures).transposed, c: y, ldc: outFeatures, accumulate: false, workers: workers)
        for n in 0..<batch { for o in 0..<outFeatures { y[n * outFeatures + o] += b[o] } }
    }

    public func backward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>,
                         workers: Workers = .serial) {
        Gemm.multiply(m: batch, n: inFeatures, k: outFeatures, a: StridedMatrix(rowMajor: dy, ld: outFeatures),
                      b: StridedMatrix(rowMajor: w, ld: inFeatures), c: dx, ldc: inFeatures, accumulate: false, workers: workers)
        Gemm.multiply(m: outFeatures, n: inFeatures, k: batch, a: StridedMatrix(rowMajor: dy, ld: outFeatures).transposed,
                      b: StridedMatrix(rowMajor: x, ld: inFeatures), c: dw, ldc: inFeatures, accumulate: false, workers: workers)
        for o in 0..<outFeatures {
            var s: Float = 0
            for n in 0..<batch { s += dy[n * outFeatures + o] }
            db[o] = s
        }
    }
}
