import Foundation

/// CSV exports of an archive's runs (RFC 4180; numbers in Swift's shortest round-trip form, so parsing a value back
/// gives the identical Double).
///
/// Tidy (one row per run × metric), columns:
///   run_id      64-hex run ID
///   kind        manifest kind: train, proxies or synthetic (RunManifest.kind)
///   dataset     the dataset spec's "name"
///   architecture 12-hex digest of the canonical architecture JSON (same architecture ⇒ same value across datasets)
///   seed        the manifest seed
///   status      completed | in_progress | diverged | failed
///   reason      why a run failed or diverged (empty otherwise)
///   metric      metric name, e.g. test_top1_error (percent)
///   value       the metric's value (empty for runs without metrics)
///
/// Wide (`--wide`): one row per (architecture, kind, seed), columns `architecture, kind, seed`, then one per dataset
/// (sorted), cells = the chosen metric of the completed run (empty if none). Runs of one architecture that differ in
/// kind (train, shortreg, proxies, …) or seed are different rows, never one cell chosen among several; rows are
/// sorted by architecture, kind, then seed.
public enum TidyExport {
    public struct Row: Sendable {
        public var run: ObjectID
        public var manifest: RunManifest
        public var record: RunRecord
        public var architectureID: String {
            (try? ObjectID(of: JSONValue.canonicalBytes(of: manifest.architecture)).short) ?? "?"
        }
        public var datasetName: String { manifest.dataset["name"]?.stringValue ?? "?" }
    }

    /// Loads every run (sorted by ID); unreadable runs are returned separately with their error.
    public static func rows(of archive: Archive) throws -> (rows: [Row], unreadable: [String]) {
        var rows: [Row] = [], unreadable: [String] = []
        for run in try archive.runIDs() {
            do {
                guard let record = try archive.record(of: run) else { continue }
                rows.append(Row(run: run, manifest: try archive.manifest(run), record: record))
            } catch {
                unreadable.append("\(run.short): \(error)")
            }
        }
        return (rows, unreadable)
    }

    public static func tidyCSV(_ rows: [Row]) -> String {
        var out = "run_id,kind,dataset,architecture,seed,status,reason,metric,value\n"
        for row in rows {
            let prefix = [row.run.hex, row.manifest.kind.rawValue, row.datasetName, row.architectureID, String(row.manifest.seed),
                          row.record.status.rawValue, row.record.reason ?? ""].map(csvField).joined(separator: ",")
            if row.record.metrics.isEmpty { out += prefix + ",,\n" }
            for (metric, value) in row.record.metrics.sorted(by: { $0.key < $1.key }) {
                out += prefix + "," + csvField(metric) + "," + "\(value)" + "\n"
            }
        }
        return out
    }

    /// The wide table's row key: runs agreeing on all three share a row (one per dataset).
    struct WideKey: Hashable, Comparable {
        var architecture: String, kind: RunKind, seed: Int64
        static func < (a: WideKey, b: WideKey) -> Bool {
            (a.architecture, a.kind, a.seed) < (b.architecture, b.kind, b.seed)
        }
    }

    /// Throws when two completed runs would share a cell (same architecture, kind, seed and dataset: they differ only
    /// in their recipe or dataset options): a cell holds one number, and choosing one silently would be a wrong table.
    public static func wideCSV(_ rows: [Row], metric: String) throws -> String {
        let datasets = Array(Set(rows.map(\.datasetName))).sorted()
        var table: [WideKey: [String: Double]] = [:]
        var owner: [WideKey: [String: ObjectID]] = [:]
        for row in rows where row.record.status == .completed {
            guard let value = row.record.metrics[metric] else { continue }
            let key = WideKey(architecture: row.architectureID, kind: row.manifest.kind, seed: row.manifest.seed)
            if let other = owner[key]?[row.datasetName] {
                throw ArchiveError.notFound("export --wide: runs \(other.short) and \(row.run.short) share one cell (architecture \(key.architecture), kind \(key.kind), seed \(key.seed), dataset \(row.datasetName)): they differ in recipe or dataset options; use the tidy export")
            }
            owner[key, default: [:]][row.datasetName] = row.run
            table[key, default: [:]][row.datasetName] = value
        }
        var out = (["architecture", "kind", "seed"] + datasets).map(csvField).joined(separator: ",") + "\n"
        for key in table.keys.sorted() {
            out += ([key.architecture, key.kind.rawValue, String(key.seed)] + datasets.map { table[key]![$0].map { "\($0)" } ?? "" })
                .joined(separator: ",") + "\n"
        }
        return out
    }

    /// RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled.
    public static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
}
