import Foundation
import SplitMix

/// Recomputes claims and judges each one.
///
/// Verdicts:
/// - reproduced: |recomputed − published| ≤ half a unit in the published value's last printed place;
/// - differs: otherwise, with the likeliest cause found by two probes, in this order:
///   1. rounding of the inputs — the claim is recomputed on `perturbationDraws` copies of its input table in which
///      every printed value moves uniformly within its own rounding interval (SplitMix64 seeded by the claim id, so
///      the report is the same every time); if the published value lies within the range of those results (widened
///      by its own half unit), the printed inputs are too coarse to settle it;
///   2. a different subset — for statistics over rows, the claim is recomputed with each single row left out; rows
///      whose removal reproduces the published value are named;
///   otherwise "differs beyond the rounding of the printed inputs"; for rank statistics, ties among the printed
///   inputs are mentioned (the unrounded values may have had none).
/// - cannot be checked: the claim needs runs no archive holds yet, its inputs are printed only in a figure, or the
///   statistic is undefined on the inputs (too few rows, a constant column, a result beyond Double's range) — with
///   the reason. Probes keep only finite recomputations.
/// A claim that does not fit its table (unknown column, text column, bad filter) is an error in the claims file.
public struct Verifier: Sendable {
    public var perturbationDraws = 400

    public init() {}

    public enum Verdict: String, Sendable { case reproduced, differs, cannotCheck = "cannot check" }

    public struct Result: Sendable {
        public var claim: Claim
        public var verdict: Verdict
        public var recomputed: Double?
        public var difference: Double? { recomputed.map { $0 - claim.published.value } }
        /// Why it differs or cannot be checked (empty when reproduced).
        public var reason: String
        /// Rows used (after filters) — for the report's provenance.
        public var rows: Int?
    }

    /// Verifies every claim of a claims file; input tables are read relative to the file's folder.
    public func verify(claimsFile path: String) throws -> [Result] {
        let claims = try Claim.load(path: path)
        let folder = (path as NSString).deletingLastPathComponent
        var tables: [String: PrintedTable] = [:]
        return try claims.map { claim in
            guard claim.isCheckable else {
                let why = claim.analysis == "needs-archive" ? "needs an archive of replayed runs" : "inputs printed only in a figure"
                return Result(claim: claim, verdict: .cannotCheck, recomputed: nil, reason: claim.note.isEmpty ? why : "\(why): \(claim.note)")
            }
            let inputPath = claim.input.hasPrefix("/") ? claim.input : (folder as NSString).appendingPathComponent(claim.input)
            if tables[inputPath] == nil {
                do { tables[inputPath] = try PrintedTable(path: inputPath) } catch {
                    throw VerifyError("\(path):\(claim.line): input table: \(error)")
                }
            }
            do { return try verify(claim, on: tables[inputPath]!) } catch let error as VerifyError {
                throw VerifyError("\(path):\(claim.line): \(error)")
            }
        }
    }

    /// Throws `VerifyError` when the claim does not fit the table (unknown column or row, bad `where`, `scale` or
    /// `transform`): a mistake in the claims file, not a verdict.
    public func verify(_ claim: Claim, on table: PrintedTable) throws -> Result {
        let analysis = ClaimAnalysis(rawValue: claim.analysis)!
        let value: Double
        var rows: Int?
        do {
            value = try analysis.evaluate(table, claim.arguments)
            if analysis.acrossRows { rows = try ColumnFrame(table: table, arguments: claim.arguments).rowNames.count }
        } catch let error as StatisticError {
            return Result(claim: claim, verdict: .cannotCheck, recomputed: nil, reason: "\(error)")
        }
        guard value.isFinite else {
            return Result(claim: claim, verdict: .cannotCheck, recomputed: nil,
                          reason: "undefined: the recomputed value is not a finite number (it leaves Double's range)", rows: rows)
        }
        let tolerance = claim.published.halfUnit * (1 + 1e-9)
        func matches(_ v: Double) -> Bool { abs(v - claim.published.value) <= tolerance }
        if matches(value) { return Result(claim: claim, verdict: .reproduced, recomputed: value, reason: "", rows: rows) }

        // Probe 1: rounding of the printed inputs.
        var generator = SplitMix64(seed: claim.id.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
        var low = value, high = value
        for _ in 0..<perturbationDraws {
            let moved = table.perturbed { _, _, half in (generator.nextUnit() * 2 - 1) * half }
            if let v = try? analysis.evaluate(moved, claim.arguments), v.isFinite { low = min(low, v); high = max(high, v) }
        }
        let digits = max(0, claim.published.decimals + 1)
        func f(_ v: Double) -> String { String(format: "%.\(digits)f", v) }
        if claim.published.value >= low - tolerance && claim.published.value <= high + tolerance {
            return Result(claim: claim, verdict: .differs, recomputed: value,
                          reason: "within the rounding of the printed inputs (recomputed from inputs moved within their printed precision: \(f(low)) … \(f(high)))", rows: rows)
        }
        // Probe 2: a different subset of rows.
        if analysis.acrossRows {
            let reproducing = table.rowNames.indices.filter { i in
                (try? analysis.evaluate(table.removingRow(i), claim.arguments)).map(matches) ?? false
            }.map { table.rowNames[$0] }
            if !reproducing.isEmpty {
                let names = reproducing.prefix(3).joined(separator: ", ") + (reproducing.count > 3 ? ", …" : "")
                return Result(claim: claim, verdict: .differs, recomputed: value,
                              reason: "reproduces if one row is left out: \(names); beyond the rounding of the inputs (\(f(low)) … \(f(high)))", rows: rows)
            }
        }
        var reason = "beyond the rounding of the printed inputs (\(f(low)) … \(f(high)))"
        if analysis.usesRanks, let frame = try? ColumnFrame(table: table, arguments: claim.arguments) {
            let tied = ClaimAnalysis.usedColumns(claim.arguments).filter { name in
                let v = frame.columns[name] ?? []
                return Set(v).count < v.count
            }
            if !tied.isEmpty { reason += "; printed values tie in \(Set(tied).sorted().joined(separator: ", "))" }
        }
        return Result(claim: claim, verdict: .differs, recomputed: value, reason: reason, rows: rows)
    }
}
