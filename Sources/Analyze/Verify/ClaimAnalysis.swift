import Archive
import Foundation

/// The analyses a claim can name, each a function of one published table.
///
/// Column expressions (arguments x, y, restricted, added, predictors):
/// - a column name, or `mean(a|b|c)`: the per-row mean of the named columns after scaling and transforming each;
/// - `predictors` is a `+`-separated list of expressions.
/// Optional arguments, applied in this order:
/// - `where=column>=value` (also `>`, `<=`, `<`): keep rows whose printed value satisfies it;
/// - `scale=percent` (columns not ending in `_pct` × 100) or `scale=fraction` (`_pct` columns ÷ 100); default: as printed;
/// - `transform=logit` (needs fractions), `standardize` ((v − mean)/sd, sample sd, over the kept rows) or
///   `logit-standardize` (both); applied to each column before any mean.
/// Rows with an empty cell in a used column are left out (and counted).
///
/// Analyses: pearson-r/-p, spearman-rho/-p, kendall-tau/-p (x, y); slope (OLS of y on x); f-test-F/-p (nested OLS:
/// y on `restricted` versus y on `restricted` + `added`); adjusted-r2 (y on `predictors`); mean (of `column` over the
/// kept rows); difference (in row `row`: `minuend` − `subtrahend`).
public enum ClaimAnalysis: String, CaseIterable, Sendable {
    case pearsonR = "pearson-r", pearsonP = "pearson-p"
    case spearmanRho = "spearman-rho", spearmanP = "spearman-p"
    case kendallTau = "kendall-tau", kendallP = "kendall-p"
    case slope
    case fTestF = "f-test-F", fTestP = "f-test-p"
    case adjustedR2 = "adjusted-r2"
    case mean
    case difference

    public static let optionalArguments = ["where", "scale", "transform"]

    public var requiredArguments: [String] {
        switch self {
        case .pearsonR, .pearsonP, .spearmanRho, .spearmanP, .kendallTau, .kendallP, .slope: return ["x", "y"]
        case .fTestF, .fTestP: return ["y", "restricted", "added"]
        case .adjustedR2: return ["y", "predictors"]
        case .mean: return ["column"]
        case .difference: return ["row", "minuend", "subtrahend"]
        }
    }

    /// Arguments that name one column expression (a column or `mean(a|b|…)`); `predictors` is a `+`-separated list of them.
    static let expressionArguments = ["x", "y", "restricted", "added", "column"]

    /// Records every malformed argument (`arguments.x` = "mean()": …), so that evaluation never meets an empty
    /// expression: each expression names ≥ 1 column, `predictors` ≥ 1 expression, `row`/`minuend`/`subtrahend` a
    /// non-empty name, and `where`, `scale`, `transform` one of their forms. Missing and unknown arguments are the
    /// caller's (`Claim.load`).
    public func check(_ arguments: [String: String], into c: inout SpecCheck) {
        func expression(_ text: String, _ field: String) {
            let rule = "must be a column name or mean(a|b|…) naming at least one column"
            let t = text.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { c.fail(field, SpecCheck.quote(text), rule); return }
            if t.hasPrefix("mean(") || t.hasSuffix(")") {
                guard t.hasPrefix("mean("), t.hasSuffix(")"), t.count > 6 else { c.fail(field, SpecCheck.quote(text), rule); return }
                let names = t.dropFirst(5).dropLast().split(separator: "|", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if names.isEmpty || names.contains(where: \.isEmpty) || names.contains(where: { $0.contains("(") || $0.contains(")") }) {
                    c.fail(field, SpecCheck.quote(text), rule)
                }
            } else if t.contains("(") || t.contains("|") {
                c.fail(field, SpecCheck.quote(text), rule)
            }
        }
        for key in Self.expressionArguments { if let e = arguments[key] { expression(e, "arguments." + key) } }
        if let p = arguments["predictors"] {
            let terms = p.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
            if terms.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                c.fail("arguments.predictors", SpecCheck.quote(p), "must be one or more column expressions separated by +")
            } else {
                for (i, term) in terms.enumerated() { expression(term, "arguments.predictors[\(i)]") }
            }
        }
        for key in ["row", "minuend", "subtrahend"] {
            if let v = arguments[key], v.trimmingCharacters(in: .whitespaces).isEmpty { c.fail("arguments." + key, SpecCheck.quote(v), "must name a \(key == "row" ? "row" : "column")") }
        }
        if let condition = arguments["where"] {
            let op = [">=", "<=", ">", "<"].first { condition.contains($0) }
            let parts = op.map { condition.components(separatedBy: $0) } ?? []
            if parts.count != 2 || parts[0].trimmingCharacters(in: .whitespaces).isEmpty
                || !(Double(parts[1].trimmingCharacters(in: .whitespaces))?.isFinite ?? false) {
                c.fail("arguments.where", SpecCheck.quote(condition), "must be column>=number (or >, <=, <)")
            }
        }
        if let scale = arguments["scale"] { c.oneOf(scale, "arguments.scale", ["as-printed", "percent", "fraction"]) }
        if let transform = arguments["transform"] { c.oneOf(transform, "arguments.transform", ["none", "logit", "standardize", "logit-standardize"]) }
    }

    /// Rank statistics: ties in the printed inputs can change them.
    public var usesRanks: Bool { [.spearmanRho, .spearmanP, .kendallTau, .kendallP].contains(self) }
    /// Computed across rows (so leaving one out is a meaningful alternative subset).
    public var acrossRows: Bool { self != .difference }

