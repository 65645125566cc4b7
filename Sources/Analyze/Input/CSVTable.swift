import Foundation

/// A CSV file with a header row (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks).
///
/// Reading rules — each input is either read as stated or refused with a one-line error naming the file and line:
/// - UTF-8 only; a leading byte-order mark is skipped. Lines end in LF, CRLF or a lone CR; a CR inside quotes is kept.
/// - Blank lines are skipped; the first non-blank record is the header. Header names are trimmed of spaces and tabs,
///   and two equal names (after trimming; Swift's String equality, so Unicode-equivalent spellings are equal) are
///   refused, naming the name and both positions: every column must be addressable by its name.
/// - Every record has as many fields as the header (else refused); a quote may only open a field, and nothing may
///   follow its closing quote; an unterminated quote is refused.
/// - Cells are kept as text; `values` reads numbers by `PrintedNumber`'s `.data` grammar (so "1,5", "0x1A", "nan",
///   "inf", "1e999" are refused, naming the line, the column and the cell, and " 3 " is 3).
public struct CSVTable: Sendable {
    public let path: String
    public let header: [String]
    public let rows: [[String]]
    /// The 1-based line on which each row starts (rows may span lines inside quotes; blank lines are skipped).
    public let lines: [Int]

    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let path: String
        public let line: Int?
        public let reason: String
        public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
        public init(path: String, line: Int?, reason: String) { self.path = path; self.line = line; self.reason = reason }
    }

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(path: path, line: nil, reason: "cannot read the file (missing or not readable)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Error(path: path, line: nil, reason: "not UTF-8 text") }
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String = "<csv>") throws {
        var records: [[String]] = [], recordLines: [Int] = []
        var field = "", record: [String] = [], quoted = false, afterQuote = false
        var line = 1, recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? { if let p = pending { pending = nil; return p }; return iterator.next() }
        if let first = next(), first != "\u{FEFF}" { pending = first }
        func endRecord() {
            record.append(field); field = ""; afterQuote = false
            if !(record.count == 1 && record[0].isEmpty) { records.append(record); recordLines.append(recordLine) }
            record = []
            line += 1
            recordLine = line
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let d = next() {
                        if d == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; afterQuote = true; pending = d }
                    } else { quoted = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty, !afterQuote else { throw Error(path: path, line: line, reason: "stray quote inside a field") }
                quoted = true
            case ",":
                record.append(field); field = ""; afterQuote = false
            case "\r":
                if let d = next(), d != "\n" { pending = d }
                endRecord()
            case "\n":
                endRecord()
            default:
                guard !afterQuote else { throw Error(path: path, line: line, reason: "text after a closing quote") }
                field.unicodeScalars.append(c)
            }
        }
        if quoted { throw Error(path: path, line: line, reason: "unterminated quoted field") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record); recordLines.append(recordLine) }
        guard let rawHeader = records.first else { throw Error(path: path, line: nil, reason: "empty file, expected a header row") }
        let header = rawHeader.map { $0.trimmingCharacters(in: .whitespaces) }
        var firstPosition: [String: Int] = [:]
        for (j, name) in header.enumerated() {
            if let earlier = firstPosition[name] {
                throw Error(path: path, line: recordLines[0],
                            reason: "column \"\(name)\" appears twice in the header (columns \(earlier + 1) and \(j + 1)); give each column its own name")
            }
            firstPosition[name] = j
        }
        for (r, l) in zip(records, recordLines).dropFirst() where r.count != header.count {
            throw Error(path: path, line: l, reason: "\(r.count) fields, the header has \(header.count)")
        }
        self.path = path
        self.header = header
        self.rows = Array(records.dropFirst())
        self.lines = Array(recordLines.dropFirst())
    }

    public func columnIndex(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw Error(path: path, line: 1, reason: "no column \"\(name)\"; columns are \(header.joined(separator: ", "))")
        }
        return i
    }

    /// The first non-empty cell of `column` that makes it a text column, with its line; nil when the column is numeric.
    /// Text is what `PrintedNumber`'s `.data` grammar reads as text, and also cells with a comma or a percent sign (a
    /// model name, timm's grouped param_count "1,012.56"), as `Double(_:)` decided before. Cells written as numbers
    /// in a refused form ("nan", "inf", "0x1A", "1e999", "1e-400") keep the column numeric, so `values` refuses the
    /// column loudly instead of a numeric column being skipped for one bad cell.
    public func firstNonNumericCell(_ column: String) throws -> (line: Int, cell: String)? {
        let c = try columnIndex(column)
        for (i, row) in rows.enumerated() {
            let cell = row[c].trimmingCharacters(in: .whitespaces)
            guard !cell.isEmpty else { continue }
            switch PrintedNumber.read(cell, style: .data) {
            case .number: continue
            case .refused: if cell.contains(",") || cell.contains("%") { return (lines[i], cell) }
            case .text: return (lines[i], cell)
            }
        }
        return nil
    }

    /// Numeric values of `column` keyed by the joined `keyColumns`; duplicate keys and cells that are not numbers by
    /// `PrintedNumber`'s `.data` grammar are errors naming the line, the column, the cell and what is allowed. Empty
    /// cells are missing values: skipped and counted.
    public func values(_ column: String, keyedBy keyColumns: [String]) throws -> (values: [String: Double], missing: Int) {
        let c = try columnIndex(column)
        let keys = try keyColumns.map(columnIndex)
        var result: [String: Double] = [:], missing = 0
        for (i, row) in rows.enumerated() {
            let key = keys.map { row[$0] }.joined(separator: "@")
            let cell = row[c].trimmingCharacters(in: .whitespaces)
            if cell.isEmpty { missing += 1; continue }
            let v: Double
            switch PrintedNumber.read(cell, style: .data) {
            case .number(let n): v = n.value
            case .refused(let why):
                throw Error(path: path, line: lines[i], reason: "column \(column): \"\(cell)\" is \(why); expected \(PrintedNumber.allowed(.data)), or an empty cell for a missing value")
            case .text:
                throw Error(path: path, line: lines[i], reason: "column \(column): \"\(cell)\" is not a number; expected \(PrintedNumber.allowed(.data)), or an empty cell for a missing value")
            }
            guard result.updateValue(v, forKey: key) == nil else {
                throw Error(path: path, line: lines[i], reason: "duplicate key \(key) (key columns: \(keyColumns.joined(separator: ", ")))")
            }
        }
        return (result, missing)
    }
}

/// Two columns aligned on their shared keys (sorted), with what was dropped.
public struct PairedColumns: Sendable {
    public var keys: [String]
    public var x: [Double]
    public var y: [Double]
    public var onlyInX: Int
    public var onlyInY: Int

    public init(_ a: [String: Double], _ b: [String: Double]) {
        keys = Set(a.keys).intersection(b.keys).sorted()
        x = keys.map { a[$0]! }
        y = keys.map { b[$0]! }
        onlyInX = a.count - keys.count
        onlyInY = b.count - keys.count
    }
}
