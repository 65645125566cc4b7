/// How well a cheap ranking (a proxy score, short training, FEAR) agrees with the ground truth on the best models,
/// as in "Ranking Architectures by Feature Extraction Capabilities" (Tables 1 and 3; archai's
/// analysis_freeze_natsbench_space_new.py, shared/specs §2).
///
/// For a top fraction x% (x = 2, 4, …, 100 in the paper), with N models and k = ⌊N·x/100⌋:
/// - order models by ground truth, best first (higher is better; ties by lower index);
/// - Spearman = ρ between ground truth and method score over the ground truth's top k (average ranks for ties);
/// - common ratio = |top-k by ground truth ∩ top-k by method| / k (method ties also by lower index).
/// Bins with k < 3, or where either column is constant, have no Spearman (nil, with the reason), never NaN; a bin with
/// k = 0 has no common ratio either (nil: 0/0). Percents must lie in 0…100 (throws otherwise).
public struct RankingAgreement: Sendable, Equatable {
    public var percent: Int
    public var k: Int
    public var spearman: Double?
    public var spearmanUndefinedReason: String?
    /// nil when k = 0.
    public var commonRatio: Double?
}

public func rankingAgreement(groundTruth: [Double], method: [Double], percents: [Int] = Array(stride(from: 2, through: 100, by: 2)))
    throws -> [RankingAgreement] {
    guard groundTruth.count == method.count else { throw StatisticError.lengthMismatch(groundTruth.count, method.count) }
    if let i = groundTruth.firstIndex(where: { !$0.isFinite }) { throw StatisticError.nonFinite(which: "ground truth", index: i) }
    if let i = method.firstIndex(where: { !$0.isFinite }) { throw StatisticError.nonFinite(which: "method", index: i) }
    if let bad = percents.first(where: { !(0...100).contains($0) }) {
        throw StatisticError.undefined("top \(bad)%: a bin must be between 0 and 100 percent")
    }
    let n = groundTruth.count
    func bestFirst(_ v: [Double]) -> [Int] { v.indices.sorted { v[$0] > v[$1] || (v[$0] == v[$1] && $0 < $1) } }
    let byTruth = bestFirst(groundTruth), byMethod = bestFirst(method)
    return percents.map { x in
        let k = n * x / 100
        let top = Array(byTruth.prefix(k))
        var rho: Double?, reason: String?
        do { rho = try spearman(top.map { groundTruth[$0] }, top.map { method[$0] }).coefficient } catch { reason = "\(error)" }
        let common = k == 0 ? nil : Double(Set(top).intersection(byMethod.prefix(k)).count) / Double(k)
        return RankingAgreement(percent: x, k: k, spearman: rho, spearmanUndefinedReason: reason, commonRatio: common)
    }
}

/// Empirical CDF: the distinct values in increasing order, each with F(v) = #{x_i ≤ v}/n. Empty input → empty result.
/// Example: [3, 1, 3, 2] → [(1, 0.25), (2, 0.5), (3, 1)].
public func empiricalCDF(_ values: [Double]) throws -> [(value: Double, fraction: Double)] {
    if let i = values.firstIndex(where: { !$0.isFinite }) { throw StatisticError.nonFinite(which: "x", index: i) }
    let sorted = values.sorted()
    var out: [(Double, Double)] = []
    for (i, v) in sorted.enumerated() where i + 1 == sorted.count || sorted[i + 1] != v {
        out.append((v, Double(i + 1) / Double(sorted.count)))
    }
    return out
}
