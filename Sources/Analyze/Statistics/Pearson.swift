/// Pearson's product-moment correlation with its two-sided p-value.
///
/// r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² · Σ(y−ȳ)²), computed in Double with the corrected two-pass algorithm (Chan, Golub &
/// LeVeque 1983: means m first, then Σd², Σd and Σdxdy with d = v − m, less (Σdx)(Σdy)/n for the rounding of m — the
/// correction is below half an ulp except when m itself rounds coarsely, as for x = [1e16, 1e16+2, 1e16+2] (x̄ rounds
/// to 1e16), where r(x, [0, 1, 1]) came out 0.5774, as scipy gives, instead of 1) on x and y each scaled
/// by a power of two to max|·| ∈ [1, 2) (`BinaryScaling`): exact, r is invariant under it, and the sums can then
/// neither overflow nor underflow for any finite input (values near ±1.8e308, subnormals, 1e300 mixed with 1e-300),
/// so r is right to a few ulps of the sums. Clipped to [−1, 1]: after the scaling |r| can exceed 1 only by rounding.
/// p-value: under independence of normal variables, t = r·√((n−2)/(1−r²)) follows Student's t with n − 2 degrees of
/// freedom; p = P(|T| ≥ |t|) (identical to scipy.stats.pearsonr's beta-distribution form). |r| = 1 gives p = 0.
/// Undefined (throws `StatisticError`) for n < 3 — scipy returns r for n = 2 but no meaningful p —, for constant x or
/// y (scipy: nan with a warning), for x and y of different lengths, and for NaN or ±∞ in either (refused, naming the
/// side and index; missing values must be dropped first, as `PairedColumns` does).
/// Example: pearson([1,2,3,4,5], [5,6,7,8,7]) → r = 0.8320502943378436, p = 0.0805095732984986 (scipy 1.17.1).
public func pearson(_ x: [Double], _ y: [Double]) throws -> Correlation {
    try StatisticError.check(x, y, minimum: 3)
    let x = BinaryScaling.scaled(x, by: BinaryScaling.exponent(x)), y = BinaryScaling.scaled(y, by: BinaryScaling.exponent(y))
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0, sx = 0.0, sy = 0.0
    for i in x.indices {
        let dx = x[i] - mx, dy = y[i] - my
        sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        sx += dx; sy += dy
    }
    sxy -= sx * sy / n; sxx -= sx * sx / n; syy -= sy * sy / n
    guard sxx > 0, syy > 0 else { throw StatisticError.undefined("x or y has no spread beyond rounding") }  // not seen; Cauchy–Schwarz keeps them > 0
    let r = max(-1, min(1, sxy / (sxx.squareRoot() * syy.squareRoot())))
    let df = n - 2
    let p = abs(r) == 1 ? 0 : SpecialFunctions.studentTTwoSided(r * (df / ((1 - r) * (1 + r))).squareRoot(), df: df)
    return Correlation(coefficient: r, pValue: p, n: x.count)
}
