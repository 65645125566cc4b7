@testable import Analyze
import Foundation
import Testing

/// Inputs that used to give a silently wrong number. Expected values: Tests/AnalyzeTests/golden/hostile.py (exact
/// rational arithmetic and scipy 1.17.1); each `# name` below is the line of its output.
@Suite struct HostileStatisticsTests {
    static let xSmall: [Double] = [1.2, 3.4, 2.2, 5.1, 4.0, 0.7], ySmall: [Double] = [2.0, 1.1, 3.3, 0.9, 1.5, 2.8]

    /// Σ(x−x̄)² ≈ 1e400 overflowed: r printed as −1 or 1 (scipy: −0.7567), the OLS cells as -nan.
    @Test func squaresThatOverflow() throws {
        let x = Self.xSmall.map { $0 * 1e200 }, y = Self.ySmall.map { $0 * 1e200 }
        let r = try pearson(x, y)
        #expect(closeRelative(r.coefficient, -0.7566681204684953, 1e-12), "r \(r.coefficient)")  // # overflow.r
        #expect(closeRelative(r.pValue, 0.08161171599704455, 1e-9), "p \(r.pValue)")            // # overflow.p
        // Ranks do not see the scale: ρ and τ equal those of the small table exactly.
        #expect(try spearman(x, y) == spearman(Self.xSmall, Self.ySmall))
        #expect(try kendallTauB(x, y) == kendallTauB(Self.xSmall, Self.ySmall))
        let fit = try ordinaryLeastSquares(y: y, regressors: [x])
        #expect(closeRelative(fit.slope, -0.4262257169287697, 1e-12), "slope \(fit.slope)")           // # overflow.ols.slope
        #expect(closeRelative(fit.intercept, 3.1125578168362624e+200, 1e-12), "intercept \(fit.intercept)")  // # overflow.ols.intercept
        #expect(closeRelative(fit.rSquared, 0.5725466445333254, 1e-12), "R² \(fit.rSquared)")          // # overflow.ols.r2
        #expect(closeRelative(fit.standardErrors[1], 0.18414018819798825, 1e-10))                      // # overflow.ols.slope_se
        #expect(closeRelative(fit.standardErrors[0], 5.839499295893858e+199, 1e-10))                   // # overflow.ols.intercept_se
        let p: Double? = fit.pValues[1]
        #expect(p.map { closeRelative($0, 0.08161171599704445, 1e-9) } == true, "slope p \(String(describing: p))")  // # overflow.ols.slope_p
    }

    /// Σ(x−x̄)² ≈ 1e-400 underflowed to 0: r = sxy/0 printed as ±1.
    @Test func squaresThatUnderflow() throws {
        let x = Self.xSmall.map { $0 * 1e-200 }, y = Self.ySmall.map { $0 * 1e-200 }
        #expect(closeRelative(try pearson(x, y).coefficient, -0.7566681204684953, 1e-12))  // # underflow.r
        let fit = try ordinaryLeastSquares(y: y, regressors: [x])
        #expect(closeRelative(fit.slope, -0.4262257169287696, 1e-12), "slope \(fit.slope)")          // # underflow.ols.slope
        #expect(closeRelative(fit.intercept, 3.112557816836262e-200, 1e-12))                          // # underflow.ols.intercept
        #expect(closeRelative(fit.rSquared, 0.5725466445333253, 1e-12))                               // # underflow.ols.r2
    }

    /// Σx itself overflowed next to ±greatestFiniteMagnitude.
    @Test func valuesNextToTheLargestDouble() throws {
        let x = [1.7e308, -1.7e308, 1.0e308, -0.5e308, 1.6e308], y: [Double] = [1.0, 2.0, 2.5, 4.0, 3.0]
        let r = try pearson(x, y)
        #expect(closeRelative(r.coefficient, -0.25005741187353214, 1e-12), "r \(r.coefficient)")  // # maxmag.r
        #expect(closeRelative(r.pValue, 0.6849668651481614, 1e-9))                                 // # maxmag.p
        let fit = try ordinaryLeastSquares(y: y, regressors: [x])
        #expect(closeRelative(fit.slope, -1.894809370693616e-309, 1e-9), "slope \(fit.slope)")  // # maxmag.ols.slope (subnormal)
        #expect(closeRelative(fit.intercept, 2.579581993569132, 1e-12))                          // # maxmag.ols.intercept
        #expect(closeRelative(fit.rSquared, 0.06252870923288929, 1e-12))                         // # maxmag.ols.r2
    }

