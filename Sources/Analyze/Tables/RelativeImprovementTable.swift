import Foundation

/// The ImageNot comparison of two accuracy columns (e.g. ImageNet and ImageNot test accuracy of the same models):
/// per model, each accuracy, its rank (1 = highest; ties share their average rank) and its relative improvement over
/// the baseline model, rᵢ = (aᵢ − a_base)/a_base (`relativeImprovement`); then, over the models with both values,
/// Kendall τ-b between the two accuracy columns (τ = 1: the ranking is preserved exactly), and the OLS fit of the
/// y improvements on the x improvements (slope, intercept) with its Pearson R — the paper's Figure 1 fit, §4.2.
/// Undefined statistics are missing cells with the reason in a note; models missing on either side are listed.
public struct RelativeImprovementTable: Sendable {
    public var x: String, y: String, baseline: String
    public var models: [String]
    public var xValues: [Double], yValues: [Double]
    public var xImprovement: [Double], yImprovement: [Double]
    public var kendall: Correlation?, fit: LinearFit?, pearsonR: Correlation?
    public var reasons: [String] = []
    public var leftOut: [String] = []

    public init(x: (name: String, values: [String: Double]), y: (name: String, values: [String: Double]), baseline: String) throws {
        self.x = x.name; self.y = y.name; self.baseline = baseline
        let paired = PairedColumns(x.values, y.values)
        leftOut = Set(x.values.keys).symmetricDifference(y.values.keys).sorted()
        guard paired.keys.contains(baseline) else {
            throw StatisticError.undefined("the baseline \"\(baseline)\" has no value in both \(x.name) and \(y.name); models: \(paired.keys.joined(separator: ", "))")
        }
        let rx = try relativeImprovement(Dictionary(uniqueKeysWithValues: zip(paired.keys, paired.x)), baseline: baseline)
        let ry = try relativeImprovement(Dictionary(uniqueKeysWithValues: zip(paired.keys, paired.y)), baseline: baseline)
        // Models in decreasing x accuracy (ties by name), as the paper lists them.
        let order = paired.keys.indices.sorted { paired.x[$0] > paired.x[$1] || (paired.x[$0] == paired.x[$1] && paired.keys[$0] < paired.keys[$1]) }
        models = order.map { paired.keys[$0] }
        xValues = order.map { paired.x[$0] }; yValues = order.map { paired.y[$0] }
        xImprovement = models.map { rx[$0]! }; yImprovement = models.map { ry[$0]! }
        do { kendall = try kendallTauB(xValues, yValues) } catch { reasons.append("Kendall τ-b: \(error)") }
        do { fit = try ordinaryLeastSquares(y: yImprovement, regressors: [xImprovement]) } catch { reasons.append("OLS: \(error)") }
        do { pearsonR = try pearson(xImprovement, yImprovement) } catch { reasons.append("Pearson R: \(error)") }
    }

    /// Rank 1 = highest value; ties share the mean of their ranks.
    static func descendingRanks(_ v: [Double]) -> [Double] { averageRanks(v.map { -$0 }) }

    public var table: ResultTable {
        let rankX = Self.descendingRanks(xValues), rankY = Self.descendingRanks(yValues)
        var notes = ["relative improvement = (a − a_\(baseline)) / a_\(baseline); rank 1 = highest (ties: average rank)",
                     "Kendall τ-b(\(x), \(y)) = \(kendall.map { String(format: "%.4f (p = %.4g)", $0.coefficient, $0.pValue) } ?? "—"); "
                     + "fit of \(y) improvement on \(x) improvement: slope \(fit.map { String(format: "%.4f", $0.slope) } ?? "—"), "
                     + "intercept \(fit.map { String(format: "%.4f", $0.intercept) } ?? "—"), Pearson R \(pearsonR.map { String(format: "%.4f", $0.coefficient) } ?? "—"); n = \(models.count)"]
        if !leftOut.isEmpty { notes.append("left out (a value on one side only): " + leftOut.joined(separator: ", ")) }
        notes += reasons
        return ResultTable(
            title: "Relative improvement over \(baseline): \(x) and \(y) (cf. ImageNot §4.2)",
            columns: ["model", x, y, "rank \(x)", "rank \(y)", "rel. impr. \(x)", "rel. impr. \(y)"],
            rows: models.indices.map { i in
                [.text(models[i]), .number(xValues[i], digits: 3), .number(yValues[i], digits: 3), .number(rankX[i], digits: 1), .number(rankY[i], digits: 1),
                 .number(xImprovement[i], digits: 4), .number(yImprovement[i], digits: 4)]
            },
            notes: notes)
    }
}
