import Foundation

/// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror & Shaw, "Parallel Random Numbers: As Easy as
/// 1, 2, 3" (SC 2011): output = a keyed bijection of the counter, so any number can be drawn directly, in any order.
///
/// Reprise keys every stream explicitly: key = seed (64 bits), counter = (index low, index high, epoch, purpose).
/// No result depends on the order in which numbers are drawn or on the thread that draws them.
/// Known-answer vectors (Random123 kat_vectors, tested): counter 0, key 0 → 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
public struct Philox: Sendable {
    public let key: (UInt32, UInt32)

    public init(seed: UInt64) { key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)) }

    /// The 10-round bijection of one 128-bit counter.
    public func block(_ counter: (UInt32, UInt32, UInt32, UInt32)) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 { k0 &+= 0x9E37_79B9; k1 &+= 0xBB67_AE85 }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            (c0, c1, c2, c3) = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0, UInt32(truncatingIfNeeded: p1),
                                UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1, UInt32(truncatingIfNeeded: p0))
        }
        return (c0, c1, c2, c3)
    }

    /// Four 32-bit words for (purpose, epoch, index).
    public func words(purpose: Purpose, epoch: Int, index: Int) -> (UInt32, UInt32, UInt32, UInt32) {
        let i = UInt64(bitPattern: Int64(index))
        return block((UInt32(truncatingIfNeeded: i), UInt32(truncatingIfNeeded: i >> 32), UInt32(truncatingIfNeeded: epoch), purpose.rawValue))
    }

    /// Uniform in [0, 1): the top 24 bits of the first word, times 2⁻²⁴ (exactly representable in Float).
    public func uniform(purpose: Purpose, epoch: Int, index: Int) -> Float {
        Float(words(purpose: purpose, epoch: epoch, index: index).0 >> 8) * 0x1p-24
    }

    /// Uniform integer in 0..<bound (bound ≤ 2³²) by the multiply-shift of the 64-bit word (w0 | w1 << 32):
    /// floor(u64 · bound / 2⁶⁴); the bias is below bound/2⁶⁴.
    public func integer(below bound: Int, purpose: Purpose, epoch: Int, index: Int) -> Int {
        let w = words(purpose: purpose, epoch: epoch, index: index)
        let u = UInt64(w.0) | (UInt64(w.1) << 32)
        return Int(u.multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Standard normal by Box–Muller in Double from two 32-bit uniforms in (0, 1]: √(−2 ln u₁)·cos(2π u₂).
    public func normal(purpose: Purpose, epoch: Int, index: Int) -> Double {
        let w = words(purpose: purpose, epoch: epoch, index: index)
        let u1 = (Double(w.0) + 1) * 0x1p-32, u2 = Double(w.1) * 0x1p-32
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// What a stream is for; part of the counter, so streams never overlap.
    public enum Purpose: UInt32, Sendable {
        case initialization = 1
        case shuffle = 2
        case augmentation = 3
        case dataset = 4
        case split = 5
        case sampler = 6
        /// The batches (and their augmentation) of the precise-BN pass after each epoch.
        case preciseBatchNorm = 7
        case preciseBatchNormAugmentation = 8
        /// The batch zero-cost proxies score (`ProxyRun`).
        case proxyBatch = 9
        /// The shallow learner's random features and weights (`ShallowLearner`).
        case shallowLearner = 10
    }
}
