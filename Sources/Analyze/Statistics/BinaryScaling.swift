import Foundation

/// Scaling by powers of two, so that sums of squares cannot overflow or underflow for finite inputs.
///
/// v·2⁻ᵉ with e = exponent of max|v| puts every value in (−2, 2), and is exact (a power of two changes only the
/// exponent) unless a value is below 2⁻¹⁰²² of the largest, where it was already negligible against it. Every
/// rounding in +, −, ×, ÷ and √ commutes with such a scaling, so a statistic that is invariant under it (r, t, R²)
/// gives the same bits on scaled data as on the original whenever the original did not overflow or underflow: the
/// scaling changes no result on normal inputs and removes the overflow on the others.
enum BinaryScaling {
    /// e such that max|v|·2⁻ᵉ ∈ [1, 2); 0 for an empty or all-zero v. v must be finite.
    static func exponent(_ v: [Double]) -> Int {
        let largest = v.reduce(0.0) { max($0, abs($1)) }
        return largest == 0 ? 0 : Int(largest.exponent)
    }

    /// v·2⁻ᵉ.
    static func scaled(_ v: [Double], by e: Int) -> [Double] {
        e == 0 ? v : v.map { scalbn($0, -e) }
    }
}
