import Foundation

/// A CSV file with a header row (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks).
public struct CSVTable: Sendable {
    public let path: String
    public let header: [String]
    public let rows: [[String]]

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
        var records: [[String]] = []
        var field = "", record: [String] = [], quoted = false, afterQuote = false
        var line = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? { if let p = pending { pending = nil; return p }; return iterator.next() }
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
                continue
            case "\n":
                record.append(field); field = ""; afterQuote = false
                if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
                record = []
                line += 1
            default:
                guard !afterQuote else { throw Error(path: path, line: line, reason: "text after a closing quote") }
                field.unicodeScalars.append(c)
            }
        }
        if quoted { throw Error(path: path, line: line, reason: "unterminated quoted field") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { throw Error(path: path, line: nil, reason: "empty file, expected a header row") }
        for (i, r) in records.enumerated().dropFirst() where r.count != header.count {
            throw Error(path: path, line: i + 1, reason: "\(r.count) fields, the header has \(header.count)")
        }
        self.path = path
        self.header = header
        self.rows = Array(records.dropFirst())
    }

    public func columnIndex(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw Error(path: path, line: 1, reason: "no column \"\(name)\"; columns are \(header.joined(separator: ", "))")
        }
        return i
    }

    /// The first non-empty cell of `column` that does not parse as a number (`Double(cell)`; "NaN" parses, so NaN is
    /// left for `values` to reject), with its 1-based line; nil when the column is numeric.
    public func firstNonNumericCell(_ column: String) throws -> (line: Int, cell: String)? {
        let c = try columnIndex(column)
        for (i, row) in rows.enumerated() {
            let cell = row[c].trimmingCharacters(in: .whitespaces)
            if !cell.isEmpty && Double(cell) == nil { return (i + 2, cell) }
        }
        return nil
    }

    /// Numeric values of `column` keyed by the joined `keyColumns`; duplicate keys and non-numeric or non-finite cells
    /// are errors naming the line. Empty cells are missing values: skipped and counted.
    public func values(_ column: String, keyedBy keyColumns: [String]) throws -> (values: [String: Double], missing: Int) {
        let c = try columnIndex(column)
        let keys = try keyColumns.map(columnIndex)
        var result: [String: Double] = [:], missing = 0
        for (i, row) in rows.enumerated() {
            let key = keys.map { row[$0] }.joined(separator: "@")
            let cell = row[c].trimmingCharacters(in: .whitespaces)
            if cell.isEmpty { missing += 1; continue }
            guard let v = Double(cell), v.isFinite else {
                throw Error(path: path, line: i + 2, reason: "column \(column): \"\(cell)\" is not a finite number")
            }
            guard result.updateValue(v, forKey: key) == nil else {
                throw Error(path: path, line: i + 2, reason: "duplicate key \(key) (key columns: \(keyColumns.joined(separator: ", ")))")
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