    /// Subnormal inputs: every square was 0.
    @Test func subnormalValues() throws {
        let x = [3, 17, 5, 29, 11, 23].map { Double($0) * 0x1p-1074 }, y = [7, 2, 13, 4, 19, 1].map { Double($0) * 0x1p-1074 }
        #expect(closeRelative(try pearson(x, y).coefficient, -0.5744337001935672, 1e-12))  // # subnormal.r
    }

    /// One column holding 1e300 and 1e-300.
    @Test func magnitudesMixedWithinAColumn() throws {
        let x = [1e300, 1e-300, 2e300, -1e-300, 3e300, 5e-301], y: [Double] = [1.0, 2.0, 1.5, 3.0, 0.5, 2.5]
        let r = try pearson(x, y)
        #expect(closeRelative(r.coefficient, -0.8451542547285166, 1e-12), "r \(r.coefficient)")  // # mixed.r
        #expect(closeRelative(r.pValue, 0.03410942316740963, 1e-9))                                // # mixed.p
        let fit = try ordinaryLeastSquares(y: y, regressors: [x])
        #expect(closeRelative(fit.slope, -6.25e-301, 1e-12), "slope \(fit.slope)")  // # mixed.ols.slope
        #expect(closeRelative(fit.intercept, 2.375, 1e-12))                          // # mixed.ols.intercept
    }

    /// x = 1e16 + 2y exactly, but x̄ = 1e16 + 4/3 rounds to 1e16: plain two-pass sums gave r = 0.5774 (so does scipy).
    @Test func meanThatRoundsCoarsely() throws {
        #expect(try pearson([1e16, 1e16 + 2, 1e16 + 2], [0, 1, 1]).coefficient == 1)  // # offset.r
    }

