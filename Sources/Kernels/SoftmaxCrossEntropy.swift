import Foundation

/// Mean softmax cross-entropy over a batch, with label smoothing ε (PyTorch's CrossEntropyLoss(label_smoothing=ε)).
///
/// Target q_k = (1 − ε)·[k = label] + ε/K. Per sample, in Double:
///   lse = max_k z_k + log Σ_k exp(z_k − max z);  loss_n = lse − Σ_k q_k·z_k
/// Loss = (1/N) Σ_n loss_n (Double, increasing n). Gradient dz[n, k] = Float((p_k − q_k)/N), p = softmax in Double.
/// Errors: top-1 counts a sample wrong unless its label has the strictly highest logit among all classes, with ties
/// broken by lower class index (so a tie is counted against a later label); top-5 likewise with the 5 highest.
/// A non-finite logit makes the loss NaN (the caller records the run as diverged).
public enum SoftmaxCrossEntropy {
    public struct Result: Sendable {
        public var loss: Double
        public var top1Wrong: Int
        public var top5Wrong: Int
    }

    public static func forwardBackward(logits z: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
                                       labelSmoothing: Float = 0, gradient: UnsafeMutablePointer<Float>?) -> Result {
        var total = 0.0, top1 = 0, top5 = 0
        let eps = Double(labelSmoothing)
        for n in 0..<batch {
            let row = z + n * classes
            let label = Int(labels[n])
            var maxLogit = -Double.infinity
            for k in 0..<classes { maxLogit = max(maxLogit, Double(row[k])) }
            var sumExp = 0.0
            for k in 0..<classes { sumExp += exp(Double(row[k]) - maxLogit) }
            let lse = maxLogit + log(sumExp)
            var targetDot = 0.0
            for k in 0..<classes {
                let q = (k == label ? 1 - eps : 0) + eps / Double(classes)
                targetDot += q * Double(row[k])
            }
            total += lse - targetDot
            var rank = 0
            for k in 0..<classes where row[k] > row[label] || (row[k] == row[label] && k < label) { rank += 1 }
            if rank >= 1 { top1 += 1 }
            if rank >= 5 { top5 += 1 }
            if let gradient {
                for k in 0..<classes {
                    let p = exp(Double(row[k]) - lse)
                    let q = (k == label ? 1 - eps : 0) + eps / Double(classes)
                    gradient[n * classes + k] = Float((p - q) / Double(batch))
                }
            }
        }
        return Result(loss: total / Double(batch), top1Wrong: top1, top5Wrong: top5)
    }
}
