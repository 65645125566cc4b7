import Analyze
import Foundation
import Testing

/// Cases a hostile probe of the analyses found (2026-12-04).
@Suite struct AnalyzeProbeRegressionTests {
    /// A `|` in a column name or cell split a Markdown row into one cell too many.
    @Test func markdownEscapesPipes() {
        let table = ResultTable(title: "t", columns: ["model", "f|g"], rows: [[.text("a|b"), .number(0.5, digits: 2)]])
        let lines = table.markdown.split(separator: "\n").filter { $0.hasPrefix("|") }
        #expect(lines.count == 3)
        for line in lines {
            let unescaped = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            #expect(unescaped == 3, "\(line)")
        }
    }

    /// A negative baseline accuracy flipped every sign (hand derivation: (80 − (−50))/(−50) = −2.6 was printed).
    @Test func relativeImprovementNeedsPositiveAccuracies() throws {
        #expect(throws: (any Error).self) { try relativeImprovement(["base": -50, "m": 80], baseline: "base") }
        #expect(throws: (any Error).self) { try relativeImprovement(["base": 50, "m": -1], baseline: "base") }
        // (60 − 50)/50 = 0.2 exactly representable? 10/50 = 0.2 → the nearest double, as computed.
        #expect(try relativeImprovement(["base": 50, "m": 60], baseline: "base")["m"] == 10.0 / 50.0)
    }
}
