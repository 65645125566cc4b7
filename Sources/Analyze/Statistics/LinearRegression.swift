import Foundation

/// Ordinary least squares y = Xβ + ε, with an intercept column prepended, solved by Householder QR in Double
/// (no normal equations, so a nearly collinear design loses only what its condition number costs).
///
/// Outputs (the definitions of statsmodels' OLS):
/// - coefficients β = [intercept, slope₁, …]; residual sum of squares RSS = Σ(y − Xβ)²; df = n − p (p columns incl. intercept)
/// - σ² = RSS/df; standard errors se_j = σ·√((XᵀX)⁻¹_jj) = σ·‖row j of R⁻¹‖;  t_j = β_j/se_j, two-sided p from Student's t(df)
/// - R² = 1 − RSS/TSS with TSS = Σ(y − ȳ)²;  adjusted R² = 1 − (1 − R²)(n − 1)/df
/// Scaling: y and every regressor are first scaled by a power of two to max|·| ∈ [1, 2) (`BinaryScaling`; exact), the
/// QR runs on the scaled design, and β_j, se_j are scaled back by 2^(e_y − e_j). Householder QR commutes with such
/// column scalings, so normal inputs give the same bits as unscaled QR, and no norm can overflow or underflow for
/// finite inputs (values near ±1.8e308, subnormals, columns 1e300 apart in scale). The rank test below is on the
/// scaled R, so it no longer depends on a regressor's units.
/// Undefined (throws `StatisticError`) when n ≤ p (no residual degrees of freedom), when y is constant (TSS = 0), when a
/// regressor is constant or collinear with others (the scaled R has a zero pivot: |R_jj| ≤ 1e-12·max|R_ii|), on NaN or
/// ±∞ in y or a regressor (refused, naming it and the index), or when a coefficient or standard error, scaled back,
/// exceeds Double's range (e.g. y ~ 1e300 on x ~ 1e-300: slope ~ 1e600).
/// `residualSumOfSquares` itself is +∞ when it exceeds 1.8e308 (|y| ≳ 1e154); R², the t-tests and `nestedFTest` use
/// the scaled RSS, so they stay defined.
/// Exact fit: when the residuals are rounding noise — √(RSS/n) ≤ 16ε·max|y|, ε = 2⁻⁵² — σ, and so every t and p, is
/// noise too (y = 2x gave a "p-value" of 0.4 for the zero intercept, and t = 0/0 is possible): `isExactFit` is true and
/// every p-value is nil. Coefficients, standard errors (≈ 0) and R² (= 1) are still right.
/// Example (hand-checkable): x = [1,2,3,4], y = [2,4,6,9] → intercept −0.5, slope 2.3, RSS 0.3, R² = 0.98.
public struct LinearFit: Sendable {
    public var coefficients: [Double]
    public var standardErrors: [Double]
    /// Two-sided p-value of each coefficient's t-test; all nil for an exact fit (see above).
    public var pValues: [Double?]
    /// The residuals are rounding noise (see above): p-values are undefined and a nested F-test against it too.
    public var isExactFit: Bool
    public var residualSumOfSquares: Double
    public var rSquared: Double
    public var adjustedRSquared: Double
    public var n: Int
    public var residualDegreesOfFreedom: Int
    /// RSS·2^(−2·e_y) and e_y: RSS in the units of the scaled y, always finite (≤ 16n), for `nestedFTest`.
    var scaledResidualSumOfSquares: Double
    var yExponent: Int

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

