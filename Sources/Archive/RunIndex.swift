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
    public var kind: String
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

    init(run: ObjectID, kind: String, dataset: String, architectureID: String, seed: Int64, status: RunRecord.Status,
         reason: String, metrics: [String: Double], recordObject: ObjectID) {
        self.run = run; self.kind = kind; self.dataset = dataset; self.architectureID = architectureID; self.seed = seed
        self.status = status; self.reason = reason; self.metrics = metrics; self.recordObject = recordObject
    }
}

enum RunIndexFile {
    static let header = "reprise-run-index 2"
    /// Journal lines past which a read rewrites the snapshot.
    static let compactAfter = 256

    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "\t" || $0 == "\n" || $0 == ";" || $0 == "=" || $0 == "\\" }) else { return s }
        var out = ""
        for ch in s {
            switch ch {
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case ";": out += "\\s"
            case "=": out += "\\e"
            case "\\": out += "\\\\"
            default: out.append(ch)
            }
        }
        return out
    }

    static func unescape(_ s: Substring) -> String {
        guard s.contains("\\") else { return String(s) }
        var out = "", escaped = false
        for ch in s {
            if escaped {
                switch ch { case "t": out += "\t"; case "n": out += "\n"; case "s": out += ";"; case "e": out += "="; default: out.append(ch) }
                escaped = false
            } else if ch == "\\" { escaped = true } else { out.append(ch) }
        }
        return out
    }

    static func line(_ e: RunIndexEntry) -> String {
        let metrics = e.metrics.keys.sorted().map { "\(escape($0))=\(e.metrics[$0]!)" }.joined(separator: ";")
        return [e.run.hex, escape(e.kind), escape(e.dataset), e.architectureID, String(e.seed), e.status.rawValue, escape(e.reason), metrics,
                e.recordObject.hex].joined(separator: "\t")
    }

    /// Parses one line (the bytes between two newlines). Works on UTF-8 bytes: String-level splitting and escaping
    /// cost ~30 µs a line, which made a 100,000-run index take seconds to read.
    static func parse(_ line: UnsafeRawBufferPointer) -> RunIndexEntry? {
        guard let row = RunIndexRow(line) else { return nil }
        let fields = (row.field(0), row.field(1), row.field(2), row.field(3), row.field(4), row.field(5), row.field(6), row.field(7))
        func text(_ b: UnsafeRawBufferPointer) -> String {
            b.contains(0x5C) ? unescape(Substring(String(decoding: b, as: UTF8.self))) : String(decoding: b, as: UTF8.self)
        }
        guard let run = ObjectID(hex: String(decoding: fields.0, as: UTF8.self)), let seed = Int64(text(fields.4)),
              let status = RunRecord.Status(rawValue: text(fields.5)),
              let recordObject = ObjectID(hex: String(decoding: row.field(8), as: UTF8.self)) else { return nil }
        var metrics: [String: Double] = Dictionary(minimumCapacity: 4)
        let m = fields.7
        var pairStart = 0
        var i = 0
        while i <= m.count {
            if i == m.count || m[i] == 0x3B {   // ';'
                if i > pairStart {
                    let pair = UnsafeRawBufferPointer(rebasing: m[pairStart..<i])
                    guard let eq = pair.firstIndex(of: 0x3D),   // '='
                          let v = Double(String(decoding: UnsafeRawBufferPointer(rebasing: pair[(eq + 1)...]), as: UTF8.self)) else { return nil }
                    metrics[text(UnsafeRawBufferPointer(rebasing: pair[..<eq]))] = v
                }
                pairStart = i + 1
            }
            i += 1
        }
        return RunIndexEntry(run: run, kind: text(fields.1), dataset: text(fields.2), architectureID: text(fields.3), seed: seed,
                             status: status, reason: text(fields.6), metrics: metrics, recordObject: recordObject)
    }

    /// The snapshot's header: journal offset and the position of the first entry line, or nil unless the header is
    /// this version's and the SHA-256 of everything after it matches the one it records.
    static func verifiedHeader(_ snapshot: Data) -> (journalOffset: Int, body: Int)? {
        guard let newline = snapshot.firstIndex(of: 0x0A) else { return nil }
        let fields = String(decoding: snapshot[..<newline], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 4, "\(fields[0]) \(fields[1])" == header, fields[2].allSatisfy(\.isASCII), fields[2].allSatisfy(\.isNumber),
              let offset = Int(fields[2]), let digest = ObjectID(hex: String(fields[3])),
              ObjectID(of: snapshot[(newline + 1)...]) == digest else { return nil }
        return (offset, newline + 1)
    }

    /// A journal line's check: the first 8 hex digits of SHA-256("<run> <record>").
    static func journalCheck(run: ObjectID, record: ObjectID) -> String {
        String(ObjectID(of: Data("\(run.hex) \(record.hex)".utf8)).hex.prefix(8))
    }

    /// The runs named by the journal's lines after `offset`, or nil when any of those lines is damaged (wrong shape,
    /// failed check, or a last line cut short).
    static func journalRuns(_ journal: Data, from offset: Int) -> [ObjectID]? {
        guard offset <= journal.count else { return nil }
        let tail = journal[(journal.startIndex + offset)...]
        guard tail.isEmpty || tail.last == 0x0A else { return nil }
        var runs: [ObjectID] = []
        for line in tail.split(separator: 0x0A) {
            let parts = String(decoding: line, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, let run = ObjectID(hex: String(parts[0])), let record = ObjectID(hex: String(parts[1])),
                  parts[2] == journalCheck(run: run, record: record) else { return nil }
            runs.append(run)
        }
        return runs
    }

    /// Every line of a snapshot after the header, or nil when any line does not parse or the last one is cut short.
    /// Lines are parsed in 16 slices at once (the result does not depend on how many run in parallel).
    static func parseLines(_ data: Data, from offset: Int) -> [RunIndexEntry]? {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> [RunIndexEntry]? in
            guard bytes.count == offset || bytes[bytes.count - 1] == 0x0A else { return nil }
            // Slice boundaries: the first line start at or after each 1/16th of the bytes.
            let slices = 16
            var bounds = [offset]
            for k in 1..<slices {
                var b = max(bounds.last!, offset + (bytes.count - offset) * k / slices)
                while b < bytes.count && b > offset && bytes[b - 1] != 0x0A { b += 1 }
                bounds.append(b)
            }
            bounds.append(bytes.count)
            let results = UnsafeMutablePointer<[RunIndexEntry]?>.allocate(capacity: slices)
            results.initialize(repeating: nil, count: slices)
            defer { results.deinitialize(count: slices); results.deallocate() }
            DispatchQueue.concurrentPerform(iterations: slices) { k in
                var entries: [RunIndexEntry] = []
                var start = bounds[k]
                for i in bounds[k]..<bounds[k + 1] where bytes[i] == 0x0A {
                    if i > start {
                        guard let e = parse(UnsafeRawBufferPointer(rebasing: bytes[start..<i])) else { return }
                        entries.append(e)
                    }
                    start = i + 1
                }
                results[k] = entries
            }
            var all: [RunIndexEntry] = []
            for k in 0..<slices {
                guard let part = results[k] else { return nil }
                all += part
            }
            return all
        }
    }
}

