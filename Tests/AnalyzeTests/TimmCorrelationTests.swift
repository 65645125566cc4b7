import Analyze
import Foundation
import Testing

/// Real data: ImageNet top-1 against each other test set of the timm tables, joined on (model, img_size), compared with
/// scipy (scripts/golden/timm_correlations.py).
@Suite struct TimmCorrelationTests {
    struct Golden: Decodable {
        struct Result: Decodable { var n: Int; var pearson: [Double]; var spearman: [Double]; var kendall: [Double] }
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

    @Test func badCSVIsReportedWithFileAndLine() {
        #expect(throws: CSVTable.Error(path: "t.csv", line: 3, reason: "2 fields, the header has 3")) {
            try CSVTable(text: "a,b,c\n1,2,3\n4,5\n", path: "t.csv")
        }
        #expect(throws: CSVTable.Error(path: "t.csv", line: 3, reason: "column b: \"NaN\" is not a finite number")) {
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
