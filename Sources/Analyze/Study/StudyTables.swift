import Archive
import Foundation

/// The tables and figures of the representative-basis seed ("ImageNet as a Representative Basis…"), computed for a study:
/// - `correlationMatrix`: Spearman ρ of test errors between every pair of datasets (its Figure 21);
/// - `referenceComparison`: for each target (a dataset outside the reference's family), ρ with the reference, ρ with the
///   family member whose class count is closest, and their difference, with column averages (its Table 3);
/// - `depthAndWidth`: ρ between error and cumulative block depth Σdᵢ, and cumulative block width Σwᵢ, on every family
///   member (its Table 4);
/// - `scatterPlots`: each target's errors against the reference's and the closest member's (its Figures 3 and 5).
///
/// Correlations use the architectures with an error on both sides (pairwise complete); fewer than 3, or one side
/// constant (every architecture the same error, e.g. all at chance), gives a missing cell ("—"), never a number.
/// Spearman ρ = Pearson r of average ranks (ties share their mean rank). "Closest class count": the smallest
/// |classes(member) − classes(target)|; a tie goes to the member listed first in the study's family.
public struct StudyTables: Sendable {
    public let errors: StudyErrors
    public init(errors: StudyErrors) { self.errors = errors }

    var study: StudyRecord { errors.study }
    var labels: [String] { study.datasets.map(\.label) }
    public var targets: [String] { labels.filter { !study.family.contains($0) } }

    func rho(_ a: String, _ b: String) -> Double? {
        let (x, y) = errors.paired(a, b)
        return try? spearman(x, y).coefficient
    }

    func classes(_ label: String) -> Int { study.datasets.first { $0.label == label }!.classes }

    /// The family member with the class count closest to `target`'s.
    public func closestMember(to target: String) -> String {
        let c = classes(target)
        return study.family.min { abs(classes($0) - c) < abs(classes($1) - c) }!
    }

    public var correlationMatrix: ResultTable {
        ResultTable(title: "Spearman ρ between test errors, all dataset pairs (cf. Figure 21)",
                    columns: ["dataset"] + labels,
                    rows: labels.map { a in [.text(a)] + labels.map { b in .number(a == b ? 1 : rho(a, b), digits: 3) } },
                    notes: [coverageNote])
    }

    public var referenceComparison: ResultTable {
        var rows: [[ResultTable.Cell]] = []
        var sums = (0.0, 0.0, 0.0), count = 0
        for t in targets {
            let member = closestMember(to: t)
            let r = rho(t, study.reference), m = rho(t, member)
            let difference = r.flatMap { r in m.map { $0 - r } }
            rows.append([.text(t), .integer(classes(t)), .number(r, digits: 3), .text(member), .number(m, digits: 3), .number(difference, digits: 3)])
            if let r, let m, let difference { sums.0 += r; sums.1 += m; sums.2 += difference; count += 1 }
        }
        if count > 0 {
            let n = Double(count)
            rows.append([.text("Average"), .text(""), .number(sums.0 / n, digits: 3), .text(""), .number(sums.1 / n, digits: 3), .number(sums.2 / n, digits: 3)])
        }
        return ResultTable(title: "Error correlation of each target with the reference (\(study.reference)) and with the closest class-subset member (cf. Table 3)",
                           columns: ["dataset", "classes", "ρ-\(study.reference)", "closest member", "ρ-member", "difference"],
                           rows: rows, notes: ["difference = ρ-member − ρ-\(study.reference); averages over the rows above with both values", coverageNote])
    }

    public var depthAndWidth: ResultTable {
        let depth = study.architectures.map { Double($0.cumulativeDepth) }, width = study.architectures.map { Double($0.cumulativeWidth) }
        func rho(_ feature: [Double], _ label: String) -> Double? {
            var x: [Double] = [], y: [Double] = []
            for (i, e) in (errors.errors[label] ?? []).enumerated() { if let e { x.append(feature[i]); y.append(e) } }
            return try? spearman(x, y).coefficient
        }
        return ResultTable(title: "Spearman ρ of test error with cumulative block depth and width, family members (cf. Table 4)",
                           columns: ["dataset", "classes", "ρ C. block depth", "ρ C. block width"],
                           rows: study.family.map { [.text($0), .integer(classes($0)), .number(rho(depth, $0), digits: 3), .number(rho(width, $0), digits: 3)] },
                           notes: [coverageNote])
    }

