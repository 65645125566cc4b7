import Foundation

/// Every column of a keyed table against one reference column: the transfer paper's Table 2 (per-dataset correlation
/// and slope against ImageNet accuracy, above a threshold) and the timm analysis (ImageNet top-1 against each
/// distribution-shift test set, in probit space). Runs on a CSV file or on a published table in the archive.
///
/// For each column c ≠ reference, over the keys with a value in both (pairwise complete; keys only on one side are
/// counted and reported):
/// - rows whose reference value is below `minimumReference` (raw units) are left out first;
/// - values are mapped into `space`: raw; logit(v/s) or probit(v/s) with s = 100 when `percent` (else 1), which must
///   lie strictly inside (0, 1) — rows outside are left out and counted;
/// - Pearson r, Spearman ρ (average ranks) and Kendall τ-b, each with its two-sided p-value, and the OLS fit
///   c = intercept + slope · reference with R² and the slope's standard error, all on the mapped values.
/// A statistic that is undefined (fewer than 3 rows, a constant side) is a missing cell, with the reason in a note.
/// Two columns with one name are refused (throws) unless they hold the same values, when the repeat is dropped: a
/// name must say which numbers a row is about.
public struct ColumnCorrelations: Sendable {
    public enum Space: String, CaseIterable, Sendable { case raw, logit, probit }

    public struct Row: Sendable {
        public var column: String
        public var n: Int
        public var onlyInReference: Int, onlyInColumn: Int, belowMinimum: Int, outsideUnitInterval: Int
        public var pearson: Correlation?, spearman: Correlation?, kendall: Correlation?
        public var fit: LinearFit?
        public var undefinedReasons: [String]
    }

    public var reference: String
    public var space: Space
    public var rows: [Row]

    public init(columns: [(name: String, values: [String: Double])], reference: String, space: Space = .raw, percent: Bool = false,
                minimumReference: Double? = nil) throws {
        guard let ref = columns.first(where: { $0.name == reference })?.values else {
            throw StatisticError.undefined("no column \"\(reference)\"; columns are \(columns.map(\.name).joined(separator: ", "))")
        }
        var byName: [String: [String: Double]] = [:], unique: [(name: String, values: [String: Double])] = []
        for column in columns {
            if let earlier = byName[column.name] {
                guard earlier == column.values else { throw StatisticError.undefined("two different columns are named \"\(column.name)\"") }
                continue
            }
            byName[column.name] = column.values
            unique.append(column)
        }
        let columns = unique
        self.reference = reference; self.space = space
        let scale = percent ? 100.0 : 1.0
        func map(_ v: Double) -> Double? {
            switch space {
            case .raw: return v
            case .logit: return try? Transform.logit(v / scale)
            case .probit: return try? Transform.probit(v / scale)
            }
        }
        rows = columns.filter { $0.name != reference }.map { column in
            let paired = PairedColumns(ref, column.values)
            var x: [Double] = [], y: [Double] = [], below = 0, outside = 0
            for (a, b) in zip(paired.x, paired.y) {
                if let m = minimumReference, a < m { below += 1; continue }
                guard let u = map(a), let v = map(b) else { outside += 1; continue }
                x.append(u); y.append(v)
            }
            var reasons: [String] = []
            func attempt<T>(_ name: String, _ body: () throws -> T) -> T? {
                do { return try body() } catch { reasons.append("\(name): \(error)"); return nil }
            }
            return Row(column: column.name, n: x.count, onlyInReference: paired.onlyInX, onlyInColumn: paired.onlyInY,
                       belowMinimum: below, outsideUnitInterval: outside,
                       pearson: attempt("Pearson") { try pearson(x, y) }, spearman: attempt("Spearman") { try spearman(x, y) },
                       kendall: attempt("Kendall") { try kendallTauB(x, y) },
                       fit: attempt("OLS") { try ordinaryLeastSquares(y: y, regressors: [x]) }, undefinedReasons: reasons)
        }
    }

    /// One row per column: n, r, ρ, τ-b with p-values, slope ± SE, intercept, R²; notes give the definitions and
    /// every row left out and why.
    public func table(source: String) -> ResultTable {
        let spaceText = space == .raw ? "" : " (\(space.rawValue) space)"
        var notes = ["\(source); each column against \(reference), over the rows with both values\(spaceText); p-values two-sided; OLS: column = intercept + slope · \(reference)"]
        for r in rows {
            var dropped: [String] = []
            if r.onlyInReference > 0 { dropped.append("\(r.onlyInReference) rows only in \(reference)") }
            if r.onlyInColumn > 0 { dropped.append("\(r.onlyInColumn) only in \(r.column)") }
            if r.belowMinimum > 0 { dropped.append("\(r.belowMinimum) below the \(reference) threshold") }
            if r.outsideUnitInterval > 0 { dropped.append("\(r.outsideUnitInterval) outside (0, 1) for the \(space.rawValue)") }
            if !dropped.isEmpty { notes.append("\(r.column): left out \(dropped.joined(separator: ", "))") }
            if !r.undefinedReasons.isEmpty { notes.append("\(r.column): " + r.undefinedReasons.joined(separator: "; ")) }
        }
        return ResultTable(
            title: "Each column against \(reference)\(spaceText)",
            columns: ["column", "n", "Pearson r", "p", "Spearman ρ", "p", "Kendall τ-b", "p", "slope", "± SE", "intercept", "R²"],
            rows: rows.map { r in
                [.text(r.column), .integer(r.n), .number(r.pearson?.coefficient, digits: 4), .number(r.pearson?.pValue, digits: 4),
                 .number(r.spearman?.coefficient, digits: 4), .number(r.spearman?.pValue, digits: 4),
                 .number(r.kendall?.coefficient, digits: 4), .number(r.kendall?.pValue, digits: 4),
                 .number(r.fit?.slope, digits: 4), .number(r.fit?.standardErrors[1], digits: 4), .number(r.fit?.intercept, digits: 4),
                 .number(r.fit?.rSquared, digits: 4)]
            },
            notes: notes)
    }
}