extension Archive {
    var indexDirectory: String { root + "/index" }

    /// Appends `<run> <record> <check>` to the index journal (best effort: the index is a cache, and a missing line
    /// is caught by the next read's comparison with refs/runs).
    func journalCommit(run: ObjectID, record: ObjectID) {
        let line = Array("\(run.hex) \(record.hex) \(RunIndexFile.journalCheck(run: run, record: record))\n".utf8)
        var fd = Foundation.open(indexDirectory + "/journal", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            mkdir(indexDirectory, 0o755)
            fd = Foundation.open(indexDirectory + "/journal", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { return }
        _ = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress!, $0.count) }
        close(fd)
    }

    /// The snapshot's entries and journal offset, and the runs the journal names after it; nil when the snapshot or
    /// those journal lines are missing or damaged (see `RunIndexEntry`).
    func readIndex(journal: Data) -> (entries: [RunIndexEntry], journalOffset: Int, journalRuns: [ObjectID])? {
        guard let snapshot = try? Data(contentsOf: URL(fileURLWithPath: indexDirectory + "/runs")),
              let (offset, body) = RunIndexFile.verifiedHeader(snapshot),
              let runs = RunIndexFile.journalRuns(journal, from: offset),
              let entries = RunIndexFile.parseLines(snapshot, from: body) else { return nil }
        return (entries, offset, runs)
    }

