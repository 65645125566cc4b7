import Analyze
import Foundation
import Testing

struct GoldenRegression: Decodable {
    struct Fit: Decodable { var coefficients, standardErrors, pValues: [Double]; var rss, r2, adjR2: Double }
    struct FTest: Decodable { var f, p: Double; var df: Int }
    struct Case: Decodable { var name: String; var y: [Double]; var x: [[Double]]; var fit: Fit; var fTest: FTest? }
    var cases: [Case]
    var probit: [[Double]]
    var logit: [[Double]]

    /// Produced by scripts/golden/regression.py (statsmodels OLS and compare_f_test, scipy.special.ndtri and logit).
    static let loaded: GoldenRegression = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/regression.json")
        return try! JSONDecoder().decode(GoldenRegression.self, from: Data(contentsOf: url))
    }()
}

@Suite struct RegressionTests {
    @Test(arguments: GoldenRegression.loaded.cases.map(\.name))
    func olsMatchesStatsmodels(name: String) throws {
        let c = GoldenRegression.loaded.cases.first { $0.name == name }!
        let fit = try ordinaryLeastSquares(y: c.y, regressors: c.x)
        for (a, b) in zip(fit.coefficients, c.fit.coefficients) { #expect(closeRelative(a, b), "β \(a) vs \(b)") }
        for (a, b) in zip(fit.standardErrors, c.fit.standardErrors) { #expect(closeRelative(a, b), "se \(a) vs \(b)") }
        for (a, b) in zip(fit.pValues, c.fit.pValues) { #expect(a.map { closeRelative($0, b, 1e-8) } == true, "p \(String(describing: a)) vs \(b)") }
        #expect(closeRelative(fit.residualSumOfSquares, c.fit.rss))
        #expect(closeRelative(fit.rSquared, c.fit.r2))
        #expect(closeRelative(fit.adjustedRSquared, c.fit.adjR2))
        if let expected = c.fTest {
            let restricted = try ordinaryLeastSquares(y: c.y, regressors: [c.x[0]])
            let f = try nestedFTest(full: fit, restricted: restricted)
            #expect(closeRelative(f.f, expected.f))
            #expect(closeRelative(f.pValue, expected.p, 1e-8))
            #expect(f.dfNumerator == expected.df)
        }
    }

    /// Hand derivation: x = [1,2,3,4], y = [2,4,6,9]: x̄ = 2.5, ȳ = 5.25, Sxy = 11.5, Sxx = 5 → slope 2.3,
    /// intercept 5.25 − 5.75 = −0.5; residuals [0.2, −0.1, −0.4, 0.3] → RSS 0.3; TSS 26.75 + … = 26.75 → R² = 1 − 0.3/26.75.
    @Test func smallFitByHand() throws {
        let fit = try ordinaryLeastSquares(y: [2, 4, 6, 9], regressors: [[1, 2, 3, 4]])
        #expect(abs(fit.slope - 2.3) < 1e-12 && abs(fit.intercept + 0.5) < 1e-12)
        #expect(abs(fit.residualSumOfSquares - 0.3) < 1e-12)
        #expect(abs(fit.rSquared - (1 - 0.3 / 26.75)) < 1e-12)
    }

    @Test func transformsMatchScipy() throws {
        for pair in GoldenRegression.loaded.probit { #expect(closeRelative(try Transform.probit(pair[0]), pair[1], 1e-12), "probit(\(pair[0]))") }
        for pair in GoldenRegression.loaded.logit { #expect(closeRelative(try Transform.logit(pair[0]), pair[1], 1e-9), "logit(\(pair[0]))") }
        #expect(throws: StatisticError.self) { try Transform.probit(1) }
        #expect(throws: StatisticError.self) { try Transform.logit(0) }
    }

    @Test func degenerateDesignsAreReported() {
        #expect(throws: StatisticError.tooFewObservations(needed: 3, got: 2)) { try ordinaryLeastSquares(y: [1, 2], regressors: [[1, 2]]) }
        #expect(throws: StatisticError.constantInput(which: "y")) { try ordinaryLeastSquares(y: [3, 3, 3], regressors: [[1, 2, 3]]) }
        #expect(throws: StatisticError.self) { try ordinaryLeastSquares(y: [1, 2, 4, 3], regressors: [[5, 5, 5, 5]]) }
        #expect(throws: StatisticError.self) { try ordinaryLeastSquares(y: [1, 2, 4, 3], regressors: [[1, 2, 3, 4], [2, 4, 6, 8]]) }
    }
}
