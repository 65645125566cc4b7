import Foundation

/// CSV exports of an archive's runs (RFC 4180; numbers in Swift's shortest round-trip form, so parsing a value back
/// gives the identical Double).
///
/// Tidy (one row per run × metric), columns:
///   run_id      64-hex run ID
///   kind        manifest kind ("train", "fear", …)
///   dataset     the dataset spec's "name"
///   architecture 12-hex digest of the canonical architecture JSON (same architecture ⇒ same value across datasets)
///   seed        the manifest seed
///   status      completed | in_progress | diverged | failed
///   reason      why a run failed or diverged (empty otherwise)
///   metric      metric name, e.g. test_top1_error (percent)
///   value       the metric's value (empty for runs without metrics)
///
/// Wide (`--wide`): one row per architecture, one column per dataset, cells = the chosen metric (empty if missing).
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
            let prefix = [row.run.hex, row.manifest.kind, row.datasetName, row.architectureID, String(row.manifest.seed),
                          row.record.status.rawValue, row.record.reason ?? ""].map(csvField).joined(separator: ",")
            if row.record.metrics.isEmpty { out += prefix + ",,\n" }
            for (metric, value) in row.record.metrics.sorted(by: { $0.key < $1.key }) {
                out += prefix + "," + csvField(metric) + "," + "\(value)" + "\n"
            }
        }
        return out
    }

    public static func wideCSV(_ rows: [Row], metric: String) -> String {
        let datasets = Array(Set(rows.map(\.datasetName))).sorted()
        var table: [String: [String: Double]] = [:]
        for row in rows where row.record.status == .completed {
            if let value = row.record.metrics[metric] { table[row.architectureID, default: [:]][row.datasetName] = value }
        }
        var out = (["architecture"] + datasets).map(csvField).joined(separator: ",") + "\n"
        for arch in table.keys.sorted() {
            out += ([arch] + datasets.map { table[arch]![$0].map { "\($0)" } ?? "" }).joined(separator: ",") + "\n"
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
