import Analyze
import Foundation
import Testing

struct GoldenCorrelations: Decodable {
    struct Case: Decodable {
        var name: String
        var x: [Double]
        var y: [Double]
        var pearson: [Double]
        var spearman: [Double]
        var kendall: [Double]
    }
    var scipy: String
    var cases: [Case]

    /// Produced by scripts/golden/correlations.py (scipy.stats.pearsonr, spearmanr, kendalltau).
    static let loaded: GoldenCorrelations = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/correlations.json")
        return try! JSONDecoder().decode(GoldenCorrelations.self, from: Data(contentsOf: url))
    }()
}

/// |a − b| ≤ 1e-9·|b|, or both below 1e-300 (underflow region).
func closeRelative(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
    if a == b { return true }
    if abs(b) < 1e-300 { return abs(a) < 1e-300 }
    return abs(a - b) <= tolerance * abs(b)
}

@Suite struct CorrelationTests {
    @Test(arguments: GoldenCorrelations.loaded.cases.map(\.name))
    func matchesScipy(name: String) throws {
        let c = GoldenCorrelations.loaded.cases.first { $0.name == name }!
        let p = try pearson(c.x, c.y), s = try spearman(c.x, c.y), k = try kendallTauB(c.x, c.y)
        #expect(closeRelative(p.coefficient, c.pearson[0]), "pearson r \(p.coefficient) vs \(c.pearson[0])")
        #expect(closeRelative(p.pValue, c.pearson[1], pValueTolerance(r: c.pearson[0], n: c.x.count)), "pearson p \(p.pValue) vs \(c.pearson[1])")
        #expect(closeRelative(s.coefficient, c.spearman[0]), "spearman ρ \(s.coefficient) vs \(c.spearman[0])")
        #expect(closeRelative(s.pValue, c.spearman[1], pValueTolerance(r: c.spearman[0], n: c.x.count)), "spearman p \(s.pValue) vs \(c.spearman[1])")
        #expect(closeRelative(k.coefficient, c.kendall[0]), "kendall τ \(k.coefficient) vs \(c.kendall[0])")
        #expect(closeRelative(k.pValue, c.kendall[1]), "kendall p \(k.pValue) vs \(c.kendall[1])")
    }

    /// The definition itself: Spearman with ties equals Pearson on average ranks (hand-checkable ranks). Ties in both
    /// columns: x's average ranks are [1, 2.5, 2.5, 4, 6, 6, 6, 8] (2 twice at positions 2–3, 5 three times at 5–7),
    /// y's [4, 1.5, 5, 1.5, 6, 8, 3, 7] (1 twice). scipy: spearmanr(x, y) = 0.5495502618648208, p = 0.15825612767878006;
    /// pearsonr on those ranks = 0.5495502618648209 (scipy 1.x, `stats.rankdata`).
    @Test func spearmanWithTiesIsPearsonOnAverageRanks() throws {
        let x: [Double] = [1, 2, 2, 3, 5, 5, 5, 8], y: [Double] = [3, 1, 4, 1, 5, 9, 2, 6]
        let rx: [Double] = [1, 2.5, 2.5, 4, 6, 6, 6, 8], ry: [Double] = [4, 1.5, 5, 1.5, 6, 8, 3, 7]
        let rho = try spearman(x, y), r = try pearson(rx, ry)
        #expect(abs(rho.coefficient - r.coefficient) <= 4 * Double.ulpOfOne)
        #expect(abs(rho.coefficient - 0.5495502618648208) <= 1e-15)
        #expect(abs(rho.pValue - 0.15825612767878006) <= 1e-12)
    }

    /// The t-test p-value is ill-conditioned as |r| → 1: p ∝ (1 − r²)^((n−3)/2), so a perturbation δr of r moves p by
    /// δp/p ≈ (n−1)·|r|·δr/(1 − r²). Two correct implementations differ in r by a few ulps of the sums (δr ≤ 4nε), hence
    /// the tolerance 1e-9 + (n−1)·|r|·4nε/(1 − r²): 1e-9 for moderate r, wider only for nearly perfect correlation.
    func pValueTolerance(r: Double, n: Int) -> Double {
        1e-9 + Double(n - 1) * abs(r) * 4 * Double(n) * Double.ulpOfOne / max(1e-300, 1 - r * r)
    }

    /// Hand derivation: y = 10 − 2x is exactly linear, so r = −1, ρ = −1, τ = −1 and, as documented, p = 0 for Pearson.
    @Test func exactLinearRelation() throws {
        let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7], y = x.map { 10 - 2 * $0 }
        #expect(try pearson(x, y) == Correlation(coefficient: -1, pValue: 0, n: 8))
        #expect(try spearman(x, y).coefficient == -1)
        // τ = −1 exactly; exact p = 2/8! (the identity and its reversal are the only permutations with 0 or 28 inversions).
        #expect(try kendallTauB(x, y) == Correlation(coefficient: -1, pValue: 2.0 / 40320, n: 8))
    }

    @Test func averageRanksHandleTies() {
        #expect(averageRanks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])
        #expect(averageRanks([3, 3, 3]) == [2, 2, 2])
    }

    @Test func degenerateInputsAreReportedNotNaN() {
        #expect(throws: StatisticError.tooFewObservations(needed: 3, got: 2)) { try pearson([1, 2], [3, 4]) }
        #expect(throws: StatisticError.constantInput(which: "y")) { try spearman([1, 2, 3], [4, 4, 4]) }
        #expect(throws: StatisticError.lengthMismatch(3, 2)) { try kendallTauB([1, 2, 3], [1, 2]) }
        #expect(throws: StatisticError.nonFinite(which: "x", index: 1)) { try pearson([1, .nan, 3], [1, 2, 3]) }
    }
}
