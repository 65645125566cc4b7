import Foundation

/// Kendall's τ-b with its two-sided p-value, as scipy.stats.kendalltau(method="auto", variant="b") defines them.
///
/// Over all pairs i < j: C = concordant pairs, D = discordant pairs;
///   τ_b = (C − D) / √((n₀ − n₁)(n₀ − n₂)),  n₀ = n(n−1)/2, n₁ = Σ t(t−1)/2 over tie groups of x, n₂ likewise for y
/// (a pair tied in both counts in n₁ and n₂ and in neither C nor D).
/// p-value:
/// - exact, when neither x nor y has ties and (n ≤ 33 or min(D, n₀−D) ≤ 1): with c = min(D, n₀ − D),
///   p = 2·#{permutations of n with ≤ c inversions}/n! (Mahonian numbers), capped at 1;
/// - otherwise the normal approximation z = (C − D)/√var, with the tie-corrected variance (Kendall 1970, eq. 4.3)
///   var = [n(n−1)(2n+5) − Σt(t−1)(2t+5) − Σu(u−1)(2u+5)]/18
///       + [Σt(t−1)(t−2)]·[Σu(u−1)(u−2)] / (9n(n−1)(n−2)) + [Σt(t−1)]·[Σu(u−1)] / (2n(n−1)),
///   t over tie groups of x, u of y; p = erfc(|z|/√2).
/// Undefined (throws `StatisticError`) for n < 3, for constant x or y, for NaN or ±∞ in either (refused, naming the side
/// and index), and for n > 3,037,000,499, where n(n−1) would overflow Int's pair counts. Only comparisons of values are
/// used, so no magnitude can overflow. Pairs are counted in O(n log n) (Knight 1966), held equal to the plain O(n²)
/// count by a test.
/// Example: kendallTauB([1,2,3,4,5], [5,6,7,8,7]) → τ = 0.7378647873726218, p = 0.07697417298126674
/// (scipy 1.17.1; asymptotic, since y has a tie).
public func kendallTauB(_ x: [Double], _ y: [Double]) throws -> Correlation {
    try StatisticError.check(x, y, minimum: 3)
    guard x.count <= 3_037_000_499 else { throw StatisticError.undefined("Kendall's pair counts overflow Int beyond 3,037,000,499 observations (got \(x.count))") }
    let (concordant, discordant) = concordantDiscordantPairs(x, y)
    return kendallTauB(n: x.count, concordant: concordant, discordant: discordant, xTies: tieGroupSizes(x), yTies: tieGroupSizes(y))
}

/// τ-b and its p-value from the pair counts and the tie groups (sizes ≥ 2, ascending: the sums run in that order).
func kendallTauB(n: Int, concordant: Int, discordant: Int, xTies: [Int], yTies: [Int]) -> Correlation {
    let n0 = Double(n * (n - 1) / 2)
    let n1 = xTies.reduce(0.0) { $0 + Double($1 * ($1 - 1) / 2) }
    let n2 = yTies.reduce(0.0) { $0 + Double($1 * ($1 - 1) / 2) }
    let tau = max(-1, min(1, Double(concordant - discordant) / ((n0 - n1) * (n0 - n2)).squareRoot()))

    let total = n * (n - 1) / 2
    let p: Double
    if xTies.isEmpty && yTies.isEmpty && (n <= 33 || min(discordant, total - discordant) <= 1) {
        p = exactKendallPValue(n: n, c: min(discordant, total - discordant))
    } else {
        let nd = Double(n)
        func sum(_ ties: [Int], _ f: (Double) -> Double) -> Double { ties.reduce(0.0) { $0 + f(Double($1)) } }
        let x0 = sum(xTies) { $0 * ($0 - 1) }, y0 = sum(yTies) { $0 * ($0 - 1) }
        let x1 = sum(xTies) { $0 * ($0 - 1) * (2 * $0 + 5) }, y1 = sum(yTies) { $0 * ($0 - 1) * (2 * $0 + 5) }
        let x2 = sum(xTies) { $0 * ($0 - 1) * ($0 - 2) }, y2 = sum(yTies) { $0 * ($0 - 1) * ($0 - 2) }
        let variance = (nd * (nd - 1) * (2 * nd + 5) - x1 - y1) / 18
            + x2 * y2 / (9 * nd * (nd - 1) * (nd - 2)) + x0 * y0 / (2 * nd * (nd - 1))
        p = SpecialFunctions.normalTwoSided(Double(concordant - discordant) / variance.squareRoot())
    }
    return Correlation(coefficient: tau, pValue: p, n: n)
}

