import Analyze
import Archive
import ArgumentParser
import Foundation

struct ImportTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-table",
        abstract: "Store a published table (CSV, one row per model) in the archive with its citation.",
        discussion: """
        Every non-key column must be numeric (empty cells are missing values); a non-numeric cell, NaN, or a repeated key
        is an error naming the line. Example:
          reprise import-table fixtures/timm-results/results-imagenet.csv --key model --key img_size \\
            --source "timm results, huggingface/pytorch-image-models@aa4b585, results/results-imagenet.csv"
        """
    )
    @OptionGroup var location: ArchiveLocation
    @Argument(help: "CSV file with a header row.") var file: String
    @Option(help: "Citation: paper or repository, table, page.") var source: String
    @Option(help: "Key column (repeatable; default: the first column).") var key: [String] = []
    @Option(help: "Columns to import (repeatable; default: every numeric non-key column).") var metric: [String] = []

    func run() throws {
        try reporting {
            guard !source.trimmingCharacters(in: .whitespaces).isEmpty else { throw CommandLineError(message: "--source must name where the numbers come from") }
            let csv: CSVTable
            do { csv = try CSVTable(path: file) } catch let e as CSVTable.Error { throw CommandLineError(message: e.description) }
            let keys = key.isEmpty ? [csv.header[0]] : key
            for k in keys where !csv.header.contains(k) {
                throw CommandLineError(message: "\(file): no key column \"\(k)\"; columns are \(csv.header.joined(separator: ", "))")
            }
            let candidates = metric.isEmpty ? csv.header.filter { !keys.contains($0) } : metric
            var metrics: [String] = []
            var skipped: [String] = []
            var columns: [String: [String: Double]] = [:]
            for name in candidates {
                do {
                    // Text columns are skipped only when the user did not ask for them by name.
                    if metric.isEmpty, let bad = try csv.firstNonNumericCell(name) {
                        skipped.append("\(name) (line \(bad.line): \"\(bad.cell)\" is not a finite number)")
                        continue
                    }
                    columns[name] = try csv.values(name, keyedBy: keys).values
                    metrics.append(name)
                } catch let e as CSVTable.Error {
                    throw CommandLineError(message: e.description)
                }
            }
            guard !metrics.isEmpty else { throw CommandLineError(message: "\(file): no numeric column to import") }
            let keyIndices = try keys.map(csv.columnIndex)
            var seen = Set<String>()
            var rows: [PublishedTable.Row] = []
            for (i, row) in csv.rows.enumerated() {
                let k = keyIndices.map { row[$0] }.joined(separator: "@")
                guard seen.insert(k).inserted else { throw CommandLineError(message: "\(file):\(i + 2): duplicate key \(k)") }
                rows.append(.init(key: k, values: metrics.reduce(into: [:]) { values, m in if let v = columns[m]?[k] { values[m] = v } }))
            }
            let data = FileManager.default.contents(atPath: file) ?? Data()
            let table = PublishedTable(source: source, fileName: (file as NSString).lastPathComponent, fileDigest: ObjectID(of: data).hex,
                                       keyColumns: keys, metrics: metrics, rows: rows)
            let id = try location.openOrCreate().importTable(table)
            print("table \(id.hex): \(rows.count) rows × \(metrics.count) metrics (\(metrics.joined(separator: ", "))) from \(table.fileName)")
            if !skipped.isEmpty { print("skipped non-numeric columns: \(skipped.joined(separator: "; ")); name them with --metric to see the error") }
        }
    }
}

struct Tables: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the published tables in the archive.")
    @OptionGroup var location: ArchiveLocation

    func run() throws {
        try reporting {
            let tables = try location.open().publishedTables()
            print(alignedTable(["table", "rows", "metrics", "file", "source"], tables.map {
                [$0.id.short, String($0.table.rows.count), String($0.table.metrics.count), $0.table.fileName, $0.table.source]
            }))
        }
    }
}