    /// The target of every run ref, read from `refs/runs` (the truth the index is reconciled with).
    func runRefTargets() throws -> [ObjectID: ObjectID] {
        var targets: [ObjectID: ObjectID] = [:]
        for run in try runIDs() {
            if let target = try readRef(kind: "runs", name: run.hex) { targets[run] = target }
        }
        return targets
    }

    /// Every run with a record, from the index (brought up to date first; see `RunIndexEntry`), sorted by run ID.
    /// `rebuild` ignores the snapshot and reads every run. Runs whose record or manifest cannot be read are returned
    /// apart, with the error.
    public func indexedRuns(rebuild: Bool = false, forceSnapshot: Bool = false) throws -> (entries: [RunIndexEntry], unreadable: [String]) {
        var unreadable: [String] = []
        let journalData = (try? Data(contentsOf: URL(fileURLWithPath: indexDirectory + "/journal"))) ?? Data()
        func load(_ run: ObjectID) -> RunIndexEntry? {
            do {
                guard let target = try readRef(kind: "runs", name: run.hex) else { return nil }
                let record = try getJSON(RunRecord.self, target)
                return RunIndexEntry(run: run, manifest: try manifest(run), record: record, recordObject: target)
            } catch {
                unreadable.append("\(run.short): \(error)")
                return nil
            }
        }
        guard !rebuild, let index = readIndex(journal: journalData) else {
            let stamp = directoryStamp(root + "/refs/runs")   // before listing: a commit during it moves the mtime
            let entries = try runIDs().compactMap(load)
            writeIndexSnapshot(entries, journalOffset: journalData.count)
            if let stamp { try? stamp.write(toFile: indexDirectory + "/checked", atomically: false, encoding: .utf8) }
            return (entries, unreadable)
        }
        var entries = index.entries
        // Runs named by newer journal lines get their newest record.
        var reload = Set(index.journalRuns)
        // The refs are the truth. Unless refs/runs is unchanged since the last check (its mtime moves with every ref
        // written into it; index/checked holds that mtime), compare every ref's target with the indexed record.
        let stamp = directoryStamp(root + "/refs/runs")
        let checkedPath = indexDirectory + "/checked"
        let unchanged = stamp != nil && (try? String(contentsOfFile: checkedPath, encoding: .utf8)) == stamp
        var reconciled = false
        if !unchanged {
            let targets = try runRefTargets()
            let indexed = Dictionary(entries.map { ($0.run, $0.recordObject) }, uniquingKeysWith: { a, _ in a })
            let before = entries.count
            entries.removeAll { targets[$0.run] == nil }
            for (run, target) in targets where indexed[run] != target && !reload.contains(run) {
                reload.insert(run)
                reconciled = true
            }
            reconciled = reconciled || entries.count != before
            if let stamp { try? stamp.write(toFile: checkedPath, atomically: false, encoding: .utf8) }
        }
        if !reload.isEmpty {
            var position = Dictionary(entries.enumerated().map { ($1.run, $0) }, uniquingKeysWith: { a, _ in a })
            var gone = Set<ObjectID>()
            for run in reload.sorted() {
                let fresh = load(run)
                if let i = position[run] {
                    if let fresh { entries[i] = fresh } else { gone.insert(run) }
                } else if let fresh {
                    position[run] = entries.count
                    entries.append(fresh)
                }
            }
            entries.removeAll { gone.contains($0.run) }
            entries.sort { $0.run < $1.run }
        }
        if reload.count > RunIndexFile.compactAfter || forceSnapshot || reconciled {
            writeIndexSnapshot(entries, journalOffset: journalData.count)
        }
        return (entries, unreadable)
    }

