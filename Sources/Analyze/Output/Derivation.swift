import Archive
import Foundation

/// Tables as stored in derivation records (see `DerivationRecord` in the Archive): the table exactly as printed, so a
/// later regeneration can be compared cell by cell.
extension ResultTable {
    /// `{title, columns, rows: [[cell as printed, or null when missing]], notes}`. Numbers keep their printed precision
    /// as text ("0.579"), so the digest changes exactly when a printed cell changes.
    public var archivedForm: JSONValue {
        .object(["title": .string(title), "columns": .array(columns.map(JSONValue.string)),
                 "rows": .array(rows.map { .array($0.map(Self.archived)) }),
                 "notes": .array(notes.map(JSONValue.string))])
    }

    static func archived(_ cell: Cell) -> JSONValue {
        if case .number(nil, _) = cell { return .null }
        return .string(plain(cell, missing: ""))
    }

    /// A table read back from its archived form (every cell as printed text; null is a missing value).
    public init(archivedForm value: JSONValue) throws {
        func strings(_ v: JSONValue?) -> [String]? {
            guard case .array(let items)? = v else { return nil }
            let s = items.compactMap(\.stringValue)
            return s.count == items.count ? s : nil
        }
        guard let title = value["title"]?.stringValue, let columns = strings(value["columns"]), let notes = strings(value["notes"]),
              case .array(let rowValues)? = value["rows"] else {
            throw OutputError(path: "derivation result", reason: "not a stored table ({title, columns, rows, notes})")
        }
        var rows: [[Cell]] = []
        for row in rowValues {
            guard case .array(let cells) = row, cells.count == columns.count,
                  cells.allSatisfy({ $0 == .null || $0.stringValue != nil }) else {
                throw OutputError(path: "derivation result", reason: "a row is not \(columns.count) printed cells")
            }
            rows.append(cells.map { $0.stringValue.map { .text($0) } ?? .number(nil, digits: 0) })
        }
        self.init(title: title, columns: columns, rows: rows, notes: notes)
    }

    /// Cells that differ between two tables of the same shape, as "row R, column: old → new" (at most `limit`), or
    /// a one-line account of a change of shape.
    public func differences(from other: ResultTable, limit: Int = 10) -> [String] {
        if columns != other.columns { return ["columns differ: \(other.columns) → \(columns)"] }
        if rows.count != other.rows.count { return ["row count differs: \(other.rows.count) → \(rows.count)"] }
        var out: [String] = []
        for (r, (new, old)) in zip(rows, other.rows).enumerated() {
            for (c, (a, b)) in zip(new, old).enumerated() where Self.plain(a, missing: "—") != Self.plain(b, missing: "—") {
                out.append("row \(r + 1) (\(Self.plain(new[0], missing: "—"))), \(columns[c]): \(Self.plain(b, missing: "—")) → \(Self.plain(a, missing: "—"))")
            }
        }
        if out.count > limit { out = Array(out.prefix(limit)) + ["… \(out.count - limit) more"] }
        return out
    }
}

extension Archive {
    /// Stores `table` (as printed) and a derivation record naming `inputs`, and returns the table with a footer line
    /// naming the derivation, so a reader can trace any cell back: `reprise derivation show ID` lists the inputs,
    /// `reprise derivation check ID` recomputes the table and diffs it. The footer is not part of the stored table.
    public func recordDerivation(of table: ResultTable, analysis: String, parameters: JSONValue, inputs: [ObjectID],
                                 repriseVersion: String) throws -> (table: ResultTable, id: ObjectID) {
        let result = try putJSON(table.archivedForm)
        let id = try putDerivation(DerivationRecord(analysis: analysis, parameters: parameters, inputObjects: inputs,
                                                    repriseVersion: repriseVersion, result: result))
        var footed = table
        footed.notes.append("derivation \(id.short) (reprise derivation show \(id.short))")
        return (footed, id)
    }
}
