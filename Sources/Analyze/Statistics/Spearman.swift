/// Spearman's rank correlation ρ with its two-sided p-value.
///
/// ρ = Pearson's r of the average ranks (`averageRanks`: ties share the mean of their ranks), so ties are handled exactly
/// rather than by the 1 − 6Σd²/(n(n²−1)) shortcut, which holds only without ties.
/// p-value: t = ρ·√((n−2)/(1−ρ²)) against Student's t with n − 2 degrees of freedom (scipy.stats.spearmanr's method);
/// an approximation that is poor for n < ~10.
/// Undefined (throws `StatisticError`) for n < 3, for constant x or y, and for NaN or ±∞ in either (refused, naming the
/// side and index). Ranks are 1…n whatever the magnitudes, so no input can overflow.
/// Example: spearman([1,2,3,4,5], [5,6,7,8,7]) → ρ = 0.8207826816681233, p = 0.08858700531354384 (scipy 1.17.1).
public func spearman(_ x: [Double], _ y: [Double]) throws -> Correlation {
    try StatisticError.check(x, y, minimum: 3)
    return try pearson(averageRanks(x), averageRanks(y))
}