    /// y ~ 1e300 on x ~ 1e-300: the slope (~1e600) has no Double; it is an error, not inf or nan.
    @Test func slopeBeyondTheDoubleRangeIsUndefined() {
        do {
            _ = try ordinaryLeastSquares(y: [1e300, 3e300, 2e300, 5e300], regressors: [[1e-300, 2e-300, 2.5e-300, 4e-300]])
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("exceeds Double's range"), "\(error)")  // it used to say "constant or collinear"
        }
    }

    /// An exact fit: the residuals are rounding noise, so σ, t and p are noise (or 0/0); p-values are nil, and the
    /// F-test against it is undefined (it returned F = 1.27 from noise).
    @Test func exactFitHasNoNaN() throws {
        let x: [Double] = [1, 2, 3, 4, 5], y = x.map { 2 * $0 }
        let fit = try ordinaryLeastSquares(y: y, regressors: [x])
        #expect(fit.isExactFit && fit.pValues.allSatisfy { $0 == nil }, "\(fit.pValues)")
        #expect(abs(fit.slope - 2) < 1e-14 && fit.rSquared == 1)
        let z: [Double] = [0.5, -1, 2, 0, 1]
        let full = try ordinaryLeastSquares(y: y, regressors: [x, z])
        #expect(throws: StatisticError.self) { try nestedFTest(full: full, restricted: fit) }
    }

    /// Nested F-test at 1e200: both RSS ≈ 1e400 overflowed, F = inf − inf = nan.
    @Test func nestedFTestAtHugeScale() throws {
        let y = [3.1, 4.2, 2.8, 5.9, 6.1, 4.4, 7.3, 6.6].map { $0 * 1e200 }
        let r: [Double] = [1.0, 2.0, 1.5, 3.5, 4.0, 2.5, 5.0, 4.5], added = [0.3, -1.2, 0.8, 0.1, -0.4, 1.1, -0.9, 0.2]
        let full = try ordinaryLeastSquares(y: y, regressors: [r, added])
        let test = try nestedFTest(full: full, restricted: ordinaryLeastSquares(y: y, regressors: [r]))
        #expect(closeRelative(test.f, 1.8372153886417146, 1e-10), "F \(test.f)")         // # ftest.F
        #expect(closeRelative(test.pValue, 0.2332885685437274, 1e-9), "p \(test.pValue)")  // # ftest.p
        #expect(closeRelative(full.adjustedRSquared, 0.9683927824743205, 1e-12))          // # ftest.adjR2
    }

    /// Student's t at huge df: the continued fraction lost 1e-4 at df = 1e12 and returned p = 1 at df = 1e17.
    /// Tolerances are the documented accuracy of `studentTTwoSided` in each regime.
    @Test(arguments: [
        (1e5, [0.6170761776544179, 0.04550296345750651, 5.742701678641679e-07, 1.5633015300207252e-23]),
        (1e7, [0.6170750884540148, 0.04550029089184296, 5.733128075008536e-07, 1.5243592290273597e-23]),
        (1e9, [0.6170750775619943, 0.045500264166313246, 5.733032403951619e-07, 1.5239744906091104e-23]),
        (1e12, [0.617075077452084, 0.04550026389662835, 5.73303143855025e-07, 1.5239706087178874e-23]),
        (1e17, [0.6170750774519738, 0.04550026389635844, 5.733031437583892e-07, 1.523970604832119e-23]),
    ])  // # t.p[df=…, t=0.5, 2, 5, 10]
    func studentTAtHugeDegreesOfFreedom(df: Double, expected: [Double]) {
        let tolerance = df <= 1e7 ? 1e-9 : 1e-7
        for (t, p) in zip([0.5, 2.0, 5.0, 10.0], expected) {
            let ours = SpecialFunctions.studentTTwoSided(t, df: df)
            #expect(closeRelative(ours, p, tolerance), "df \(df), t \(t): \(ours) vs scipy \(p)")
        }
    }

    /// probit of a subnormal p: exp(x²/2) overflowed in the Halley step and the result was NaN.
    @Test(arguments: [(1e-310, -37.663060331949524), (1e-315, -37.967300351067365), (1e-320, -38.26912534303265),
                      (5e-324, -38.467405617144344)])  // # probit[…]
    func probitOfSubnormal(p: Double, expected: Double) throws {
        let x = try Transform.probit(p)
        #expect(closeRelative(x, expected, 2e-9), "probit(\(p)) = \(x) vs ndtri \(expected)")
    }

    /// standardize at 2^700: the squares overflowed and every z-score came out 0.
    @Test func standardizeAtHugeScale() throws {
        let z = try Transform.standardize([3, 1, 4, 1, 5].map { $0 * 0x1p700 })
        let expected = [0.11180339887498959, -1.0062305898749053, 0.670820393249937, -1.0062305898749053, 1.2298373876248845]  // # standardize.of_integers
        for (a, b) in zip(z, expected) { #expect(closeRelative(a, b, 1e-12), "\(a) vs \(b)") }
    }

    /// A coarsely rounded mean: z of 1e16 + 2y equals z of y = [0, 1, 1], i.e. [−2, 1, 1]/√3 (hand derivation); it was [0, 1, 1].
    @Test func standardizeWithACoarselyRoundedMean() throws {
        let z = try Transform.standardize([1e16, 1e16 + 2, 1e16 + 2])
        let expected = [-2 / 3.0.squareRoot(), 1 / 3.0.squareRoot(), 1 / 3.0.squareRoot()]
        for (a, b) in zip(z, expected) { #expect(closeRelative(a, b, 1e-12), "\(z)") }
    }

    /// logit/probit of NaN are undefined with the right reason ("constant" was the old, wrong one).
    @Test func transformsOfNaNSayWhy() {
        for f in [Transform.logit, Transform.probit] {
            do { _ = try f(.nan); Issue.record("no error") } catch { #expect(!"\(error)".contains("constant"), "\(error)") }
        }
    }

    /// A subnormal baseline made the relative improvement +∞ (printed "inf").
    @Test func relativeImprovementBeyondTheDoubleRangeIsUndefined() {
        #expect(throws: StatisticError.self) { try relativeImprovement(["base": 5e-324, "other": 1], baseline: "base") }
    }

    /// A statistic that returns ±∞ on some resamples: those are left out and counted, never the interval's end.
    @Test func bootstrapLeavesOutNonFiniteEstimates() throws {
        let x: [Double] = [0, 1, 2, 3, 4, 5, 6, 7], y = x
        let b = try bootstrapInterval(x, y, resamples: 200, seed: 7, threads: 1) { xs, _ in xs.contains(0) ? .infinity : xs.reduce(0, +) }
        #expect(b.lower.isFinite && b.upper.isFinite, "\(b.lower) … \(b.upper)")
        #expect(b.undefined > 0)
    }

    /// A top-x% bin with k = 0 has no common ratio (0/0), not 0.
    @Test func emptyBinHasNoCommonRatio() throws {
        let a = try rankingAgreement(groundTruth: [1, 2, 3, 4, 5], method: [5, 4, 3, 2, 1], percents: [10, 100])
        let empty: Double? = a[0].commonRatio
        #expect(a[0].k == 0 && empty == nil)
    }
}

@Suite struct HostileTableTests {
    /// A NaN or ±∞ that reaches a table prints as a missing cell with a note, in every format; never nan, -nan or inf.
    @Test func tablesNeverPrintNaNOrInf() {
        let t = ResultTable(title: "t", columns: ["name", "r", "p"], rows: [[.text("a"), .number(-.nan, digits: 4), .number(.infinity, digits: 4)]])
        var cellsOnly = t
        cellsOnly.notes = []
        for format in ResultTable.Format.allCases {
            let s = cellsOnly.rendered(format).lowercased()
            #expect(!s.contains("nan") && !s.contains("inf"), "\(format): \(s)")
        }
        #expect(t.notes == ["row 1, r: missing, the computed value was not a number", "row 1, p: missing, the computed value was infinite"], "\(t.notes)")
        #expect(!t.markdown.lowercased().contains("nan") && !t.markdown.lowercased().contains("inf "), "\(t.markdown)")
        // A value set after init is still never printed.
        var late = cellsOnly
        late.rows[0][1] = .number(.nan, digits: 2)
        #expect(!late.markdown.lowercased().contains("nan"))
    }

    private func error(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    /// Two columns with one name: the second was unreachable and its statistics were the first's.
    @Test func duplicateColumnNamesAreRefused() {
        let message = error { _ = try CSVTable(text: "model,acc,top5,acc\na,1,2,3\n", path: "t.csv") }
        #expect(message?.contains("t.csv") == true && message?.contains("\"acc\"") == true && message?.contains("2") == true && message?.contains("4") == true,
                "\(String(describing: message))")
        // After the reader's trimming of header names, " acc" is acc.
        #expect(error { _ = try CSVTable(text: "model,acc, acc\na,1,2\n") } != nil)
    }

    /// Programmatic columns: one name for two different columns is refused; a repeated identical column counts once.
    @Test func columnCorrelationsRefusesAmbiguousNames() throws {
        let a = ["m1": 1.0, "m2": 2, "m3": 3], b = ["m1": 3.0, "m2": 1, "m3": 2]
        #expect(throws: StatisticError.self) { try ColumnCorrelations(columns: [("ref", a), ("v", a), ("v", b)], reference: "ref") }
        #expect(try ColumnCorrelations(columns: [("ref", a), ("v", b), ("v", b)], reference: "ref").rows.map(\.column) == ["v"])
    }

    @Test func byteOrderMarkAndLineEndings() throws {
        #expect(try CSVTable(text: "\u{FEFF}model,v\na,1\n").header == ["model", "v"])
        let crlf = try CSVTable(text: "model,v\r\na,1\r\nb,2\r\n")
        #expect(crlf.rows == [["a", "1"], ["b", "2"]])
        let cr = try CSVTable(text: "model,v\ra,1\rb,2\r")  // classic Mac line ends: were dropped, joining every line
        #expect(cr.header == ["model", "v"] && cr.rows == [["a", "1"], ["b", "2"]])
    }

    /// Errors name the line the row is on, also after a quoted field spanning lines.
    @Test func errorLinesCountQuotedLineBreaks() {
        let message = error { _ = try CSVTable(text: "k,v\n\"a\nb\",1\nc,x\n", path: "t.csv").values("v", keyedBy: ["k"]) }
        #expect(message?.hasPrefix("t.csv:4:") == true, "\(String(describing: message))")
    }

    /// Numbers: exactly what a user would expect, or a one-line refusal naming the file, line, column and cell.
    @Test func numericCells() throws {
        let csv = try CSVTable(text: "k,v\na, 3 \nb,-0\nc,.5\nd,1e-3\n\"e\",\"7\"\n", path: "t.csv")
        let v = try csv.values("v", keyedBy: ["k"]).values
        #expect(v == ["a": 3, "b": 0, "c": 0.5, "d": 0.001, "e": 7])
        #expect(v["b"]!.sign == .minus)
        for bad in ["0x1A", "\"1,5\"", "1e999", "nan", "inf", "1e-400", "12abc"] {
            let table = try CSVTable(text: "k,v\na,1\nb,\(bad)\n", path: "t.csv")
            let message = error { _ = try table.values("v", keyedBy: ["k"]) }
            let cell = bad.replacingOccurrences(of: "\"", with: "")
            #expect(message?.hasPrefix("t.csv:3: column v: \"\(cell)\"") == true, "\(bad): \(String(describing: message))")
        }
        // A number in a refused form keeps the column numeric, so `values` refuses it rather than the column being
        // skipped as text; a comma (timm's "1,012.56") makes a text column, as before.
        #expect(try CSVTable(text: "k,v\na,1\nb,0x1A\n").firstNonNumericCell("v") == nil)
        #expect(try CSVTable(text: "k,v\na,1\nb,1e-400\n").firstNonNumericCell("v") == nil)
        #expect(try CSVTable(text: "k,v\na,1\nb,\"1,012.56\"\n").firstNonNumericCell("v")?.cell == "1,012.56")
        #expect(try CSVTable(text: "k,v\na,1\nb,resnet\n").firstNonNumericCell("v")?.cell == "resnet")
    }

    /// Printed precision follows the printed form exactly (PrintedNumber's rule).
    @Test func printedDecimals() throws {
        let text = "model,v,w_pct\na,0.17,17%\nb,1.7e-1,\nc,-0.0,\nd,.5,\ne,\"1,234.5\",\nf,1e3,\ng,1.50E+02,\nh,12,\n"
        let t = try PrintedTable(csv: CSVTable(text: text, path: "t.csv"))
        let decimals = t.cells.map { $0[0]?.decimals }
        #expect(decimals == [2, 2, 1, 1, 1, -3, 0, 0], "\(decimals)")
        let values = t.cells.map { $0[0]?.value }
        #expect(values == [0.17, 0.17, 0, 0.5, 1234.5, 1000, 150, 12], "\(values)")
        #expect(t.cells[0][1] == PrintedTable.Cell(value: 17, decimals: 0))
        #expect(t.cells[1][0]?.halfUnit == 0.005 && t.cells[5][0]?.halfUnit == 500)
    }

    /// End to end: a published "1.5e-1" is 0.15 ± 0.005; the mean 0.1525 reproduces it (read as 4 decimals, it differed).
    @Test func verifyReadsScientificPrecision() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "model,v\na,0.150\nb,0.155\n".write(to: folder.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        try "id,paper,location,published,analysis,input,arguments,note\nc1,p,Table 1,1.5e-1,mean,t.csv,column=v,\n"
            .write(to: folder.appendingPathComponent("claims.csv"), atomically: true, encoding: .utf8)
        let results = try Verifier().verify(claimsFile: folder.appendingPathComponent("claims.csv").path)
        #expect(results.first?.claim.published.decimals == 2)
        #expect(results.first?.verdict == .reproduced, "\(String(describing: results.first?.reason))")
    }
}

/// Later additions: inputs to the verifier, the ranking statistics and the plots.
@Suite struct HostileMoreTests {
    private func verify(table: String, claim: String) throws -> Verifier.Result? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try table.write(to: folder.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        try ("id,paper,location,published,analysis,input,arguments,note\n" + claim + "\n")
            .write(to: folder.appendingPathComponent("claims.csv"), atomically: true, encoding: .utf8)
        return try Verifier().verify(claimsFile: folder.appendingPathComponent("claims.csv").path).first
    }

    /// The mean of 1.7e308 and 1.5e308 is 1.6e308 (Σ overflowed to inf); a difference beyond Double's range cannot be
    /// checked (it was "inf", and the probes printed "inf … inf").
    @Test func verifierNearTheLargestDouble() throws {
        let mean = try verify(table: "model,v\na,1.7e308\nb,1.5e308\n", claim: "c1,p,T1,1.6e308,mean,t.csv,column=v,")
        #expect(mean?.verdict == .reproduced, "\(String(describing: mean?.reason))")
        let difference = try verify(table: "model,a,b\nr,1.7e308,-1.7e308\n", claim: "c2,p,T1,1,difference,t.csv,row=r; minuend=a; subtrahend=b,")
        #expect(difference?.verdict == .cannotCheck && difference?.recomputed == nil, "\(String(describing: difference?.reason))")
        #expect(difference.map { !$0.reason.lowercased().contains("inf") } == true)
    }

    /// NaN compares false both ways: it counted as a wrong order, silently.
    @Test func pairwiseOrderRefusesNaN() {
        #expect(throws: StatisticError.nonFinite(which: "score 1", index: 1)) { try pairwiseOrderAccuracy(truth: [3, 2, 1], scores: [[1, .nan, 0]]) }
    }

    @Test func randomSearchRefusesNaN() {
        #expect(throws: StatisticError.self) {
            try RandomSearchComparison(groundTruth: [80, 70, 90], fearScores: [50, .nan, 70], fearSeconds: [3, 12, 4], timeToThreshold: [1, 10, 2],
                                       shortregScores: [5, 6, 4], shortregSeconds: [2, 2, 2], cutoff: 4, trials: 2, seed: 1)
        }
    }

    /// Bad bootstrap arguments are errors, not a trap.
    @Test func bootstrapArgumentsAreChecked() {
        #expect(throws: StatisticError.self) { try bootstrapSpearmanInterval([1, 2, 3, 4], [1, 3, 2, 4], resamples: 1) }
        #expect(throws: StatisticError.self) { try bootstrapSpearmanInterval([1, 2, 3, 4], [1, 3, 2, 4], resamples: 10, confidence: 1) }
    }

    /// Plots of values near ±1.8e308 or with a NaN point: no nan or inf coordinate.
    @Test func plotsHaveFiniteCoordinates() {
        let scatter = ScatterPlot(title: "t", xLabel: "x", yLabel: "y", x: [-1.7e308, 0, 1.7e308, .nan], y: [1, 2, 3, 4]).svg
        #expect(!scatter.contains("nan") && !scatter.contains("inf") && scatter.contains("1 points with a non-finite"), "\(scatter)")
        let matrix = ScatterMatrix(title: "t", names: ["a", "b"], values: [[-1.7e308, 0, 1.7e308, Double.nan], [1, 2, 3, 4]]).svg
        #expect(!matrix.contains("nan") && !matrix.contains("inf"), "\(matrix)")
        let ecdf = ECDFPlot(title: "t", xLabel: "x", series: [("all", [-1.7e308, 0, 1.7e308])]).svg
        #expect(!ecdf.contains("nan") && !ecdf.contains("inf"), "\(ecdf)")
    }
}

/// The printed-number grammar itself (`PrintedNumber`), case by case.
@Suite struct PrintedNumberTests {
    @Test(arguments: [
        ("0.17", 0.17, 2), ("1.7e-1", 0.17, 2), ("17%", 17, 0), ("-0.0", -0.0, 1), (".5", 0.5, 1), ("5.", 5, 0),
        ("1,234.5", 1234.5, 1), ("1e3", 1000, -3), ("1.50E+02", 150, 0), (" 3 ", 3, 0), ("+2.50", 2.5, 2), ("−0.25", -0.25, 2),
        ("1,234,567", 1_234_567, 0), ("4.9e-324", 4.9e-324, 325),
    ])
    func readsAsPrinted(text: String, value: Double, decimals: Int) {
        guard case .number(let n) = PrintedNumber.read(text, style: .printed) else { Issue.record("\(text) not read"); return }
        #expect(n.value == value && n.value.sign == value.sign && n.decimals == decimals, "\(text): \(n)")
    }

    @Test(arguments: ["1,5", "12,34", "1,2345", "0x1A", "nan", "-inf", "Infinity", "1e999", "-1e400", "1e-400", "1,234.5.6"])
    func refusesWithAReason(text: String) {
        guard case .refused(let why) = PrintedNumber.read(text, style: .printed) else {
            // "1,234.5.6" is not number-shaped at all: text.
            #expect(text == "1,234.5.6" && PrintedNumber.read(text, style: .printed) == .text, "\(text)")
            return
        }
        #expect(!why.isEmpty)
    }

    @Test func dataStyleHasNoGroupingOrPercent() {
        #expect(PrintedNumber.read("1,234.5", style: .data) != .text)
        if case .number = PrintedNumber.read("1,234.5", style: .data) { Issue.record("grouping accepted in data") }
        if case .number = PrintedNumber.read("17%", style: .data) { Issue.record("percent accepted in data") }
        #expect(PrintedNumber.read("resnet50", style: .data) == .text && PrintedNumber.read("", style: .data) == .text)
        #expect(PrintedNumber.read("e5", style: .data) == .text && PrintedNumber.read("1e", style: .data) == .text)
    }

    /// A "%" cell in a column not named *_pct makes it a text column, refused on use with the cell and why.
    @Test func percentOnlyInPercentColumns() throws {
        let t = try PrintedTable(csv: CSVTable(text: "model,acc\na,17%\n", path: "t.csv"))
        do { _ = try t.columnIndex("acc"); Issue.record("accepted") } catch { #expect("\(error)".contains("_pct") && "\(error)".contains("17%"), "\(error)") }
    }
}
