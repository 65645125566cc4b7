import Foundation

/// A table of results, rendered identically every time as Markdown, CSV, LaTeX or JSON (the four outputs of every
/// regenerated table). Numbers carry their printed precision; a missing value prints as "—" (Markdown, LaTeX, text), an
/// empty field (CSV) or null (JSON). No table prints nan, inf or -nan: analyses give a missing cell with the reason in a
/// note, and as a last guard `init` turns any NaN or ±∞ number into a missing cell and adds a note naming it.
public struct ResultTable: Equatable, Sendable {
    public enum Cell: Equatable, Sendable {
        case text(String)
        case integer(Int)
        /// A value printed with `digits` decimals (nil = missing).
        case number(Double?, digits: Int)
    }

    public var title: String
    public var columns: [String]
    public var rows: [[Cell]]
    /// Lines printed under the table: definitions, n, sources.
    public var notes: [String]

    public init(title: String, columns: [String], rows: [[Cell]], notes: [String] = []) {
        precondition(rows.allSatisfy { $0.count == columns.count }, "ResultTable \(title): row width differs from the columns")
        var rows = rows, notes = notes
        for r in rows.indices {
            for c in rows[r].indices {
                guard case .number(let v?, let digits) = rows[r][c], !v.isFinite else { continue }
                rows[r][c] = .number(nil, digits: digits)
                notes.append("row \(r + 1), \(columns[c]): missing, the computed value was \(v.isNaN ? "not a number" : "infinite")")
            }
        }
        self.title = title; self.columns = columns; self.rows = rows; self.notes = notes
    }

    public enum Format: String, CaseIterable, Sendable {
        case markdown = "md", csv, latex = "tex", json, text = "txt"
    }

    public func rendered(_ format: Format) -> String {
        switch format {
        case .markdown: return markdown
        case .csv: return csv
        case .latex: return latex
        case .json: return json
        case .text: return text
        }
    }

    static func plain(_ cell: Cell, missing: String) -> String {
        switch cell {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .number(let v, let digits):
            guard let v, v.isFinite else { return missing }  // a non-finite value set after init: never "nan"/"inf"
            let s = String(format: "%.\(digits)f", v)
            return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s   // never print "-0.000"
        }
    }

    /// GitHub-flavoured Markdown; a `|` or line break inside a cell or header is escaped (`\|`, space), so every row
    /// has exactly as many cells as the header.
    public var markdown: String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "|" || $0 == "\n" || $0 == "\r" })
                ? s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
                : s
        }
        var out = "**\(title)**\n\n| " + columns.map(cell).joined(separator: " | ") + " |\n|"
        out += columns.indices.map { i in rows.first.map { if case .text = $0[i] { return "---" } else { return "---:" } } ?? "---" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.map { cell(Self.plain($0, missing: "—")) }.joined(separator: " | ") + " |\n" }
        for n in notes { out += "\n" + n + "\n" }
        return out
    }

    /// RFC 4180 quoting (fields with a comma, quote or line break are quoted, quotes doubled); lines end with LF.
    public var csv: String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = columns.map(field).joined(separator: ",") + "\n"
        for row in rows { out += row.map { field(Self.plain($0, missing: "")) }.joined(separator: ",") + "\n" }
        return out
    }

    public var latex: String {
        func escape(_ s: String) -> String {
            var r = ""
            for ch in s {
                switch ch {
                case "\\": r += "\\textbackslash{}"
                case "&", "%", "$", "#", "_", "{", "}": r += "\\" + String(ch)
                case "~": r += "\\textasciitilde{}"
                case "^": r += "\\textasciicircum{}"
                case "—": r += "---"
                case "ρ": r += "$\\rho$"
                case "τ": r += "$\\tau$"
                default: r.append(ch)
                }
            }
            return r
        }
        let align = columns.indices.map { i in rows.first.map { if case .text = $0[i] { return "l" } else { return "r" } } ?? "l" }.joined()
        var out = "% \(title)\n\\begin{tabular}{\(align)}\n\\hline\n"
        out += columns.map(escape).joined(separator: " & ") + " \\\\\n\\hline\n"
        for row in rows { out += row.map { escape(Self.plain($0, missing: "—")) }.joined(separator: " & ") + " \\\\\n" }
        out += "\\hline\n\\end{tabular}\n"
        for n in notes { out += "% " + n + "\n" }
        return out
    }

    /// {"title", "columns", "rows": [{column: value}], "notes"}; numbers rounded to their printed precision, keys sorted.
    public var json: String {
        func quote(_ s: String) -> String {
            var r = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": r += "\\\""
                case "\\": r += "\\\\"
                case "\n": r += "\\n"
                case "\t": r += "\\t"
                default: if u.value < 0x20 { r += String(format: "\\u%04x", u.value) } else { r.unicodeScalars.append(u) }
                }
            }
            return r + "\""
        }
        func value(_ c: Cell) -> String {
            switch c {
            case .text(let s): return quote(s)
            case .integer(let i): return String(i)
            case .number(let v, _): return v == nil ? "null" : Self.plain(c, missing: "null")
            }
        }
        var out = "{\n  \"title\": \(quote(title)),\n  \"columns\": [\(columns.map(quote).joined(separator: ", "))],\n  \"rows\": [\n"
        out += rows.map { row in "    {" + zip(columns, row).map { "\(quote($0)): \(value($1))" }.joined(separator: ", ") + "}" }.joined(separator: ",\n")
        out += "\n  ],\n  \"notes\": [\(notes.map(quote).joined(separator: ", "))]\n}\n"
        return out
    }

    /// Aligned plain text for terminals.
    public var text: String {
        let cells = [columns] + rows.map { $0.map { Self.plain($0, missing: "—") } }
        let widths = columns.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
        var out = title + "\n"
        for (n, row) in cells.enumerated() {
            out += row.enumerated().map { i, s in
                let pad = String(repeating: " ", count: widths[i] - s.count)
                return i == 0 ? s + pad : pad + s
            }.joined(separator: "  ") + "\n"
            if n == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        for n in notes { out += n + "\n" }
        return out
    }
}
