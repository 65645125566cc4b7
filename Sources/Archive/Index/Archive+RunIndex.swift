import Foundation

/// Reading, reconciling, writing and checking the run index; querying it.
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

    /// The record object a run's ref names now (nil when the run has no ref).
    public func runRecordObject(_ run: ObjectID) throws -> ObjectID? { try readRef(kind: "runs", name: run.hex) }

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
