import Foundation

/// The FEAR seed's Table 1 for one dataset of a study: per ranking method, its wall-clock cost and its agreement with
/// the fully trained ground truth in top-x% bins (`rankingAgreement`: Spearman over the ground truth's top k, common
/// ratio of the two top-k sets), plus the fraction of pairs it orders correctly (`pairwiseOrderAccuracy`). The majority
/// vote of synflow, jacob_cov and snip is added as a pairs-only row when all three were scored.
/// Each method is judged on the architectures it scored (n column); a method that scored fewer than 3 has no numbers.
public struct RankingTable: Sendable {
    public struct Method: Sendable {
        public var label: String
        public var scores: [Double?]
        public var seconds: Double
        public init(label: String, scores: [Double?], seconds: Double) { self.label = label; self.scores = scores; self.seconds = seconds }
    }

    public var spearman: ResultTable
    public var commonRatio: ResultTable
    /// Seconds (x) against Spearman over all scored architectures (y), one point per method: the seed's Figure 3.
    public var pareto: ScatterPlot
    /// (method, seconds, Spearman over all) behind `pareto`, for CSV export.
    public var paretoPoints: [(method: String, seconds: Double, spearman: Double)]

    public init(study: String, dataset: String, groundTruth: [Double?], methods: [Method], bins: [Int] = [10, 25, 50, 100],
                includeSeconds: Bool = true) throws {
        var spearmanRows: [[ResultTable.Cell]] = [], ratioRows: [[ResultTable.Cell]] = []
        var points: [(String, Double, Double)] = []
        for m in methods {
            let rows = groundTruth.indices.filter { groundTruth[$0] != nil && m.scores[$0] != nil }
            var rho: [Double?] = bins.map { _ in nil }, ratio: [Double?] = bins.map { _ in nil }
            var pairs: Double?
            if rows.count >= 3 {
                let agreement = try rankingAgreement(groundTruth: rows.map { groundTruth[$0]! }, method: rows.map { m.scores[$0]! }, percents: bins)
                rho = agreement.map(\.spearman)
                ratio = agreement.map(\.commonRatio)
                pairs = try? pairwiseOrderAccuracy(truth: groundTruth, scores: [m.scores]).accuracy
                if let all = agreement.last?.spearman, bins.last == 100 { points.append((m.label, m.seconds, all)) }
            }
            let head: [ResultTable.Cell] = [.text(m.label), .integer(rows.count)] + (includeSeconds ? [.number(m.seconds, digits: 1)] : [])
            spearmanRows.append(head + rho.map { .number($0, digits: 3) } + [.number(pairs, digits: 3)])
            ratioRows.append(head + ratio.map { .number($0, digits: 3) })
        }
        let voters = ["proxy synflow", "proxy jacob_cov", "proxy snip"].compactMap { l in methods.first { $0.label == l } }
        if voters.count == 3, let vote = try? pairwiseOrderAccuracy(truth: groundTruth, scores: voters.map(\.scores)) {
            let n = groundTruth.indices.filter { i in groundTruth[i] != nil && voters.allSatisfy { $0.scores[i] != nil } }.count
            spearmanRows.append([.text("vote (synflow, jacob_cov, snip)"), .integer(n)] + (includeSeconds ? [.number(voters.map(\.seconds).max(), digits: 1)] : [])
                                + bins.map { _ in .number(nil, digits: 3) } + [.number(vote.accuracy, digits: 3)])
        }
        let binColumns = bins.map { $0 == 100 ? "all" : "top \($0)%" }
        let truthCount = groundTruth.compactMap { $0 }.count
        let notes = [
            "Study \(study), dataset \(dataset): \(truthCount) architectures with ground truth (mean test top-1 accuracy of the fully trained runs).",
            "Top x%: the ground truth's best ⌊n·x/100⌋ architectures among those the method scored (archai's analysis_freeze_natsbench_space_new.py).",
        ] + (includeSeconds ? ["seconds: wall-clock spent by the method over all its architectures, training steps only, not the per-epoch test evaluation (proxies: all six computed together, so each proxy row shows the same cost)."] : [])
        spearman = ResultTable(title: "Ranking methods on \(dataset): Spearman ρ with the ground truth in top-x% bins (FEAR Table 1)",
                               columns: ["method", "n"] + (includeSeconds ? ["seconds"] : []) + binColumns.map { "ρ " + $0 } + ["pairs ordered"],
                               rows: spearmanRows,
                               notes: notes + ["pairs ordered: fraction of pairs with different ground truth that the score orders the same way (the vote: 2 of 3)."])
        commonRatio = ResultTable(title: "Ranking methods on \(dataset): common ratio of the top-x% sets",
                                  columns: ["method", "n"] + (includeSeconds ? ["seconds"] : []) + binColumns.map { "CR " + $0 }, rows: ratioRows, notes: notes)
        paretoPoints = points
        var plot = ScatterPlot(title: "\(study) \(dataset): cost vs Spearman (all)", xLabel: "wall-clock seconds",
                               yLabel: "Spearman ρ with ground truth", x: points.map(\.1), y: points.map(\.2))
        plot.highlight = 0
        pareto = plot
    }
}