    /// The statistic on `table` (throws `VerifyError` or `StatisticError` when undefined).
    public func evaluate(_ table: PrintedTable, _ arguments: [String: String]) throws -> Double {
        if self == .difference {
            let i = try table.rowIndex(arguments["row"]!)
            func cell(_ column: String) throws -> Double {
                guard let c = table.cells[i][try table.columnIndex(column)] else { throw VerifyError("row \(arguments["row"]!): \(column) is empty") }
                return c.value
            }
            return try cell(arguments["minuend"]!) - cell(arguments["subtrahend"]!)
        }
        let frame = try ColumnFrame(table: table, arguments: arguments)
        let a = arguments
        switch self {
        case .pearsonR: return try pearson(frame.values(a["x"]!), frame.values(a["y"]!)).coefficient
        case .pearsonP: return try pearson(frame.values(a["x"]!), frame.values(a["y"]!)).pValue
        case .spearmanRho: return try spearman(frame.values(a["x"]!), frame.values(a["y"]!)).coefficient
        case .spearmanP: return try spearman(frame.values(a["x"]!), frame.values(a["y"]!)).pValue
        case .kendallTau: return try kendallTauB(frame.values(a["x"]!), frame.values(a["y"]!)).coefficient
        case .kendallP: return try kendallTauB(frame.values(a["x"]!), frame.values(a["y"]!)).pValue
        case .slope: return try ordinaryLeastSquares(y: frame.values(a["y"]!), regressors: [frame.values(a["x"]!)]).slope
        case .fTestF, .fTestP:
            let y = try frame.values(a["y"]!), r = try frame.values(a["restricted"]!), added = try frame.values(a["added"]!)
            let test = try nestedFTest(full: ordinaryLeastSquares(y: y, regressors: [r, added]), restricted: ordinaryLeastSquares(y: y, regressors: [r]))
            return self == .fTestF ? test.f : test.pValue
        case .adjustedR2:
            let predictors = try a["predictors"]!.split(separator: "+").map { try frame.values($0.trimmingCharacters(in: .whitespaces)) }
            return try ordinaryLeastSquares(y: frame.values(a["y"]!), regressors: predictors).adjustedRSquared
        case .mean:
            let v = try frame.values(a["column"]!)
            guard !v.isEmpty else { throw StatisticError.tooFewObservations(needed: 1, got: 0) }
            let e = BinaryScaling.exponent(v)  // Σ of values near 1.8e308 overflows; scaled by 2^−e it cannot (same bits otherwise)
            return scalbn(BinaryScaling.scaled(v, by: e).reduce(0, +) / Double(v.count), e)
        case .difference: fatalError("handled above")
        }
    }

    /// Column names an expression refers to.
    static func columns(in expression: String) -> [String] {
        if expression.hasPrefix("mean("), expression.hasSuffix(")") {
            return expression.dropFirst(5).dropLast().split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return [expression]
    }

    /// Every column the claim's arguments use.
    static func usedColumns(_ arguments: [String: String]) -> [String] {
        var names: [String] = []
        for key in ["x", "y", "restricted", "added", "column"] { if let e = arguments[key] { names += columns(in: e) } }
        if let p = arguments["predictors"] { for e in p.split(separator: "+") { names += columns(in: e.trimmingCharacters(in: .whitespaces)) } }
        return names
    }
}

/// The kept rows of a table, with each used column scaled and transformed as the claim asks.
struct ColumnFrame {
    var columns: [String: [Double]] = [:]
    var rowNames: [String] = []

    init(table: PrintedTable, arguments: [String: String]) throws {
        let used = ClaimAnalysis.usedColumns(arguments)
        var keep = Array(table.rowNames.indices)
        if let condition = arguments["where"] {
            let ops = [">=", "<=", ">", "<"]
            guard let op = ops.first(where: { condition.contains($0) }) else { throw VerifyError("where=\(condition): expected column>=value (or >, <=, <)") }
            let parts = condition.components(separatedBy: op)
            guard parts.count == 2, let bound = Double(parts[1].trimmingCharacters(in: .whitespaces)) else { throw VerifyError("where=\(condition): expected column\(op)number") }
            let j = try table.columnIndex(parts[0].trimmingCharacters(in: .whitespaces))
            keep = keep.filter { i in
                guard let v = table.cells[i][j]?.value else { return false }
                switch op { case ">=": return v >= bound; case "<=": return v <= bound; case ">": return v > bound; default: return v < bound }
            }
        }
        let indices = try used.map { try table.columnIndex($0) }
        keep = keep.filter { i in indices.allSatisfy { table.cells[i][$0] != nil } }
        rowNames = keep.map { table.rowNames[$0] }
        let scale = arguments["scale"] ?? "as-printed"
        guard ["as-printed", "percent", "fraction"].contains(scale) else { throw VerifyError("scale=\(scale): expected percent, fraction or as-printed") }
        let transform = arguments["transform"] ?? "none"
        guard ["none", "logit", "standardize", "logit-standardize"].contains(transform) else {
            throw VerifyError("transform=\(transform): expected none, logit, standardize or logit-standardize")
        }
        for (name, j) in zip(used, indices) where columns[name] == nil {
            let isPercent = name.hasSuffix("_pct")
            var v = keep.map { table.cells[$0][j]!.value }
            if scale == "percent" && !isPercent { v = v.map { $0 * 100 } }
            if scale == "fraction" && isPercent { v = v.map { $0 / 100 } }
            if transform.hasPrefix("logit") { v = try v.map { try Transform.logit($0) } }
            if transform.hasSuffix("standardize") { v = try Transform.standardize(v) }
            columns[name] = v
        }
    }

    func values(_ expression: String) throws -> [Double] {
        let names = ClaimAnalysis.columns(in: expression)
        let series = names.map { columns[$0]! }
        guard names.count > 1 else { return series[0] }
        return rowNames.indices.map { i in series.reduce(0) { $0 + $1[i] } / Double(series.count) }
    }
}
