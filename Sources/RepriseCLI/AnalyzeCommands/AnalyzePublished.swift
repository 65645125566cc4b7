import Analyze
import Archive
import ArgumentParser
import Foundation

/// Where a published table comes from: a CSV file, or a table imported into the archive (`import-table`).
struct PublishedInput: ParsableArguments {
    @Argument(help: "CSV file with a header row (or use --table).") var file: String?
    @Option(help: "An imported table in the archive (ID prefix, see `reprise tables`) instead of a file.") var table: String?
    @Option(help: "Key column of the CSV file (repeatable; default: the first column).") var key: [String] = []
    @OptionGroup var location: ArchiveLocation

    struct Loaded {
        var source: String
        var columns: [(name: String, values: [String: Double])]
        /// The archive and the table object, when the input is an imported table (derivations are recorded then).
        var archived: (archive: Archive, object: ObjectID)?
    }

    func validate() throws {
        if (file == nil) == (table == nil) { throw ValidationError("give either a CSV file or --table ID") }
    }

    static func source(of t: PublishedTable) -> String { "\(t.fileName) (\(t.source))" }

    static func columns(of t: PublishedTable, wanted: [String]) -> [(name: String, values: [String: Double])] {
        (wanted.isEmpty ? t.metrics : wanted).map { name in
            (name: name, values: t.rows.reduce(into: [String: Double]()) { d, row in if let v = row.values[name] { d[row.key] = v } })
        }
    }

    /// Loads the numeric columns (`wanted`, or every numeric non-key column).
    func load(wanted: [String]) throws -> Loaded {
        if let prefix = table {
            let archive = try location.open()
            let matches = try archive.publishedTables().filter { $0.id.hex.hasPrefix(prefix.lowercased()) }
            guard matches.count == 1 else {
                throw CommandLineError(message: matches.isEmpty ? "no published table \(prefix) in \(archive.root) (see `reprise tables`)" : "\(matches.count) tables match \(prefix)")
            }
            let (id, t) = (matches[0].id, matches[0].table)
            for name in wanted where !t.metrics.contains(name) {
                throw CommandLineError(message: "table \(id.short) has no column \"\(name)\"; columns are \(t.metrics.joined(separator: ", "))")
            }
            return Loaded(source: Self.source(of: t), columns: Self.columns(of: t, wanted: wanted), archived: (archive, id))
        }
        let path = file!
        do {
            let csv = try CSVTable(path: path)
            let keys = key.isEmpty ? [csv.header[0]] : key
            for k in keys { _ = try csv.columnIndex(k) }
            var names = wanted
            if names.isEmpty { names = try csv.header.filter { try !keys.contains($0) && csv.firstNonNumericCell($0) == nil } }
            let columns = try names.map { name in (name: name, values: try csv.values(name, keyedBy: keys).values) }
            let digest = ObjectID(of: FileManager.default.contents(atPath: path) ?? Data()).short
            return Loaded(source: "\((path as NSString).lastPathComponent) (sha256 \(digest))", columns: columns, archived: nil)
        } catch let e as CSVTable.Error {
            throw CommandLineError(message: e.description)
        }
    }
}

extension ResultTable.Format: ExpressibleByArgument {}
extension ColumnCorrelations.Space: ExpressibleByArgument {}

/// `--format` for tables printed to stdout.
struct TableFormat: ParsableArguments {
    @Option(help: "Output: txt (aligned columns), md (Markdown), csv, tex (LaTeX tabular) or json.") var format: ResultTable.Format = .text
    func render(_ table: ResultTable) throws -> String { table.rendered(format) }
}