    /// Per architecture: index, features, and the error on every dataset (the study's wide CSV for external plotting).
    public var errorTable: ResultTable {
        ResultTable(title: "Test top-1 error (%) per architecture and dataset, mean over seeds",
                    columns: ["architecture", "cumulative_depth", "cumulative_width", "flops", "params"] + labels,
                    rows: study.architectures.map { a in
                        [.integer(a.index), .integer(a.cumulativeDepth), .integer(a.cumulativeWidth), .integer(a.flops), .integer(a.params)]
                            + labels.map { .number(errors.errors[$0]?[a.index] ?? nil, digits: 2) }
                    })
    }

    /// File name → SVG: each target against the reference and against its closest member, and the matrix of every
    /// dataset pair (Figure 21 / App. F style).
    public var scatterPlots: [(name: String, svg: String)] {
        let matrix = ScatterMatrix(title: "Test error (%) of the \(study.architectures.count) architectures, every dataset pair (cf. Figure 21)",
                                   names: labels, values: labels.map { errors.errors[$0] ?? Array(repeating: nil, count: study.architectures.count) })
        return [("scatter-matrix.svg", matrix.svg)] + targets.flatMap { t -> [(name: String, svg: String)] in
            Array(Set([study.reference, closestMember(to: t)])).sorted().map { x in
                let (ex, ey) = errors.paired(x, t)
                let r = rho(x, t).map { String(format: "%.3f", $0) } ?? "—"
                return ("scatter-\(t)-vs-\(x).svg", ScatterPlot(title: "\(t) vs \(x): ρ = \(r)", xLabel: "\(x) test error (%)",
                                                                  yLabel: "\(t) test error (%)", x: ex, y: ey).svg)
            }
        }
    }

    var coverageNote: String {
        "\(study.architectures.count) architectures; \(errors.completed) of \(study.pairs.count) runs completed"
            + (errors.diverged > 0 ? ", \(errors.diverged) diverged" : "") + (errors.missing > 0 ? ", \(errors.missing) missing" : "")
    }

    /// Every table by file stem.
    public var tables: [(name: String, table: ResultTable)] {
        [("errors", errorTable), ("correlation-matrix", correlationMatrix), ("table3-reference-vs-closest-member", referenceComparison),
         ("table4-depth-width", depthAndWidth), ("appD-ascending-subpopulations", monotoneSubpopulations),
         ("appB3-training-noise", trainingNoise), ("appB4-top1-vs-top5", topOneVersusTopFive)]
    }

    /// Every table, each recorded in `archive` as a derivation ("study/<file stem>", parameters {study}) whose inputs
    /// are the study's plan and, per run read, its manifest, eval log and last checkpoint; each table comes back with the footer naming it.
    public func recordedTables(in archive: Archive, repriseVersion: String) throws -> [(name: String, table: ResultTable)] {
        let inputs = try [archive.studyObject(of: study)].compactMap { $0 } + errors.inputRuns.flatMap { try archive.provenanceObjects(of: $0) }
        return try tables.map { name, table in
            (name, try archive.recordDerivation(of: table, analysis: "study/\(name)", parameters: .object(["study": .string(study.name)]),
                                                inputs: inputs, repriseVersion: repriseVersion).table)
        }
    }

    /// Writes `tables` (default: every table, unrecorded) in every format, every scatter plot and every eCDF figure
    /// into `directory`; returns the files written.
    public func write(_ tables: [(name: String, table: ResultTable)]? = nil, to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        func put(_ name: String, _ text: String) throws {
            let path = directory + "/" + name
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw OutputError(path: path, reason: error.localizedDescription)
            }
            written.append(path)
        }
        for (name, table) in tables ?? self.tables {
            for format in [ResultTable.Format.markdown, .csv, .latex, .json] { try put("\(name).\(format.rawValue)", table.rendered(format)) }
        }
        for (name, svg) in scatterPlots + ecdfPlots { try put(name, svg) }
        return written
    }
}