    /// What is wrong with the run index, for fsck: a snapshot of this version whose checksum fails or whose lines do
    /// not parse, damaged journal lines after its offset, or — when readers would trust it as current (`refs/runs`
    /// unchanged since `index/checked`) — entries that differ from the refs and records. A missing index, or one of
    /// an older version, is not a problem (readers rebuild it).
    func indexProblems() -> [String] {
        let path = indexDirectory + "/runs"
        guard let snapshot = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return [] }
        let first = snapshot.firstIndex(of: 0x0A).map { String(decoding: snapshot[..<$0], as: UTF8.self) } ?? ""
        guard first.hasPrefix(RunIndexFile.header + " ") else { return [] }
        let rebuilt = "the index is a cache: `reprise ls --rebuild-index` rebuilds it"
        guard RunIndexFile.verifiedHeader(snapshot) != nil else { return ["\(path): checksum does not match its contents; \(rebuilt)"] }
        let journal = (try? Data(contentsOf: URL(fileURLWithPath: indexDirectory + "/journal"))) ?? Data()
        guard let index = readIndex(journal: journal) else {
            return ["\(path) or \(indexDirectory)/journal: damaged lines after the snapshot's offset; \(rebuilt)"]
        }
        let stamp = directoryStamp(root + "/refs/runs")
        guard stamp != nil, (try? String(contentsOfFile: indexDirectory + "/checked", encoding: .utf8)) == stamp else { return [] }
        let pending = Set(index.journalRuns)
        var truth: [ObjectID: RunIndexEntry] = [:]
        for (run, target) in (try? runRefTargets()) ?? [:] {
            guard let record = try? getJSON(RunRecord.self, target), let manifest = try? manifest(run) else { continue }
            truth[run] = RunIndexEntry(run: run, manifest: manifest, record: record, recordObject: target)
        }
        let served = index.entries.filter { !pending.contains($0.run) }
        let wrong = served.filter { truth[$0.run] != $0 }.count
        let missing = truth.keys.filter { run in !pending.contains(run) && !served.contains { $0.run == run } }.count
        guard wrong + missing > 0 else { return [] }
        return ["\(path): stale (\(wrong) entries differ from their runs, \(missing) runs missing) while readers take it as current; \(rebuilt)"]
    }

    /// A directory's modification time, "seconds.nanoseconds".
    func directoryStamp(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    /// Replaces the snapshot atomically; failures (read-only archive, full disk) only cost speed.
    func writeIndexSnapshot(_ entries: [RunIndexEntry], journalOffset: Int) {
        var body = ""
        body.reserveCapacity(entries.count * 230)
        for e in entries { body += RunIndexFile.line(e); body += "\n" }
        let bodyBytes = Data(body.utf8)
        var data = Data("\(RunIndexFile.header) \(journalOffset) \(ObjectID(of: bodyBytes).hex)\n".utf8)
        data.append(bodyBytes)
        mkdir(indexDirectory, 0o755)
        try? DurableFile.write(data, to: indexDirectory + "/runs", temporaryDirectory: root + "/tmp")
    }
}

/// One line of the index snapshot, for filtering without building an entry: fields are compared as bytes and a
/// metric is parsed only when asked for. Valid only inside `Archive.queryRuns`'s predicate.
public struct RunIndexRow {
    let line: UnsafeRawBufferPointer
    let tabs: (Int, Int, Int, Int, Int, Int, Int, Int)

    /// Finds the 8 tabs without allocating (a per-line array cost a tenth of reading the index).
    init?(_ line: UnsafeRawBufferPointer) {
        var t = (0, 0, 0, 0, 0, 0, 0, 0), n = 0
        for i in 0..<line.count where line[i] == 0x09 {
            switch n {
            case 0: t.0 = i
            case 1: t.1 = i
            case 2: t.2 = i
            case 3: t.3 = i
            case 4: t.4 = i
            case 5: t.5 = i
            case 6: t.6 = i
            case 7: t.7 = i
            default: return nil
            }
            n += 1
        }
        guard n == 8 else { return nil }
        self.line = line; self.tabs = t
    }

