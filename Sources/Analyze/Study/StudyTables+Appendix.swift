import Archive
import Foundation

/// The appendix analyses of the representative-basis seed, computed for a study:
/// - App. D `monotoneSubpopulations` + `ecdfPlots`: the error distribution of the architectures whose block depth,
///   block width, bottleneck ratio or group width is ascending across stages, against the whole population's;
/// - App. B.3 `trainingNoise`: how much of the error's spread comes from training noise (seeds) and how much from the
///   architecture;
/// - App. B.4 `topOneVersusTopFive`: whether top-1 and top-5 error order the architectures the same way.
extension StudyTables {
    /// The four restrictions of App. D. "Ascending" = non-decreasing from each stage to the next (vᵢ ≤ vᵢ₊₁), the
    /// definition of the design-space paper's restricted spaces and of `AnyNetXSampler.monotone`; the bottleneck ratio
    /// is b = 1 / bottleneckMultiplier (pycls stores the multiplier). An architecture whose spec lacks the field is
    /// in no sub-population.
    public static let monotoneRestrictions: [(label: String, field: String)] = [
        ("block depth ascending", "depth"), ("block width ascending", "width"),
        ("bottleneck ratio ascending", "bottleneck"), ("group width ascending", "groupWidth"),
    ]

    /// Whether architecture `index` satisfies the restriction on `field` (see `monotoneRestrictions`).
    func isAscending(_ field: String, architecture index: Int) -> Bool {
        guard case .array(let stages)? = study.architectures[index].spec["stages"] else { return false }
        var values: [Double] = []
        for stage in stages {
            let key = field == "bottleneck" ? "bottleneckMultiplier" : field
            guard let v = stage[key]?.doubleValue, v > 0 else { return false }
            values.append(field == "bottleneck" ? 1 / v : v)
        }
        return !values.isEmpty && zip(values, values.dropFirst()).allSatisfy { $0 <= $1 }
    }

    /// Errors on `label` of the architectures in `members` (missing ones left out).
    func errors(on label: String, of members: [Int]) -> [Double] {
        members.compactMap { errors.errors[label]?[$0] ?? nil }
    }

