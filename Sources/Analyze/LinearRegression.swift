import Foundation

/// Ordinary least squares y = Xβ + ε, with an intercept column prepended, solved by Householder QR in Double
/// (no normal equations, so a nearly collinear design loses only what its condition number costs).
///
/// Outputs (the definitions of statsmodels' OLS):
/// - coefficients β = [intercept, slope₁, …]; residual sum of squares RSS = Σ(y − Xβ)²; df = n − p (p columns incl. intercept)
/// - σ² = RSS/df; standard errors se_j = σ·√((XᵀX)⁻¹_jj) = σ·‖row j of R⁻¹‖;  t_j = β_j/se_j, two-sided p from Student's t(df)
/// - R² = 1 − RSS/TSS with TSS = Σ(y − ȳ)²;  adjusted R² = 1 − (1 − R²)(n − 1)/df
/// Undefined (throws) when n ≤ p (no residual degrees of freedom), when y is constant (TSS = 0), when a regressor
/// is constant or collinear with others (R has a zero pivot: |R_jj| ≤ 1e-12·max|R_ii|), or on non-finite input.
/// Example (hand-checkable): x = [1,2,3,4], y = [2,4,6,9] → intercept −0.5, slope 2.3, RSS 0.3, R² = 0.98.
public struct LinearFit: Sendable {
    public var coefficients: [Double]
    public var standardErrors: [Double]
    public var pValues: [Double]
    public var residualSumOfSquares: Double
    public var rSquared: Double
    public var adjustedRSquared: Double
    public var n: Int
    public var residualDegreesOfFreedom: Int

    public var intercept: Double { coefficients[0] }
    public var slope: Double { coefficients[1] }
}

public func ordinaryLeastSquares(y: [Double], regressors: [[Double]]) throws -> LinearFit {
    let n = y.count, p = regressors.count + 1
    for (j, column) in regressors.enumerated() {
        guard column.count == n else { throw StatisticError.lengthMismatch(column.count, n) }
        if let i = column.firstIndex(where: { !$0.isFinite }) { throw StatisticError.nonFinite(which: "x\(j + 1)", index: i) }
    }
    if let i = y.firstIndex(where: { !$0.isFinite }) { throw StatisticError.nonFinite(which: "y", index: i) }
    guard n > p else { throw StatisticError.tooFewObservations(needed: p + 1, got: n) }
    guard y.contains(where: { $0 != y[0] }) else { throw StatisticError.constantInput(which: "y") }

    // Column-major design matrix A (n × p) and right-hand side b; Householder QR in place.
    var a = [[Double](repeating: 1, count: n)] + regressors
    var b = y
    var rDiagonal = [Double](repeating: 0, count: p)
    for j in 0..<p {
        var norm = 0.0
        for i in j..<n { norm += a[j][i] * a[j][i] }
        norm = norm.squareRoot()
        let alpha = a[j][j] > 0 ? -norm : norm
        var v = [Double](repeating: 0, count: n)
        for i in j..<n { v[i] = a[j][i] }
        v[j] -= alpha
        let vNorm2 = (j..<n).reduce(0.0) { $0 + v[$1] * v[$1] }
        if vNorm2 > 0 {
            for k in j..<p {
                let dot = (j..<n).reduce(0.0) { $0 + v[$1] * a[k][$1] }
                let f = 2 * dot / vNorm2
                for i in j..<n { a[k][i] -= f * v[i] }
            }
            let dot = (j..<n).reduce(0.0) { $0 + v[$1] * b[$1] }
            let f = 2 * dot / vNorm2
            for i in j..<n { b[i] -= f * v[i] }
        }
        rDiagonal[j] = a[j][j]
    }
    let largest = rDiagonal.map(abs).max() ?? 0
    if let j = rDiagonal.firstIndex(where: { abs($0) <= 1e-12 * largest }) {
        throw StatisticError.constantInput(which: j == 0 ? "design" : "x\(j) (constant or collinear with the other regressors)")
    }
    // Back substitution R β = (Qᵀy)[0..<p]; R[i][k] = a[k][i] for k ≥ i.
    var beta = [Double](repeating: 0, count: p)
    for i in stride(from: p - 1, through: 0, by: -1) {
        var s = b[i]
        for k in (i + 1)..<p { s -= a[k][i] * beta[k] }
        beta[i] = s / a[i][i]
    }
    let rss = (p..<n).reduce(0.0) { $0 + b[$1] * b[$1] }
    // R⁻¹ (upper triangular), row norms give diag((XᵀX)⁻¹).
    var rInverse = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)  // [row][col]
    for col in 0..<p {
        rInverse[col][col] = 1 / a[col][col]
        for row in stride(from: col - 1, through: 0, by: -1) {
            var s = 0.0
            for k in (row + 1)...col { s += a[k][row] * rInverse[k][col] }
            rInverse[row][col] = -s / a[row][row]
        }
    }
    let df = n - p
    let sigma2 = rss / Double(df)
    let se = (0..<p).map { j in (sigma2 * (j..<p).reduce(0.0) { $0 + rInverse[j][$1] * rInverse[j][$1] }).squareRoot() }
    let pValues = (0..<p).map { SpecialFunctions.studentTTwoSided(beta[$0] / se[$0], df: Double(df)) }
    let mean = y.reduce(0, +) / Double(n)
    let tss = y.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
    let r2 = 1 - rss / tss
    return LinearFit(coefficients: beta, standardErrors: se, pValues: pValues, residualSumOfSquares: rss, rSquared: r2,
                     adjustedRSquared: 1 - (1 - r2) * Double(n - 1) / Double(df), n: n, residualDegreesOfFreedom: df)
}

/// The F-test of a restricted model nested in a full one (same observations):
/// F = ((RSS_r − RSS_f)/(df_r − df_f)) / (RSS_f/df_f), p = P(F(df_r − df_f, df_f) ≥ F) = I_{df_f/(df_f + d·F)}(df_f/2, d/2).
/// statsmodels: `full.compare_f_test(restricted)`.
public func nestedFTest(full: LinearFit, restricted: LinearFit) throws -> (f: Double, pValue: Double, dfNumerator: Int, dfDenominator: Int) {
    guard full.n == restricted.n else { throw StatisticError.lengthMismatch(full.n, restricted.n) }
    let d = restricted.residualDegreesOfFreedom - full.residualDegreesOfFreedom
    guard d > 0 else { throw StatisticError.tooFewObservations(needed: 1, got: d) }
    let d2 = Double(full.residualDegreesOfFreedom)
    let f = ((restricted.residualSumOfSquares - full.residualSumOfSquares) / Double(d)) / (full.residualSumOfSquares / d2)
    let p = f <= 0 ? 1 : SpecialFunctions.regularizedIncompleteBeta(d2 / 2, Double(d) / 2, d2 / (d2 + Double(d) * f))
    return (f, p, d, full.residualDegreesOfFreedom)
}
