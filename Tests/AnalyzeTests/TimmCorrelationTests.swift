import Analyze
import Foundation
import Testing

/// Real data: ImageNet top-1 against each other test set of the timm tables, joined on (model, img_size), compared with
/// scipy (scripts/golden/timm_correlations.py).
@Suite struct TimmCorrelationTests {
    struct Golden: Decodable {
        struct Probit: Decodable { var n: Int; var slope: Double; var intercept: Double; var r2: Double; var slope_se: Double; var intercept_se: Double }
        struct Result: Decodable { var n: Int; var pearson: [Double]; var spearman: [Double]; var kendall: [Double]; var probit: Probit }
        var results: [String: Result]
    }

    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = here.appendingPathComponent("../../fixtures/timm-results").standardized.path
    static let golden = try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: here.appendingPathComponent("golden/timm_correlations.json")))

    @Test(arguments: golden.results.keys.sorted())
    func matchesScipy(file: String) throws {
        let expected = Self.golden.results[file]!
        let base = try CSVTable(path: "\(Self.fixtures)/results-imagenet.csv").values("top1", keyedBy: ["model", "img_size"])
        let other = try CSVTable(path: "\(Self.fixtures)/\(file)").values("top1", keyedBy: ["model", "img_size"])
        let paired = PairedColumns(base.values, other.values)
        #expect(paired.keys.count == expected.n)
        for (name, statistic, reference) in [("pearson", try pearson(paired.x, paired.y), expected.pearson),
                                             ("spearman", try spearman(paired.x, paired.y), expected.spearman),
                                             ("kendall", try kendallTauB(paired.x, paired.y), expected.kendall)] {
            #expect(closeRelative(statistic.coefficient, reference[0]), "\(file) \(name): \(statistic.coefficient) vs \(reference[0])")
            #expect(closeRelative(statistic.pValue, reference[1]), "\(file) \(name) p: \(statistic.pValue) vs \(reference[1])")
        }
    }

    /// The `analyze correlate` regenerator: ImageNet top-1 against each test set in probit space (accuracy/100 through
    /// Φ⁻¹), the OLS fit equal to scipy.stats.linregress on scipy.special.ndtri; raw-space coefficients equal scipy's.
    @Test(arguments: golden.results.keys.sorted())
    func probitFitMatchesScipy(file: String) throws {
        let expected = Self.golden.results[file]!
        let base = try CSVTable(path: "\(Self.fixtures)/results-imagenet.csv").values("top1", keyedBy: ["model", "img_size"])
        let other = try CSVTable(path: "\(Self.fixtures)/\(file)").values("top1", keyedBy: ["model", "img_size"])
        let columns = [(name: "imagenet", values: base.values), (name: file, values: other.values)]
        let probit = try ColumnCorrelations(columns: columns, reference: "imagenet", space: .probit, percent: true).rows[0]
        #expect(probit.n == expected.probit.n)
        let fit = try #require(probit.fit)
        for (name, actual, reference) in [("slope", fit.slope, expected.probit.slope), ("intercept", fit.intercept, expected.probit.intercept),
                                          ("R²", fit.rSquared, expected.probit.r2), ("slope SE", fit.standardErrors[1], expected.probit.slope_se),
                                          ("intercept SE", fit.standardErrors[0], expected.probit.intercept_se)] {
            #expect(closeRelative(actual, reference), "\(file) probit \(name): \(actual) vs \(reference)")
        }
        let raw = try ColumnCorrelations(columns: columns, reference: "imagenet").rows[0]
        #expect(raw.n == expected.n)
        #expect(closeRelative(try #require(raw.spearman).coefficient, expected.spearman[0]))
        #expect(closeRelative(try #require(raw.kendall).coefficient, expected.kendall[0]))
        #expect(closeRelative(try #require(raw.pearson).coefficient, expected.pearson[0]))
    }

    @Test func correlateReportsWhatItLeftOut() throws {
        let columns = [(name: "ref", values: ["a": 10.0, "b": 50, "c": 70, "d": 90, "e": 100]),
                       (name: "c1", values: ["a": 20.0, "b": 40, "c": 60, "d": 95, "z": 1]),
                       (name: "flat", values: ["a": 5.0, "b": 5, "c": 5, "d": 5])]
        let result = try ColumnCorrelations(columns: columns, reference: "ref", space: .probit, percent: true, minimumReference: 20)
        // c1: e only in ref, z only in c1, a below 20 → b, c, d remain (all inside (0, 1)).
        #expect(result.rows[0].n == 3 && result.rows[0].onlyInReference == 1 && result.rows[0].onlyInColumn == 1 && result.rows[0].belowMinimum == 1)
        #expect(result.rows[1].spearman == nil && result.rows[1].undefinedReasons.contains { $0.contains("constant") })
        let table = result.table(source: "test")
        #expect(table.notes.contains("c1: left out 1 rows only in ref, 1 only in c1, 1 below the ref threshold"))
        // 100 % is outside (0, 1) for a probit: left out and counted.
        let edge = try ColumnCorrelations(columns: [(name: "ref", values: ["a": 100.0, "b": 50, "c": 60, "d": 70]),
                                                    (name: "y", values: ["a": 90.0, "b": 40, "c": 50, "d": 65])],
                                          reference: "ref", space: .probit, percent: true)
        #expect(edge.rows[0].outsideUnitInterval == 1 && edge.rows[0].n == 3)
        #expect(throws: StatisticError.self) { try ColumnCorrelations(columns: columns, reference: "nope") }
    }

    /// Hand derivation: baseline a = (50, 40); b = (60, 52), c = (75, 70): improvements x = (0, 0.2, 0.5),
    /// y = (0, 0.3, 0.75) = 1.5·x exactly, so slope 1.5, intercept 0, R = 1, and the order is the same (τ-b = 1).
    @Test func relativeImprovementByHand() throws {
        let t = try RelativeImprovementTable(x: ("imagenet", ["a": 50, "b": 60, "c": 75, "only-x": 1]), y: ("imagenot", ["a": 40, "b": 52, "c": 70]), baseline: "a")
        #expect(t.models == ["c", "b", "a"])
        #expect(t.xImprovement == [0.5, 0.2, 0])
        #expect(abs(t.yImprovement[0] - 0.75) < 1e-15 && abs(t.yImprovement[1] - 0.3) < 1e-15)
        #expect(abs(try #require(t.fit).slope - 1.5) < 1e-12 && abs(t.fit!.intercept) < 1e-12)
        #expect(abs(try #require(t.pearsonR).coefficient - 1) < 1e-12)
        #expect(t.kendall?.coefficient == 1)
        #expect(t.leftOut == ["only-x"])
        #expect(throws: StatisticError.self) { try RelativeImprovementTable(x: ("x", ["a": 1]), y: ("y", ["b": 1]), baseline: "a") }
    }

    @Test func badCSVIsReportedWithFileAndLine() {
        #expect(throws: CSVTable.Error(path: "t.csv", line: 3, reason: "2 fields, the header has 3")) {
            try CSVTable(text: "a,b,c\n1,2,3\n4,5\n", path: "t.csv")
        }
        #expect(throws: CSVTable.Error(path: "t.csv", line: 3, reason: "column b: \"NaN\" is not a finite number; expected a decimal number such as 12, -0.5, .25 or 1.5e-3, or an empty cell for a missing value")) {
            try CSVTable(text: "a,b\nx,1\ny,NaN\n", path: "t.csv").values("b", keyedBy: ["a"])
        }
        #expect(throws: CSVTable.Error(path: "t.csv", line: 3, reason: "duplicate key x (key columns: a)")) {
            try CSVTable(text: "a,b\nx,1\nx,2\n", path: "t.csv").values("b", keyedBy: ["a"])
        }
        #expect(throws: CSVTable.Error(path: "t.csv", line: 1, reason: "no column \"z\"; columns are a, b")) {
            try CSVTable(text: "a,b\nx,1\n", path: "t.csv").values("z", keyedBy: ["a"])
        }
    }

    @Test func quotedFieldsParse() throws {
        let table = try CSVTable(text: "name,v\n\"a, \"\"b\"\"\",1\r\n\"line\nbreak\",2\n")
        #expect(table.rows == [["a, \"b\"", "1"], ["line\nbreak", "2"]])
    }
}