    /// Field k (0…8) of the line.
    func field(_ k: Int) -> UnsafeRawBufferPointer {
        let t = tabs
        let (a, b): (Int, Int)
        switch k {
        case 0: (a, b) = (0, t.0)
        case 1: (a, b) = (t.0 + 1, t.1)
        case 2: (a, b) = (t.1 + 1, t.2)
        case 3: (a, b) = (t.2 + 1, t.3)
        case 4: (a, b) = (t.3 + 1, t.4)
        case 5: (a, b) = (t.4 + 1, t.5)
        case 6: (a, b) = (t.5 + 1, t.6)
        case 7: (a, b) = (t.6 + 1, t.7)
        default: (a, b) = (t.7 + 1, line.count)
        }
        return UnsafeRawBufferPointer(rebasing: line[a..<b])
    }

    /// A field value or metric name as stored in the index (escaped UTF-8), made once per query, not per row.
    public struct Key: Sendable {
        let bytes: [UInt8]
        public init(_ text: String) { bytes = Array(RunIndexFile.escape(text).utf8) }
    }

    static func equals(_ field: UnsafeRawBufferPointer, _ key: Key) -> Bool {
        field.count == key.bytes.count && field.elementsEqual(key.bytes)
    }

    public func kindIs(_ kind: Key) -> Bool { Self.equals(field(1), kind) }
    public func datasetIs(_ dataset: Key) -> Bool { Self.equals(field(2), dataset) }
    public func statusIs(_ status: Key) -> Bool { Self.equals(field(5), status) }

    /// The value of the metric named by `key`, if the run has it.
    public func metric(_ key: Key) -> Double? {
        let m = field(7), k = key.bytes
        var start = 0
        for i in 0...m.count where i == m.count || m[i] == 0x3B {
            let pair = UnsafeRawBufferPointer(rebasing: m[start..<i])
            if pair.count > k.count, pair[k.count] == 0x3D, pair.prefix(k.count).elementsEqual(k) {
                return Double(String(decoding: UnsafeRawBufferPointer(rebasing: pair[(k.count + 1)...]), as: UTF8.self))
            }
            start = i + 1
        }
        return nil
    }
}

extension Archive {
    /// The runs for which `keep` holds, from the index, sorted by run ID. When the snapshot is current (no newer
    /// journal lines, refs/runs unchanged since the last check), `keep` runs on the snapshot's lines as bytes and only
    /// the kept lines are parsed — a query over 100,000 runs is a scan of one file. Otherwise the index is brought up
    /// to date first (`indexedRuns`, which rewrites the snapshot) and `keep` runs on the entries' lines.
    public func queryRuns(_ keep: (RunIndexRow) -> Bool) throws -> (entries: [RunIndexEntry], unreadable: [String]) {
        if let current = currentSnapshot() {
            return current.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> (entries: [RunIndexEntry], unreadable: [String]) in
                var kept: [RunIndexEntry] = []
                var start = bytes.firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
                for i in start..<bytes.count where bytes[i] == 0x0A {
                    let line = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
                    if let row = RunIndexRow(line), keep(row), let e = RunIndexFile.parse(line) { kept.append(e) }
                    start = i + 1
                }
                return (kept, [])
            }
        }
        let (entries, unreadable) = try indexedRuns(forceSnapshot: true)
        let kept = entries.filter { e in
            let text = Array(RunIndexFile.line(e).utf8)
            return text.withUnsafeBytes { RunIndexRow($0).map(keep) ?? false }
        }
        return (kept, unreadable)
    }

    /// The snapshot's bytes when nothing has happened since it was written and checked: checksum valid, no journal
    /// past its offset, refs/runs unchanged since index/checked.
    func currentSnapshot() -> Data? {
        guard let snapshot = try? Data(contentsOf: URL(fileURLWithPath: indexDirectory + "/runs")),
              let (offset, _) = RunIndexFile.verifiedHeader(snapshot) else { return nil }
        var info = stat()
        let journalSize = stat(indexDirectory + "/journal", &info) == 0 ? Int(info.st_size) : 0
        guard offset == journalSize, let stamp = directoryStamp(root + "/refs/runs"),
              (try? String(contentsOfFile: indexDirectory + "/checked", encoding: .utf8)) == stamp else { return nil }
        return snapshot
    }
}
