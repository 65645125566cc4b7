import Foundation

/// A rebuildable index of the archive's runs, so that `ls` and queries do not open three files per run.
///
/// It is a cache, never a source of truth: everything in it is derived from the refs and objects, and it is rebuilt
/// from them whenever it is missing, unreadable or of another version. Files (see FORMAT.md):
/// - `index/runs` — a snapshot: the line `reprise-run-index 1 <journal offset>`, then one line per run, fields
///   separated by tabs: run ID (hex), kind, dataset name, architecture ID (12 hex), seed, status, reason, metrics as
///   `name=value` joined by `;` (values in Swift's shortest round-trip form). Tab, newline, `;`, `=` and backslash in
///   text fields are escaped as `\t`, `\n`, `\s`, `\e`, `\\`.
/// - `index/journal` — one line `<run ID> <record object>` appended by every commit (O_APPEND: concurrent writers do
///   not interleave lines); the snapshot records how far it has read it.
/// - `index/checked` — the modification time of `refs/runs` when the index was last reconciled with it.
/// Reading the index: the snapshot, then the journal's newer lines (each names a record to load), then — unless
/// `refs/runs` is unchanged since `checked` — a count of `refs/runs` (and, if it differs, a full comparison) to add any
/// run a crash left out of the journal (committed between its ref rename and its journal line); when it had to catch
/// up on many runs, the snapshot is rewritten (atomically, best effort).
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

    public init(run: ObjectID, manifest: RunManifest, record: RunRecord) {
        self.run = run
        kind = manifest.kind
        dataset = manifest.dataset["name"]?.stringValue ?? "?"
        architectureID = (try? ObjectID(of: JSONValue.canonicalBytes(of: manifest.architecture)).short) ?? "?"
        seed = manifest.seed
        status = record.status
        reason = record.reason ?? ""
        metrics = record.metrics
    }

    init(run: ObjectID, kind: String, dataset: String, architectureID: String, seed: Int64, status: RunRecord.Status,
         reason: String, metrics: [String: Double]) {
        self.run = run; self.kind = kind; self.dataset = dataset; self.architectureID = architectureID; self.seed = seed
        self.status = status; self.reason = reason; self.metrics = metrics
    }
}