    // Scaled column-major design matrix A (n × p) and right-hand side b; Householder QR in place.
    let exponents = [0] + regressors.map(BinaryScaling.exponent), yExponent = BinaryScaling.exponent(y)
    var a = [[Double](repeating: 1, count: n)] + zip(regressors, exponents.dropFirst()).map { BinaryScaling.scaled($0, by: $1) }
    let ys = BinaryScaling.scaled(y, by: yExponent)
    var b = ys
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
    let largestY = ys.reduce(0.0) { max($0, abs($1)) }
    let exactFit = rss <= Double(n) * (16 * Double.ulpOfOne * largestY) * (16 * Double.ulpOfOne * largestY)
    let pValues: [Double?] = (0..<p).map { j in
        let t = beta[j] / se[j]
        return exactFit || t.isNaN ? nil : SpecialFunctions.studentTTwoSided(t, df: Double(df))
    }
    let mean = ys.reduce(0, +) / Double(n)
    let tss = ys.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
    let r2 = 1 - rss / tss
    // Back to the units of y and x_j: β_j·2^(e_y − e_j), exact unless it leaves Double's range.
    let names = ["intercept"] + (1..<p).map { "x\($0)" }
    func unscaled(_ v: [Double], _ what: String) throws -> [Double] {
        try (0..<p).map { j in
            let u = scalbn(v[j], yExponent - exponents[j])
            guard u.isFinite else {
                throw StatisticError.undefined("the \(what) of \(names[j]) exceeds Double's range (y is 2^\(yExponent - exponents[j]) times larger than \(names[j]))")
            }
            return u
        }
    }
    return LinearFit(coefficients: try unscaled(beta, "coefficient"), standardErrors: try unscaled(se, "standard error"),
                     pValues: pValues, isExactFit: exactFit,
                     residualSumOfSquares: scalbn(rss, 2 * yExponent), rSquared: r2,
                     adjustedRSquared: 1 - (1 - r2) * Double(n - 1) / Double(df), n: n, residualDegreesOfFreedom: df,
                     scaledResidualSumOfSquares: rss, yExponent: yExponent)
}

/// The F-test of a restricted model nested in a full one (same observations and y):
/// F = ((RSS_r − RSS_f)/(df_r − df_f)) / (RSS_f/df_f), p = P(F(df_r − df_f, df_f) ≥ F) = I_{df_f/(df_f + d·F)}(df_f/2, d/2).
/// statsmodels: `full.compare_f_test(restricted)`. Computed on the scaled RSS of both fits (the same power of two,
/// so F has the same bits and cannot overflow even when RSS does).
/// Undefined (throws `StatisticError`) when the fits have different n or y, when df_r ≤ df_f, when the full model fits
/// exactly (`isExactFit`: RSS_f is rounding noise, so F would be noise, +∞ or 0/0 — y = 2x with a noise regressor
/// gave F = 1.27), and when RSS_r < RSS_f beyond rounding (1e-12·RSS_r: the models are not
/// nested); a difference within rounding gives F = 0, p = 1.
public func nestedFTest(full: LinearFit, restricted: LinearFit) throws -> (f: Double, pValue: Double, dfNumerator: Int, dfDenominator: Int) {
    guard full.n == restricted.n else { throw StatisticError.lengthMismatch(full.n, restricted.n) }
    guard full.yExponent == restricted.yExponent else { throw StatisticError.undefined("the two fits are of different y") }
    let d = restricted.residualDegreesOfFreedom - full.residualDegreesOfFreedom
    guard d > 0 else { throw StatisticError.tooFewObservations(needed: 1, got: d) }
    let rssFull = full.scaledResidualSumOfSquares, rssRestricted = restricted.scaledResidualSumOfSquares
    guard !full.isExactFit, rssFull > 0 else {
        throw StatisticError.undefined("the full model fits exactly (its residuals are rounding noise), so F is not defined")
    }
    let gain = rssRestricted - rssFull
    guard gain >= -1e-12 * rssRestricted else {
        throw StatisticError.undefined("the restricted model fits better than the full one (RSS \(restricted.residualSumOfSquares) < \(full.residualSumOfSquares)): not nested")
    }
    let d2 = Double(full.residualDegreesOfFreedom)
    let f = max(0, gain / Double(d)) / (rssFull / d2)
    return (f, SpecialFunctions.fUpperTail(f, d1: Double(d), d2: d2), d, full.residualDegreesOfFreedom)
}
