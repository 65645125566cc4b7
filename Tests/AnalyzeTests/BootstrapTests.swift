import Analyze
import Foundation
import Testing
import TestSupport

/// The seeded percentile bootstrap against numpy/scipy on the same resamples (scripts/golden/bootstrap.py draws the
/// indices with the documented SplitMix64 rule; the statistic and the quantiles are scipy's and numpy's).
struct BootstrapTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            var name: String; var x: [Double]; var y: [Double]; var resamples: Int; var confidence: Double; var seed: UInt64
            var estimate: Double; var lower: Double; var upper: Double; var undefined: Int
        }
        struct Relative: Decodable { var accuracies: [String: Double]; var baseline: String; var expected: [String: Double] }
        var cases: [Case]
        var relative_improvement: Relative
    }

    static let golden = try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("golden/bootstrap.json")))

    @Test(arguments: golden.cases.map(\.name))
    func matchesNumpyOnTheSameResamples(name: String) throws {
        let c = Self.golden.cases.first { $0.name == name }!
        let r = try bootstrapInterval(c.x, c.y, resamples: c.resamples, confidence: c.confidence, seed: c.seed) { try spearman($0, $1).coefficient }
        #expect(closeRelative(r.estimate, c.estimate) && closeRelative(r.lower, c.lower) && closeRelative(r.upper, c.upper),
                "\(name): [\(r.lower), \(r.upper)] vs numpy [\(c.lower), \(c.upper)]")
        #expect(r.undefined == c.undefined)
        // The O(n) Spearman path is the same computation, bit for bit.
        #expect(try bootstrapSpearmanInterval(c.x, c.y, resamples: c.resamples, confidence: c.confidence, seed: c.seed) == r)
    }

    /// Same interval with 1, 2 and 3 threads; a different seed gives a different interval.
    @Test func independentOfThreadCount() throws {
        let c = Self.golden.cases[0]
        let runs = try [1, 2, 3].map { t in
            try bootstrapInterval(c.x, c.y, resamples: 500, seed: 1, threads: t) { try spearman($0, $1).coefficient }
        }
        #expect(runs[0] == runs[1] && runs[1] == runs[2])
        #expect(try bootstrapInterval(c.x, c.y, resamples: 500, seed: 2) { try spearman($0, $1).coefficient } != runs[0])
    }

    @Test func undefinedInputs() {
        #expect(throws: StatisticError.tooFewObservations(needed: 3, got: 2)) {
            try bootstrapInterval([1, 2], [1, 2]) { try spearman($0, $1).coefficient }
        }
        #expect(throws: StatisticError.self) { try relativeImprovement(["a": 1], baseline: "b") }
        #expect(throws: StatisticError.self) { try relativeImprovement(["a": 0], baseline: "a") }
    }

    @Test func relativeImprovementOverABaseline() throws {
        let g = Self.golden.relative_improvement
        let r = try relativeImprovement(g.accuracies, baseline: g.baseline)
        for (model, expected) in g.expected { #expect(closeRelative(r[model]!, expected)) }
    }
}

/// Knight's O(n log n) pair count equals the plain O(n²) count, with and without ties (including ties in both).
struct KendallPairCountTests {
    @Test(arguments: [3, 7, 50, 400])
    func fastCountEqualsReference(n: Int) {
        var g = SplitMix64(seed: UInt64(n))
        for levels in [3, 10, 1_000_000] {
            let x = (0..<n).map { _ in Double(g.next(below: levels)) }
            let y = (0..<n).map { _ in Double(g.next(below: levels)) }
            let fast = concordantDiscordantPairs(x, y), plain = concordantDiscordantPairsReference(x, y)
            #expect(fast == plain, "n = \(n), \(levels) levels")
        }
    }
}

/// The all-pairs matrix equals pair-by-pair `PairedColumns` + `spearman`/`kendallTauB` (which TimmCorrelationTests
/// hold to scipy), whatever the thread count.
struct AllPairsTests {
    @Test func equalsPairByPair() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fixtures/timm-results").standardized.path
        let names = ["results-imagenet.csv", "results-imagenet-r.csv", "results-sketch.csv", "results-imagenet-a.csv"]
        let columns = try names.map { try CSVTable(path: "\(folder)/\($0)").values("top1", keyedBy: ["model", "img_size"]).values }
        let one = AllPairsCorrelations(columns: columns, threads: 1), two = AllPairsCorrelations(columns: columns, threads: 2)
        #expect(one.entries.count == 6)
        for (e, f) in zip(one.entries, two.entries) {
            let p = PairedColumns(columns[e.first], columns[e.second])
            #expect(e.n == p.keys.count)
            let rho = try spearman(p.x, p.y), tau = try kendallTauB(p.x, p.y)
            #expect(e.spearman == rho && e.kendall == tau)
            #expect(f.spearman == e.spearman && f.kendall == e.kendall)
        }
    }

    /// Synthetic columns that exercise every path of the shared-work algorithm: heavy ties (3 levels), missing keys,
    /// a constant column, a column with a NaN, one sharing only 2 keys with the others, unicode keys; each entry equals
    /// pair-by-pair `spearman`/`kendallTauB` exactly (nil where they throw), with 1 and 3 threads.
    @Test func equalsPairByPairOnAwkwardColumns() {
        var g = SplitMix64(seed: 5)
        func column(levels: Int, keep: Int) -> [String: Double] {
            var out: [String: Double] = [:]
            for k in 0..<300 where g.next(below: 10) < keep { out["modèl-\(k)|\(k % 7 == 0 ? 288 : 224)"] = Double(g.next(below: levels)) / 4 }
            return out
        }
        var columns = [column(levels: 3, keep: 9), column(levels: 1_000_000, keep: 8), column(levels: 3, keep: 10),
                       column(levels: 40, keep: 7), column(levels: 1, keep: 9), ["modèl-1|224": 1, "modèl-2|224": 2]]
        var withNaN = column(levels: 50, keep: 9)
        withNaN[withNaN.keys.sorted()[3]] = .nan
        columns.append(withNaN)
        let one = AllPairsCorrelations(columns: columns, threads: 1), three = AllPairsCorrelations(columns: columns, threads: 3)
        #expect(one.entries.count == 21)
        var defined = 0
        for (e, f) in zip(one.entries, three.entries) {
            let p = PairedColumns(columns[e.first], columns[e.second])
            #expect(e.n == p.keys.count)
            let rho = try? spearman(p.x, p.y), tau = try? kendallTauB(p.x, p.y)
            #expect(e.spearman == rho && e.kendall == tau, "pair \(e.first), \(e.second)")
            #expect(f.spearman == e.spearman && f.kendall == e.kendall)
            if rho != nil { defined += 1 }
        }
        #expect(defined == 6, "pairs among the four ordinary columns")
    }
}