    /// Median of a non-empty sample: the middle value, or the mean of the two middle values.
    static func median(_ v: [Double]) -> Double? {
        guard !v.isEmpty else { return nil }
        let s = v.sorted(), m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// App. D (Figure 19): per dataset, the whole population and each ascending sub-population — n, median and mean
    /// error, and the fraction of the sub-population below the whole population's median error (0.5 = no better
    /// than the whole; a better-than-whole sub-population is above 0.5). Missing when the sub-population is empty.
    public var monotoneSubpopulations: ResultTable {
        var rows: [[ResultTable.Cell]] = []
        let everyone = Array(study.architectures.indices)
        for label in labels {
            let whole = errors(on: label, of: everyone)
            let wholeMedian = Self.median(whole)
            let populations = [("all architectures", everyone)] + Self.monotoneRestrictions.map { r in
                (r.label, everyone.filter { isAscending(r.field, architecture: $0) })
            }
            for (name, members) in populations {
                let e = errors(on: label, of: members)
                let mean = e.isEmpty ? nil : e.reduce(0, +) / Double(e.count)
                let below = wholeMedian.flatMap { m in e.isEmpty ? nil : Double(e.filter { $0 < m }.count) / Double(e.count) }
                rows.append([.text(label), .text(name), .integer(e.count), .number(Self.median(e), digits: 2), .number(mean, digits: 2), .number(below, digits: 3)])
            }
        }
        return ResultTable(title: "Error of the ascending sub-populations against the whole population (cf. App. D, Figure 19)",
                           columns: ["dataset", "population", "n", "median error", "mean error", "fraction below overall median"],
                           rows: rows,
                           notes: ["ascending: vᵢ ≤ vᵢ₊₁ across stages; bottleneck ratio b = 1/multiplier; errors are test top-1 (%)", coverageNote])
    }

    /// One eCDF figure per dataset: the whole population and the four ascending sub-populations.
    public var ecdfPlots: [(name: String, svg: String)] {
        let everyone = Array(study.architectures.indices)
        return labels.map { label in
            let series = [("all", errors(on: label, of: everyone))] + Self.monotoneRestrictions.map { r in
                (r.label.replacingOccurrences(of: " ascending", with: " ↑"),
                 errors(on: label, of: everyone.filter { isAscending(r.field, architecture: $0) }))
            }
            return ("ecdf-\(label).svg", ECDFPlot(title: "\(label): eCDF of test error", xLabel: "\(label) test error (%)",
                                                  series: series.map { (label: $0.0, values: $0.1) }).svg)
        }
    }

    /// App. B.3: per dataset, over the architectures trained with at least two seeds —
    /// within = √(mean over architectures of the sample variance across seeds) (pooled training-noise SD),
    /// between = sample SD (n − 1) of the architectures' mean errors, ratio = between / within, and the share of the
    /// total variance due to the architecture, between² / (between² + within²). The quartiles of all architectures'
    /// errors (as the paper quotes them) are given beside. Fewer than two such architectures, or within = 0, leaves
    /// the cells missing, with the reason in a note.
    public var trainingNoise: ResultTable {
        let seeds = errors.errorsBySeed.keys.sorted()
        var rows: [[ResultTable.Cell]] = []
        var reasons: [String] = []
        for label in labels {
            var variances: [Double] = [], means: [Double] = []
            for a in study.architectures.indices {
                let e = seeds.compactMap { errors.errorsBySeed[$0]?[label]?[a] ?? nil }
                guard e.count >= 2 else { continue }
                let m = e.reduce(0, +) / Double(e.count)
                variances.append(e.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(e.count - 1))
                means.append(m)
            }
            var within: Double?, between: Double?
            if means.count >= 2 {
                within = (variances.reduce(0, +) / Double(variances.count)).squareRoot()
                let grand = means.reduce(0, +) / Double(means.count)
                between = (means.reduce(0) { $0 + ($1 - grand) * ($1 - grand) } / Double(means.count - 1)).squareRoot()
            } else {
                reasons.append("\(label): \(means.count) architecture(s) with ≥ 2 seeds")
            }
            let ratio = within.flatMap { w in w > 0 ? between.map { $0 / w } : nil }
            let share = within.flatMap { w in between.flatMap { b in b * b + w * w > 0 ? b * b / (b * b + w * w) : nil } }
            let all = errors.errors[label]?.compactMap { $0 } ?? []
            func quantile(_ p: Double) -> Double? {   // linear interpolation between order statistics (numpy's default)
                guard !all.isEmpty else { return nil }
                let s = all.sorted(), h = p * Double(s.count - 1), i = Int(h.rounded(.down))
                return i + 1 < s.count ? s[i] + (h - Double(i)) * (s[i + 1] - s[i]) : s[i]
            }
            rows.append([.text(label), .integer(means.count), .number(within, digits: 3), .number(between, digits: 3), .number(ratio, digits: 2),
                         .number(share, digits: 3), .number(quantile(0.25), digits: 2), .number(quantile(0.5), digits: 2), .number(quantile(0.75), digits: 2)])
        }
        var notes = ["seeds in the archive: \(seeds.map(String.init).joined(separator: ", ")); within = pooled SD across seeds, between = SD of architecture means; q = quartiles of all architectures' errors (linear interpolation)"]
        if seeds.count < 2 {
            notes.append("within and between need ≥ 2 seeds per architecture; this study has \(seeds.count) (add seeds to its spec)")
        } else if !reasons.isEmpty {
            notes.append("missing: " + reasons.joined(separator: "; "))
        }
        return ResultTable(title: "Training noise versus architecture variance (cf. App. B.3)",
                           columns: ["dataset", "architectures ≥2 seeds", "within SD", "between SD", "between / within", "architecture share", "q0.25", "q0.5", "q0.75"],
                           rows: rows, notes: notes + [coverageNote])
    }

    /// App. B.4: per dataset, over architectures with both errors — Spearman ρ and Kendall τ-b of top-1 against top-5
    /// error, the pairs ordered oppositely by the two (discordant: one strictly lower on top-1 and strictly higher on
    /// top-5; ties on either side are not discordant), and whether the relation is monotone (no discordant pair).
    /// A constant top-5 error (e.g. every architecture 0 with ≤ 5 classes) leaves the coefficients missing.
    public var topOneVersusTopFive: ResultTable {
        var rows: [[ResultTable.Cell]] = []
        for label in labels {
            var x: [Double] = [], y: [Double] = []
            for a in study.architectures.indices {
                if let e1 = errors.errors[label]?[a] ?? nil, let e5 = errors.top5Errors[label]?[a] ?? nil { x.append(e1); y.append(e5) }
            }
            let rho = try? spearman(x, y).coefficient, tau = try? kendallTauB(x, y).coefficient
            let pairs = concordantDiscordantPairs(x, y)
            let total = x.count * (x.count - 1) / 2
            rows.append([.text(label), .integer(classes(label)), .integer(x.count), .number(rho, digits: 3), .number(tau, digits: 3),
                         .integer(pairs.discordant), .integer(total), .text(x.count < 2 ? "—" : Set(y).count == 1 ? "top-5 constant" : pairs.discordant == 0 ? "yes" : "no")])
        }
        return ResultTable(title: "Top-1 versus top-5 test error: do they order the architectures alike? (cf. App. B.4)",
                           columns: ["dataset", "classes", "n", "ρ", "τ-b", "discordant pairs", "pairs", "monotone"],
                           rows: rows,
                           notes: ["discordant: ordered oppositely by top-1 and top-5 error (ties are not discordant); ρ, τ-b missing when one side is constant (top-5 error is 0 for every architecture with ≤ 5 classes)", coverageNote])
    }
}
