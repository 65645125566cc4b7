import Foundation

/// The text format of the run index's snapshot lines and journal lines (FORMAT.md §Run index): escaping, one
/// line per entry, the checksummed header, journal-line checks, and parallel parsing.
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
        return [e.run.hex, escape(e.kind.rawValue), escape(e.dataset), e.architectureID, String(e.seed), e.status.rawValue, escape(e.reason), metrics,
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
        guard let kind = RunKind(rawValue: text(fields.1)) else { return nil }
        return RunIndexEntry(run: run, kind: kind, dataset: text(fields.2), architectureID: text(fields.3), seed: seed,
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
        guard offset >= 0, offset <= journal.count else { return nil }
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
