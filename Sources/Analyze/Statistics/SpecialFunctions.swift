import Foundation

/// Special functions for p-values, in Double.
enum SpecialFunctions {
    /// Regularised incomplete beta I_x(a, b) = B(x; a, b) / B(a, b), for a, b > 0 and 0 ≤ x ≤ 1, with y = 1 − x.
    ///
    /// Continued fraction of I_x(a,b) (Abramowitz & Stegun 26.5.8), evaluated by the modified Lentz method; used directly
    /// when x < (a+1)/(a+b+2), else through the symmetry I_x(a,b) = 1 − I_y(b,a) (where the fraction converges fast).
    /// The prefactor x^a·y^b/(a·B(a,b)) is taken in logs. For max(a, b) < 1e5 it is lgamma(a+b) − lgamma(a) − lgamma(b)
    /// + a·log x + b·log1p(−x), as it always was; beyond that the lgamma differences cancel (lgamma(1e9) ≈ 2e10, so one
    /// ulp is 4e-6) and x rounds next to 1, so `logBeta` (Stirling differences) and the exact complement `y` are used
    /// instead: the t-test at df = 1e12 was off by 1e-4 relative, at df = 1e17 it returned 1.
    /// Relative accuracy ~1e-13 over df ≤ 1e17 (tested against scipy.stats.t.sf and scipy.stats.f.sf).
    static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double, complement: Double? = nil) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let large = max(a, b) >= 1e5
        let y = large ? (complement ?? 1 - x) : 1 - x
        let direct = x < (a + 1) / (a + b + 2)
        let logFront: Double
        if large {
            let logX = x < 0.5 ? log(x) : log1p(-y), logY = y < 0.5 ? log(y) : log1p(-x)
            logFront = a * logX + b * logY - logBeta(a, b)
        } else if direct {
            logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        } else {
            logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + b * log1p(-x) + a * log(x)  // this order, for unchanged bits
        }
        if direct {
            return exp(logFront) * continuedFraction(a, b, x) / a
        }
        return 1 - exp(logFront) * continuedFraction(b, a, y) / b
    }

    /// log B(a, b) without cancellation for large arguments (R's `lbeta`, after TOMS 708): with p = min, q = max,
    /// lgamma(x) = (x − ½)·log x − x + ½·log 2π + δ(x), δ the Stirling remainder:
    /// - p ≥ 10: −½·log q + ½·log 2π + δ(p) + δ(q) − δ(p+q) + (p − ½)·log(p/(p+q)) + q·log1p(−p/(p+q));
    /// - q ≥ 10: lgamma(p) + δ(q) − δ(p+q) + p − p·log(p+q) + (q − ½)·log1p(−p/(p+q));
    /// - else lgamma(p) + lgamma(q) − lgamma(p+q).
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        let p = min(a, b), q = max(a, b)
        if p >= 10 {
            let corr = stirlingRemainder(p) + stirlingRemainder(q) - stirlingRemainder(p + q)
            return -0.5 * log(q) + 0.5 * log(2 * Double.pi) + corr + (p - 0.5) * log(p / (p + q)) + q * log1p(-p / (p + q))
        }
        if q >= 10 {
            let corr = stirlingRemainder(q) - stirlingRemainder(p + q)
            return lgamma(p) + corr + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q))
        }
        return lgamma(p) + lgamma(q) - lgamma(p + q)
    }

    /// δ(x) = lgamma(x) − [(x − ½)·log x − x + ½·log 2π] for x ≥ 10: the asymptotic series
    /// 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹); the first omitted term is < 2e-14 at x = 10.
    static func stirlingRemainder(_ x: Double) -> Double {
        let r = 1 / x, r2 = r * r
        return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))))
    }

    /// The continued fraction 1/(1+ d1/(1+ d2/(1+ …))) of A&S 26.5.8, with
    /// d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)),  d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
    static func continuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...10_000 {
            let md = Double(m)
            let even = md * (b - md) * x / ((a + 2 * md - 1) * (a + 2 * md))
            d = 1 + even * d; if abs(d) < tiny { d = tiny }
            c = 1 + even / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            let odd = -(a + md) * (a + b + md) * x / ((a + 2 * md) * (a + 2 * md + 1))
            d = 1 + odd * d; if abs(d) < tiny { d = tiny }
            c = 1 + odd / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return result
    }

    /// Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2),
    /// with the complement t²/(df+t²) passed exactly. |t| = ∞ gives 0; t must not be NaN (callers rule it out).
    /// For df ≥ 1e9, where the continued fraction converges too slowly next to x = 1, the expansion in 1/ν
    /// P = 2·[Φ̄(t) + φ(t)·((t³ + t)/(4ν) + (5t⁷ + 16t⁵ + 3t³ − 3t)/(96ν²))] (Fisher 1925, "Expansion of Student's
    /// integral in powers of n⁻¹") is used instead: relative error < 1e-7 there. Below 1e9 the relative error is
    /// < 1e-9 for df ≤ 1e7 and < 2e-8 up to 1e9 (scipy.stats.t.sf; Tests/AnalyzeTests/golden/hostile.py).
    static func studentTTwoSided(_ t: Double, df: Double) -> Double {
        precondition(!t.isNaN, "studentTTwoSided: t is NaN")
        if t.isInfinite { return 0 }
        let t2 = t * t
        if t2.isInfinite { return 0 }  // |t| > 1.3e154: p underflows far below any printed precision
        if df >= 1e9 {
            let a = abs(t), v = df
            let density = exp(-t2 / 2) / (2 * Double.pi).squareRoot()
            let correction = (a * t2 + a) / (4 * v) + (5 * a * t2 * t2 * t2 + 16 * a * t2 * t2 + 3 * a * t2 - 3 * a) / (96 * v * v)
            return min(1, erfc(a / 2.0.squareRoot()) + 2 * density * correction)
        }
        return regularizedIncompleteBeta(df / 2, 0.5, df / (df + t2), complement: t2 / (df + t2))
    }

    /// Upper tail of F(d1, d2) at f ≥ 0: P(F ≥ f) = I_{d2/(d2 + d1·f)}(d2/2, d1/2), the complement d1·f/(d2 + d1·f) exact.
    static func fUpperTail(_ f: Double, d1: Double, d2: Double) -> Double {
        precondition(!f.isNaN, "fUpperTail: f is NaN")
        if f <= 0 { return 1 }
        if f.isInfinite || (d1 * f).isInfinite { return 0 }
        return regularizedIncompleteBeta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f), complement: d1 * f / (d2 + d1 * f))
    }

    /// Two-sided p-value of a standard normal z: P(|Z| ≥ |z|) = erfc(|z|/√2).
    static func normalTwoSided(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }
}
