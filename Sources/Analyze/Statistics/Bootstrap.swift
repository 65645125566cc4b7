import Foundation
import SplitMix

/// Seeded percentile bootstrap of a statistic of paired samples (x, y), e.g. Spearman's ρ.
///
/// Resample b (0 ≤ b < B) draws n indices with replacement from its own generator,
/// SplitMix64(seed: seed ^ (b + 1)·0x9E3779B97F4A7C15), each index = high 64 bits of n·next(); the statistic is
/// computed on (x[i₁…iₙ], y[i₁…iₙ]). Resamples on which the statistic is undefined (it throws, e.g. all drawn pairs
/// constant, or returns NaN or ±∞) are counted in `undefined` and left out. The interval is the (α/2, 1 − α/2) quantiles of the defined estimates with numpy's
/// default ("linear") rule: sorted v, h = (m − 1)·q, v[⌊h⌋] + (h − ⌊h⌋)(v[⌊h⌋+1] − v[⌊h⌋]) (as (1 − w)·v[⌊h⌋] + w·v[⌊h⌋+1]
/// when the difference overflows, for statistics near ±1.8e308).
/// Resamples are spread over threads, but each has its own generator and slot, so the result does not depend on the
/// thread count. Undefined (throws `StatisticError`) when n < 3, fewer than 2 resamples give a value, resamples < 2 or
/// the confidence is not strictly between 0 and 1.
public struct BootstrapInterval: Sendable, Equatable {
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    public var confidence: Double
    public var resamples: Int
    /// Resamples on which the statistic was undefined (left out).
    public var undefined: Int
}

public func bootstrapInterval(_ x: [Double], _ y: [Double], resamples: Int = 10_000, confidence: Double = 0.95, seed: UInt64 = 0,
                              threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                              statistic: @Sendable ([Double], [Double]) throws -> Double) throws -> BootstrapInterval {
    try bootstrap(x, y, resamples: resamples, confidence: confidence, seed: seed, threads: threads, estimate: statistic) { indices, xs, ys in
        for (i, j) in indices.enumerated() { xs[i] = x[j]; ys[i] = y[j] }
        return try statistic(xs, ys)
    }
}

/// The same interval for Spearman's ρ, bit for bit, without sorting each resample: a resample's average ranks follow
/// from how often each original observation was drawn, walked in the original sort order (ties share
/// start + (count + 1)/2, computed as `averageRanks` does), then Pearson's r of the ranks in resample order — the
/// very numbers `spearman` would compute. O(n) per resample instead of O(n log n).
public func bootstrapSpearmanInterval(_ x: [Double], _ y: [Double], resamples: Int = 10_000, confidence: Double = 0.95, seed: UInt64 = 0,
                                      threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> BootstrapInterval {
    let n = x.count
    /// Tie groups of equal values, in ascending order: (start, end) into `order`.
    func groups(_ v: [Double]) -> (order: [Int], groups: [Range<Int>]) {
        let order = v.indices.sorted { v[$0] < v[$1] || (v[$0] == v[$1] && $0 < $1) }
        var groups: [Range<Int>] = [], start = 0
        while start < n {
            var end = start + 1
            while end < n && v[order[end]] == v[order[start]] { end += 1 }
            groups.append(start..<end); start = end
        }
        return (order, groups)
    }
    let gx = groups(x), gy = groups(y)
    func ranks(_ g: (order: [Int], groups: [Range<Int>]), _ counts: [Int], into rank: inout [Double]) {
        var position = 0
        for group in g.groups {
            var drawn = 0
            for k in group { drawn += counts[g.order[k]] }
            if drawn > 0 {
                let r = Double(position + position + drawn - 1) / 2 + 1
                for k in group { rank[g.order[k]] = r }
            }
            position += drawn
        }
    }
    return try bootstrap(x, y, resamples: resamples, confidence: confidence, seed: seed, threads: threads,
                         estimate: { try spearman($0, $1).coefficient }) { indices, xs, ys in
        var counts = [Int](repeating: 0, count: n)
        for j in indices { counts[j] += 1 }
        var rx = [Double](repeating: 0, count: n), ry = rx
        ranks(gx, counts, into: &rx)
        ranks(gy, counts, into: &ry)
        for (i, j) in indices.enumerated() { xs[i] = rx[j]; ys[i] = ry[j] }
        return try pearson(xs, ys).coefficient
    }
}

/// Draws the resamples (see `BootstrapInterval`) and takes the percentile interval of `value` over them.
func bootstrap(_ x: [Double], _ y: [Double], resamples: Int, confidence: Double, seed: UInt64, threads: Int,
               estimate: ([Double], [Double]) throws -> Double,
               value: @Sendable ([Int], inout [Double], inout [Double]) throws -> Double) throws -> BootstrapInterval {
    guard x.count == y.count else { throw StatisticError.lengthMismatch(x.count, y.count) }
    guard x.count >= 3 else { throw StatisticError.tooFewObservations(needed: 3, got: x.count) }
    guard resamples >= 2 else { throw StatisticError.tooFewObservations(needed: 2, got: resamples) }
    guard confidence > 0 && confidence < 1 else { throw StatisticError.undefined("confidence \(confidence): must be strictly between 0 and 1") }
    let point = try estimate(x, y)
    let n = x.count
    let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: resamples)
    defer { values.deallocate() }
    let lanes = max(1, min(threads, resamples))
    DispatchQueue.concurrentPerform(iterations: lanes) { lane in
        var xs = [Double](repeating: 0, count: n), ys = xs, indices = [Int](repeating: 0, count: n)
        for b in stride(from: lane, to: resamples, by: lanes) {
            var generator = SplitMix64(seed: seed ^ (UInt64(b) &+ 1) &* 0x9e37_79b9_7f4a_7c15)
            for i in 0..<n { indices[i] = generator.next(below: n) }
            values[b] = (try? value(indices, &xs, &ys)) ?? .nan
        }
    }
    let defined = values.filter { $0.isFinite }.sorted()
    guard defined.count >= 2 else { throw StatisticError.tooFewObservations(needed: 2, got: defined.count) }
    func quantile(_ q: Double) -> Double {
        let h = Double(defined.count - 1) * q
        let lo = Int(h.rounded(.down))
        guard lo + 1 < defined.count else { return defined[lo] }
        let w = h - Double(lo), step = defined[lo + 1] - defined[lo]
        return step.isFinite ? defined[lo] + w * step : (1 - w) * defined[lo] + w * defined[lo + 1]
    }
    let alpha = 1 - confidence
    return BootstrapInterval(estimate: point, lower: quantile(alpha / 2), upper: quantile(1 - alpha / 2), confidence: confidence,
                             resamples: resamples, undefined: resamples - defined.count)
}