enum RunIndexFile {
    static let header = "reprise-run-index 1"
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
        return [e.run.hex, escape(e.kind), escape(e.dataset), e.architectureID, String(e.seed), e.status.rawValue, escape(e.reason), metrics]
            .joined(separator: "\t")
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
              let status = RunRecord.Status(rawValue: text(fields.5)) else { return nil }
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
                             status: status, reason: text(fields.6), metrics: metrics)
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

    /// Appends `<run> <record>` to the index journal (best effort: the index is a cache, and a missing line is caught
    /// by the next read's listing of refs/runs).
    func journalCommit(run: ObjectID, record: ObjectID) {
        let line = Array("\(run.hex) \(record.hex)\n".utf8)
        var fd = Foundation.open(indexDirectory + "/journal", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 && errno == ENOENT {
            mkdir(indexDirectory, 0o755)
            fd = Foundation.open(indexDirectory + "/journal", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { return }
        _ = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress!, $0.count) }
        close(fd)
    }

    /// Every run with a record, from the index (brought up to date first; see `RunIndexEntry`), sorted by run ID.
    /// `rebuild` ignores the snapshot and reads every run. Runs whose record or manifest cannot be read are returned
    /// apart, with the error.
    public func indexedRuns(rebuild: Bool = false, forceSnapshot: Bool = false) throws -> (entries: [RunIndexEntry], unreadable: [String]) {
        var entries: [RunIndexEntry] = []
        var unreadable: [String] = []
        let journalData = (try? Data(contentsOf: URL(fileURLWithPath: indexDirectory + "/journal"))) ?? Data()
        var journalOffset = journalData.count
        var snapshotValid = false
        if !rebuild, let snapshot = try? Data(contentsOf: URL(fileURLWithPath: indexDirectory + "/runs")),
           let newline = snapshot.firstIndex(of: 0x0A) {
            let first = String(decoding: snapshot[..<newline], as: UTF8.self)
            if first.hasPrefix(RunIndexFile.header + " "), let offset = Int(first.dropFirst(RunIndexFile.header.count + 1)),
               offset <= journalData.count, let parsed = RunIndexFile.parseLines(snapshot, from: newline + 1) {
                snapshotValid = true
                journalOffset = offset
                entries = parsed
            }
        }
        func load(_ run: ObjectID) -> RunIndexEntry? {
            do {
                guard let record = try record(of: run) else { return nil }
                return RunIndexEntry(run: run, manifest: try manifest(run), record: record)
            } catch {
                unreadable.append("\(run.short): \(error)")
                return nil
            }
        }
        guard snapshotValid else {
            let stamp = directoryStamp(root + "/refs/runs")   // before listing: a commit during it moves the mtime
            entries = try runIDs().compactMap(load)
            writeIndexSnapshot(entries, journalOffset: journalData.count)
            if let stamp { try? stamp.write(toFile: indexDirectory + "/checked", atomically: false, encoding: .utf8) }
            return (entries, unreadable)
        }
        // Runs named by newer journal lines get their newest record.
        var reload = Set<ObjectID>()
        for line in journalData[journalOffset...].split(separator: UInt8(ascii: "\n")) {
            if let run = ObjectID(hex: String(decoding: line.prefix(64), as: UTF8.self)) { reload.insert(run) }
        }
        // The refs are the truth. Runs are never removed from an archive, so equal counts mean no run is missing;
        // otherwise compare the sets (a crash between a ref's rename and its journal line).
        var indexedSet: Set<ObjectID>?
        var expected = entries.count
        if !reload.isEmpty {
            indexedSet = Set(entries.map(\.run))
            expected += reload.subtracting(indexedSet!).count
        }
        // Skip even the count when refs/runs has not changed since the last check (its mtime moves with every ref
        // written into it); index/checked holds that mtime.
        let stamp = directoryStamp(root + "/refs/runs")
        let checkedPath = indexDirectory + "/checked"
        let unchanged = stamp != nil && (try? String(contentsOfFile: checkedPath, encoding: .utf8)) == stamp
        if !unchanged && countRefs(kind: "runs") != expected {
            let present = Set(try runIDs())
            let indexed = indexedSet ?? Set(entries.map(\.run))
            entries.removeAll { !present.contains($0.run) }
            reload.formUnion(present.subtracting(indexed))
        }
        if !unchanged, let stamp { try? stamp.write(toFile: checkedPath, atomically: false, encoding: .utf8) }
        if !reload.isEmpty {
            var position = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.run, $0) })
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
            if reload.count > RunIndexFile.compactAfter || forceSnapshot { writeIndexSnapshot(entries, journalOffset: journalData.count) }
        }
        return (entries, unreadable)
    }

    /// A directory's modification time, "seconds.nanoseconds".
    func directoryStamp(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    /// Entries in refs/<kind> (names only, not parsed or sorted).
    func countRefs(kind: String) -> Int {
        guard let dir = opendir("\(root)/refs/\(kind)") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) { if entry.pointee.d_name.0 != 0x2E { count += 1 } }   // skip "." and ".."
        return count
    }

    /// Replaces the snapshot atomically; failures (read-only archive, full disk) only cost speed.
    func writeIndexSnapshot(_ entries: [RunIndexEntry], journalOffset: Int) {
        var text = "\(RunIndexFile.header) \(journalOffset)\n"
        text.reserveCapacity(entries.count * 160)
        for e in entries { text += RunIndexFile.line(e); text += "\n" }
        mkdir(indexDirectory, 0o755)
        try? DurableFile.write(Data(text.utf8), to: indexDirectory + "/runs", temporaryDirectory: root + "/tmp")
    }
}

/// One line of the index snapshot, for filtering without building an entry: fields are compared as bytes and a
/// metric is parsed only when asked for. Valid only inside `Archive.queryRuns`'s predicate.
public struct RunIndexRow {
    let line: UnsafeRawBufferPointer
    let tabs: (Int, Int, Int, Int, Int, Int, Int)

    /// Finds the 7 tabs without allocating (a per-line array cost a tenth of reading the index).
    init?(_ line: UnsafeRawBufferPointer) {
        var t = (0, 0, 0, 0, 0, 0, 0), n = 0
        for i in 0..<line.count where line[i] == 0x09 {
            switch n {
            case 0: t.0 = i
            case 1: t.1 = i
            case 2: t.2 = i
            case 3: t.3 = i
            case 4: t.4 = i
            case 5: t.5 = i
            case 6: t.6 = i
            default: return nil
            }
            n += 1
        }
        guard n == 7 else { return nil }
        self.line = line; self.tabs = t
    }

    /// Field k (0…7) of the line.
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
        default: (a, b) = (t.6 + 1, line.count)
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

    /// The snapshot's bytes when nothing has happened since it was written and checked: no journal past its offset,
    /// refs/runs unchanged since index/checked.
    func currentSnapshot() -> Data? {
        guard let snapshot = try? Data(contentsOf: URL(fileURLWithPath: indexDirectory + "/runs")),
              let newline = snapshot.firstIndex(of: 0x0A), snapshot.last == 0x0A else { return nil }
        let first = String(decoding: snapshot[..<newline], as: UTF8.self)
        guard first.hasPrefix(RunIndexFile.header + " "), let offset = Int(first.dropFirst(RunIndexFile.header.count + 1)) else { return nil }
        var info = stat()
        let journalSize = stat(indexDirectory + "/journal", &info) == 0 ? Int(info.st_size) : 0
        guard offset == journalSize, let stamp = directoryStamp(root + "/refs/runs"),
              (try? String(contentsOfFile: indexDirectory + "/checked", encoding: .utf8)) == stamp else { return nil }
        return snapshot
    }
}