struct AnalyzeCorrelate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "Every column of a published table against a reference column: r, ρ, τ-b with p-values, OLS fit.",
        discussion: """
        The transfer paper's Table 2 (--min-reference for its ImageNet threshold) and the timm analysis (probit space).
        Rows are matched by key; rows missing on either side, below the threshold or outside (0, 1) for a transform are
        left out and counted in the notes. An imported table (--table) records the result as a derivation.
        Examples:
          reprise analyze correlate fixtures/published/transfer-appendix-a.csv --reference imagenet_top1_pct
          reprise analyze correlate fixtures/timm-results/results-imagenet-r.csv --key model --key img_size \\
            --reference top1 --columns top5 --space probit --percent
        """)
    @OptionGroup var input: PublishedInput
    @Option(help: "The reference column (x).") var reference: String
    @Option(help: "Columns to correlate with it, comma-separated (default: every other numeric column).") var columns: String?
    @Option(help: "Space of the correlations and the fit: raw values, or their logit or probit (those need values in (0, 1); see --percent).") var space: ColumnCorrelations.Space = .raw
    @Flag(help: "Values are percentages: divide by 100 before a logit or probit.") var percent = false
    @Option(help: "Keep only rows whose reference value is at least this (raw units).") var minReference: Double?
    @OptionGroup var output: TableFormat

    func validate() throws {
        if let m = minReference, !m.isFinite { throw ValidationError("--min-reference \(m): must be a finite number (raw units of the reference column)") }
    }

    func run() throws {
        try reporting {
            let s = space
            let wanted = columns.map { [reference] + $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
            let loaded = try input.load(wanted: wanted)
            var table = try Self.compute(loaded.columns, source: loaded.source, reference: reference, space: s, percent: percent, minReference: minReference)
            if let (archive, object) = loaded.archived {
                var parameters: [String: JSONValue] = ["table": .string(object.hex), "reference": .string(reference), "space": .string(space.rawValue),
                                                       "percent": .bool(percent), "columns": .array(loaded.columns.map { .string($0.name) })]
                if let m = minReference { parameters["minReference"] = .number(m) }
                table = try archive.recordDerivation(of: table, analysis: "published/correlate", parameters: .object(parameters),
                                                     inputs: [object], repriseVersion: RepriseVersion.string).table
            }
            print(try output.render(table), terminator: "")
        }
    }

    static func compute(_ columns: [(name: String, values: [String: Double])], source: String, reference: String,
                        space: ColumnCorrelations.Space, percent: Bool, minReference: Double?) throws -> ResultTable {
        do {
            return try ColumnCorrelations(columns: columns, reference: reference, space: space, percent: percent, minimumReference: minReference)
                .table(source: source)
        } catch let e as StatisticError { throw CommandLineError(message: e.description) }
    }
}

struct AnalyzeImprovement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "improvement",
        abstract: "Two accuracy columns relative to a baseline model: ranks, relative improvements, Kendall τ-b, fit (ImageNot).",
        discussion: """
        Per model: both accuracies, their ranks and their improvement over the baseline, (a − a_base)/a_base; then
        Kendall τ-b between the columns (1 = ranking preserved exactly) and the OLS fit of y's improvements on x's,
        with Pearson R (ImageNot §4.2, Figure 1). An imported table (--table) records the result as a derivation.
        Example: reprise analyze improvement my-accuracies.csv --x imagenet_top1_pct --y imagenot_top1_pct --baseline AlexNet
        """)
    @OptionGroup var input: PublishedInput
    @Option(help: "First accuracy column (e.g. ImageNet).") var x: String
    @Option(help: "Second accuracy column (e.g. ImageNot).") var y: String
    @Option(help: "The baseline model's key (the paper uses AlexNet).") var baseline: String
    @OptionGroup var output: TableFormat

    func run() throws {
        try reporting {
            let loaded = try input.load(wanted: [x, y])
            var table = try Self.compute(loaded.columns, source: loaded.source, baseline: baseline)
            if let (archive, object) = loaded.archived {
                table = try archive.recordDerivation(of: table, analysis: "published/improvement",
                                                     parameters: .object(["table": .string(object.hex), "x": .string(x), "y": .string(y), "baseline": .string(baseline)]),
                                                     inputs: [object], repriseVersion: RepriseVersion.string).table
            }
            print(try output.render(table), terminator: "")
        }
    }

    static func compute(_ columns: [(name: String, values: [String: Double])], source: String, baseline: String) throws -> ResultTable {
        do {
            var table = try RelativeImprovementTable(x: columns[0], y: columns[1], baseline: baseline).table
            table.notes.insert("source: \(source)", at: 0)
            return table
        } catch let e as StatisticError { throw CommandLineError(message: e.description) }
    }
}
