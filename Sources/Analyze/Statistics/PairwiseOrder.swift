/// Fraction of architecture pairs a score orders as the ground truth does, as the zero-cost-proxy notebooks report the
/// majority vote (shared/specs §3): over pairs i < j with truth_i ≠ truth_j, a pair counts as correct when the scores
/// say the same, strictly (a tie in the score is never correct). With `votes` scores, the prediction "i beats j" is
/// made when at least ⌈(votes+1)/2⌉ of them say score_i > score_j (2 of 3 for the synflow, jacob_cov, snip vote), and
/// "j beats i" when that many say score_j > score_i; otherwise the pair is wrong. Rows where any value is nil are left
/// out; a NaN or ±∞ value is refused (throws, naming the score and row: NaN compares false both ways, so it would
/// silently count as a wrong order). Throws when no pair is usable.
public func pairwiseOrderAccuracy(truth: [Double?], scores: [[Double?]]) throws -> (accuracy: Double, pairs: Int) {
    guard !scores.isEmpty, scores.allSatisfy({ $0.count == truth.count }) else {
        throw StatisticError.lengthMismatch(truth.count, scores.first?.count ?? 0)
    }
    if let i = truth.firstIndex(where: { $0.map { !$0.isFinite } ?? false }) { throw StatisticError.nonFinite(which: "truth", index: i) }
    for (k, s) in scores.enumerated() {
        if let i = s.firstIndex(where: { $0.map { !$0.isFinite } ?? false }) { throw StatisticError.nonFinite(which: "score \(k + 1)", index: i) }
    }
    let rows = truth.indices.filter { i in truth[i] != nil && scores.allSatisfy { $0[i] != nil } }
    let needed = scores.count / 2 + 1
    var correct = 0, pairs = 0
    for (a, i) in rows.enumerated() {
        for j in rows[(a + 1)...] {
            let ti = truth[i]!, tj = truth[j]!
            guard ti != tj else { continue }
            pairs += 1
            let iAbove = scores.filter { $0[i]! > $0[j]! }.count, jAbove = scores.filter { $0[j]! > $0[i]! }.count
            if (ti > tj && iAbove >= needed) || (tj > ti && jAbove >= needed) { correct += 1 }
        }
    }
    guard pairs > 0 else { throw StatisticError.undefined("no pair of architectures with different ground truth and every score present") }
    return (Double(correct) / Double(pairs), pairs)
}
