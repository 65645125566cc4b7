import Foundation

/// A rebuildable index of the archive's runs, so that `ls` and queries do not open three files per run.
///
/// It is a cache, never a source of truth: everything in it is derived from the refs and objects, and it is rebuilt
/// from them whenever it is missing, unreadable or of another version. Files (see FORMAT.md):
/// - `index/runs` — a snapshot: the line `reprise-run-index 2 <journal offset> <SHA-256 of the rest of the file>`,
///   then one line per run, fields separated by tabs: run ID (hex), kind, dataset name, architecture ID (12 hex), seed,
///   status, reason, metrics as `name=value` joined by `;` (values in Swift's shortest round-trip form), record object
///   ID (hex). Tab, newline, `;`, `=` and backslash in text fields are escaped as `\t`, `\n`, `\s`, `\e`, `\\`.
/// - `index/journal` — one line `<run ID> <record object> <check>` appended by every commit (O_APPEND: concurrent
///   writers do not interleave lines), check = the first 8 hex digits of SHA-256("<run ID> <record object>"); the
///   snapshot records how far it has read it.
/// - `index/checked` — the modification time of `refs/runs` when the index was last reconciled with it.
/// Reading the index: the snapshot (refused unless its checksum matches), then the journal's newer lines (each names a
/// record to load; a line that fails its check refuses the index), then — unless `refs/runs` is unchanged since
/// `checked` — every ref's target is compared with the record ID the index holds, so a run a crash left out of the
/// journal (committed between its ref rename and its journal line, or written by a tool that does not journal) is
/// reloaded; a refused index is rebuilt from the refs. When it had to catch up, the snapshot is rewritten
/// (atomically, best effort). So a damaged index is never served, and a stale one only while `refs/runs` keeps its
/// mtime, which any ref written into it moves.
/// Why not SQLite: the queries are filters over one table of ≤ 10⁶ rows with a dozen columns; one sequential file
/// answers them in milliseconds, rebuilds with nothing but the archive, and adds no dependency to the build.
public struct RunIndexEntry: Sendable, Equatable {
    public var run: ObjectID
    public var kind: RunKind
    public var dataset: String
    public var architectureID: String
    public var seed: Int64
    public var status: RunRecord.Status
    public var reason: String
    public var metrics: [String: Double]
    /// The record object the run's ref named when the entry was made (how the index notices a ref that moved).
    public var recordObject: ObjectID

    /// The entry of a run whose ref names `recordObject` (nil: the ID of the record's canonical JSON, which is what
    /// `Archive.commit` stores).
    public init(run: ObjectID, manifest: RunManifest, record: RunRecord, recordObject: ObjectID? = nil) {
        self.run = run
        kind = manifest.kind
        dataset = manifest.dataset["name"]?.stringValue ?? "?"
        architectureID = (try? ObjectID(of: JSONValue.canonicalBytes(of: manifest.architecture)).short) ?? "?"
        seed = manifest.seed
        status = record.status
        reason = record.reason ?? ""
        metrics = record.metrics
        self.recordObject = recordObject ?? ((try? ObjectID(of: JSONValue.canonicalBytes(of: record))) ?? run)
    }

    init(run: ObjectID, kind: RunKind, dataset: String, architectureID: String, seed: Int64, status: RunRecord.Status,
         reason: String, metrics: [String: Double], recordObject: ObjectID) {
        self.run = run; self.kind = kind; self.dataset = dataset; self.architectureID = architectureID; self.seed = seed
        self.status = status; self.reason = reason; self.metrics = metrics; self.recordObject = recordObject
    }
}
