/// ReLU: y = max(x, 0) (NaN propagates: max(NaN, 0) is taken as NaN so divergence is never hidden).
/// Backward from the output: dx = dy where y > 0, else 0 (the subgradient at 0 is 0, as PyTorch).
/// Element-wise, so sharing the elements among workers changes no bit.
public enum ReLU {
    public static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, workers: Workers = .serial) {
        workers.forEachRange(count) { range in
            for i in range { let v = x[i]; y[i] = v > 0 || v.isNaN ? v : 0 }
        }
    }

    public static func backward(y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int,
                                workers: Workers = .serial) {
        workers.forEachRange(count) { range in
            for i in range { dx[i] = y[i] > 0 ? dy[i] : 0 }
        }
    }
}
