import Archive
import ArgumentParser
import Foundation

extension RunRecord.Status: ExpressibleByArgument {}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List runs, with filters.",
        discussion: """
        Examples:
          reprise ls --dataset digits --status completed
          reprise ls --metric 'test_top1_error<10' --field depths=1,2,2,1
        The last line counts runs shown, and how many matching runs failed or diverged (failed runs are data).
        """
    )
    @OptionGroup var location: ArchiveLocation
    @Option(help: "Only runs of this manifest kind: train (regular training, also FEAR's and shortreg's runs, which differ in recipe), proxies (zero-cost proxy scores) or synthetic.") var kind: String?
    @Option(help: "Only runs on this dataset name.") var dataset: String?
    @Option(help: "Only runs with this status.") var status: RunRecord.Status?
    @Option(help: ArgumentHelp("Metric range, e.g. 'test_top1_error<10' or 'test_top1_error>=5' (repeatable).", valueName: "name<op>value"))
    var metric: [String] = []
    @Option(help: ArgumentHelp("Architecture field equals, e.g. depths=1,2,2,1 or stem_width=24 (repeatable).", valueName: "field=value"))
    var field: [String] = []
    @Option(help: "Print at most this many rows (≥ 0).") var limit: Int?
    @Flag(help: "Rebuild the run index (index/runs, a cache) from the refs and objects first.") var rebuildIndex = false

    func validate() throws {
        if let kind, RunKind(rawValue: kind) == nil {
            throw ValidationError("--kind \(kind): must be \(RunKind.allowedList) (the kinds Reprise writes; FEAR and shortreg runs are kind train)")
        }
        if let limit { try requireInteger(limit, "--limit", in: 0...Int(Int32.max), "rows printed") }
    }

    func run() throws {
        try reporting {
            let archive = try location.open()
            let filters = try metric.map(MetricFilter.init(parsing:))
            let fieldFilters = try field.map { text -> (String, String) in
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw CommandLineError(message: "--field \(text): expected field=value") }
                return (parts[0], parts[1])
            }
            if rebuildIndex { _ = try archive.indexedRuns(rebuild: true) }
            typealias Key = RunIndexRow.Key
            let (kind, dataset, status) = (self.kind.map(Key.init), self.dataset.map(Key.init), self.status.map { Key($0.rawValue) })
            let metricKeys = filters.map { Key($0.name) }
            // Filters on indexed fields run on the index's lines as bytes (see Archive.queryRuns).
            func query() throws -> (entries: [RunIndexEntry], unreadable: [String]) {
                try archive.queryRuns { row in
                    (kind.map(row.kindIs) ?? true) && (dataset.map(row.datasetIs) ?? true) && (status.map(row.statusIs) ?? true)
                        && zip(filters, metricKeys).allSatisfy { f, key in row.metric(key).map(f.matches) ?? false }
                }
            }
            var (rows, unreadable) = try query()
            // Every row shown is checked against its ref (one small read each): a ref rewritten in place, which leaves
            // refs/runs' mtime alone, is caught here; the index is then rebuilt and the query run again.
            if try rows.contains(where: { try archive.runRecordObject($0.run) != $0.recordObject }) {
                _ = try archive.indexedRuns(rebuild: true)
                (rows, unreadable) = try query()
            }
            var shown: [[String]] = []
            var failed = 0
            for row in rows {
                // Architecture fields are not in the index: read the manifest of the runs that passed the rest.
                if !fieldFilters.isEmpty {
                    let architecture = try archive.manifest(row.run).architecture
                    if !fieldFilters.allSatisfy({ Self.architectureField(architecture, $0.0) == $0.1 }) { continue }
                }
                if row.status == .failed || row.status == .diverged { failed += 1 }
                shown.append([row.run.short, row.kind.rawValue, row.dataset, row.architectureID, row.status.rawValue,
                              row.metrics["test_top1_error"].map { String(format: "%.2f", $0) } ?? "-"])
            }
            let total = shown.count
            if let limit { shown = Array(shown.prefix(limit)) }
            print(alignedTable(["run", "kind", "dataset", "architecture", "status", "top1_err%"], shown))
            print("\(total) runs\(failed > 0 ? ", \(failed) failed or diverged" : "")\(unreadable.isEmpty ? "" : ", \(unreadable.count) unreadable (run `reprise fsck`)")")
            // A listing that had to leave runs out is not a success.
            for problem in unreadable { printError("unreadable run \(problem)") }
            if !unreadable.isEmpty { throw Exit.checkFailed }
        }
    }

    /// A top-level architecture field as text; arrays joined by commas.
    static func architectureField(_ architecture: JSONValue, _ name: String) -> String? {
        guard let value = architecture[name] else { return nil }
        func text(_ v: JSONValue) -> String? {
            v.stringValue ?? v.doubleValue.map { $0 == $0.rounded() ? String(Int64($0)) : "\($0)" }
        }
        if case .array(let items) = value { return items.map { text($0) ?? "?" }.joined(separator: ",") }
        return text(value)
    }
}

/// `name<value`, `name<=value`, `name>value`, `name>=value`, `name=value`.
struct MetricFilter {
    var name: String
    var op: String
    var value: Double

    init(parsing text: String) throws {
        for op in ["<=", ">=", "<", ">", "="] {
            if let range = text.range(of: op) {
                name = String(text[..<range.lowerBound])
                self.op = op
                guard let v = Double(text[range.upperBound...]), !name.isEmpty else { break }
                value = v
                return
            }
        }
        throw CommandLineError(message: "--metric \(text): expected name<op>value with op one of < <= > >= =")
    }

    func matches(_ metrics: [String: Double]) -> Bool { metrics[name].map(matches) ?? false }

    func matches(_ x: Double) -> Bool {
        switch op {
        case "<": return x < value
        case "<=": return x <= value
        case ">": return x > value
        case ">=": return x >= value
        default: return x == value
        }
    }
}