/// (C, D) by Knight's method: sort by (x, y); pairs tied in x are then in ascending y, so the discordant pairs are
/// exactly the strict inversions of the y sequence, counted by a merge sort; C = n₀ − n₁ − n₂ + n₃ − D, with n₁, n₂ the
/// pairs tied in x, in y, and n₃ those tied in both.
public func concordantDiscordantPairs(_ x: [Double], _ y: [Double]) -> (concordant: Int, discordant: Int) {
    let n = x.count
    let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && y[$0] < y[$1]) }
    func tiedPairs(_ same: (Int, Int) -> Bool) -> Int {
        var pairs = 0, run = 1
        for k in 1..<max(n, 1) {
            if same(order[k - 1], order[k]) { run += 1 } else { pairs += run * (run - 1) / 2; run = 1 }
        }
        return pairs + run * (run - 1) / 2
    }
    let n3 = tiedPairs { x[$0] == x[$1] && y[$0] == y[$1] }
    let n1 = tiedPairs { x[$0] == x[$1] }
    var values = order.map { y[$0] }
    let n2 = tieGroupSizes(y).reduce(0) { $0 + $1 * ($1 - 1) / 2 }
    var scratch = values
    var inversions = 0
    var width = 1
    while width < n {
        var lo = 0
        while lo < n {
            let mid = min(lo + width, n), hi = min(lo + 2 * width, n)
            var i = lo, j = mid, k = lo
            while i < mid && j < hi {
                if values[j] < values[i] { scratch[k] = values[j]; j += 1; inversions += mid - i } else { scratch[k] = values[i]; i += 1 }
                k += 1
            }
            while i < mid { scratch[k] = values[i]; i += 1; k += 1 }
            while j < hi { scratch[k] = values[j]; j += 1; k += 1 }
            lo = hi
        }
        swap(&values, &scratch)
        width *= 2
    }
    return (n * (n - 1) / 2 - n1 - n2 + n3 - inversions, inversions)
}

/// The plain O(n²) count of concordant and discordant pairs: the reference `concordantDiscordantPairs` is tested against.
public func concordantDiscordantPairsReference(_ x: [Double], _ y: [Double]) -> (concordant: Int, discordant: Int) {
    var concordant = 0, discordant = 0
    for i in x.indices {
        for j in (i + 1)..<x.count {
            let s = x[i] < x[j] ? -1 : (x[i] == x[j] ? 0 : 1)
            let t = y[i] < y[j] ? -1 : (y[i] == y[j] ? 0 : 1)
            if s * t > 0 { concordant += 1 } else if s * t < 0 { discordant += 1 }
        }
    }
    return (concordant, discordant)
}

/// Sizes of the groups of equal values that have at least two members.
func tieGroupSizes(_ values: [Double]) -> [Int] {
    var counts: [Double: Int] = [:]
    for v in values { counts[v, default: 0] += 1 }
    return counts.values.filter { $0 > 1 }.sorted()
}

/// 2·P(at most c inversions in a uniformly random permutation of n), capped at 1.
/// Counts by the Mahonian recurrence M(j, k) = Σ_{i=0}^{min(k, j−1)} M(j−1, k−i), kept as probabilities (each step divides
/// by j) so that no count overflows.
func exactKendallPValue(n: Int, c: Int) -> Double {
    if n <= 2 { return 1 }
    if 4 * c >= n * (n - 1) { return 1 }
    var distribution = [Double](repeating: 0, count: c + 1)
    distribution[0] = 1  // one element: zero inversions
    for j in 2...n {
        // New element inserted into j positions adds 0…j−1 inversions, each with probability 1/j.
        var next = [Double](repeating: 0, count: c + 1)
        var window = 0.0
        for k in 0...c {
            window += distribution[k]
            if k - j >= 0 { window -= distribution[k - j] }
            next[k] = window / Double(j)
        }
        distribution = next
    }
    return min(1, 2 * distribution.reduce(0, +))
}
