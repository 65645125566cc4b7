import Foundation

/// Transforms of accuracies (as fractions in (0, 1)) used by the transfer and ImageNet-V2 analyses.
public enum Transform {
    /// logit(p) = ln(p/(1 − p)). Undefined (throws `StatisticError.undefined`) outside the open interval (0, 1), NaN
    /// included; finite for every Double inside it (|logit| ≤ 745 at the subnormal end, ≤ 37 next to 1).
    public static func logit(_ p: Double) throws -> Double {
        guard p > 0 && p < 1 else { throw StatisticError.undefined("logit(\(p)): the argument must be strictly between 0 and 1") }
        return log(p / (1 - p))
    }

    /// probit(p) = Φ⁻¹(p), the standard normal quantile (scipy.special.ndtri).
    /// Method: for p > ½, Φ⁻¹(p) = −Φ⁻¹(1 − p) (1 − p is exact there, by Sterbenz's lemma), so the work is always in the
    /// lower tail, where Φ(x) = ½·erfc(−x/√2) has full relative precision: Acklam's rational approximation (relative
    /// error < 1.2e-9), then one Halley step on Φ(x) − p. Tested against scipy.special.ndtri to 1e-12 relative for
    /// p ≥ 1e-308 and to 2e-9 for subnormal p (which carry fewer bits themselves): 5e-324 → −38.46740562.
    /// Undefined (throws `StatisticError.undefined`) outside (0, 1), NaN included.
    public static func probit(_ p: Double) throws -> Double {
        guard p > 0 && p < 1 else { throw StatisticError.undefined("probit(\(p)): the argument must be strictly between 0 and 1") }
        if p > 0.5 { return -lowerTailQuantile(1 - p) }
        return lowerTailQuantile(p)
    }

    /// Φ⁻¹(p) for 0 < p ≤ ½.
    static func lowerTailQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log1p(-p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        // u = e/φ(x). Below p ≈ 1e-312, exp(x²/2) overflows (and e·∞ is NaN when e = 0): take it relative to p there.
        let g = exp(x * x / 2)
        let u = g.isFinite ? e * (2 * Double.pi).squareRoot() * g : (e / p) * (2 * Double.pi).squareRoot() * exp(x * x / 2 + log(p))
        x -= u / (1 + x * u / 2)
        return x
    }

    /// Standardisation: (x − mean)/sd with the sample standard deviation (n − 1), computed on x scaled by a power of two
    /// (`BinaryScaling`: exact, and (x − mean)/sd is invariant under it), so values near ±1.8e308 or subnormal give
    /// the right z-scores instead of all 0 or NaN. When the computed mean m is off by more than 1e-12·sd (it rounds
    /// coarsely: x = [1e16, 1e16+2, 1e16+2] has x̄ = 1e16 + 4/3, computed as 1e16, which gave z = [0, 1, 1], not
    /// [−2, 1, 1]/√3), the corrected two-pass form is used (c = Σ(x−m)/n; sd² = (Σ(x−m)² − n·c²)/(n−1);
    /// z = (x − m − c)/sd); below that the correction moves no z by more than 1e-12 and is skipped, so normal inputs
    /// keep their bits.
    /// Undefined (throws `StatisticError`) for n < 2, constant x, or NaN/±∞.
    public static func standardize(_ x: [Double]) throws -> [Double] {
        guard x.count >= 2 else { throw StatisticError.tooFewObservations(needed: 2, got: x.count) }
        if let i = x.firstIndex(where: { !$0.isFinite }) { throw StatisticError.nonFinite(which: "x", index: i) }
        let x = BinaryScaling.scaled(x, by: BinaryScaling.exponent(x))
        let mean = x.reduce(0, +) / Double(x.count)
        let squares = x.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) }
        let sd = (squares / Double(x.count - 1)).squareRoot()
        guard sd > 0 else { throw StatisticError.constantInput(which: "x") }
        let c = x.reduce(0.0) { $0 + ($1 - mean) } / Double(x.count)
        guard abs(c) > 1e-12 * sd else { return x.map { ($0 - mean) / sd } }
        let corrected = ((squares - Double(x.count) * c * c) / Double(x.count - 1)).squareRoot()
        return x.map { ($0 - mean - c) / corrected }
    }
}
