import Foundation

/// A table as printed in a paper, transcribed to CSV: the first column names the rows (models, datasets), every other
/// cell is a number exactly as printed. Each cell keeps its printed precision, because a printed value stands for an
/// interval: "0.9135" means [0.91345, 0.91355]. Numbers and their precision follow `PrintedNumber`'s `.printed`
/// grammar exactly: "1.7e-1" is 0.17 with 2 decimals (not 4), "1,234.5" has 1, "1e3" has −3 (resolution 1000).
///
/// Column names carry their unit when it matters: a name ending in `_pct` holds percentages (0–100), and only there may
/// a cell end in "%" ("17%" is 17); other numeric columns hold what the paper printed (fractions, κ, F1, AUC,
/// correlations). A column with any cell that is not such a number (text, or a refused form such as "1,5", "nan" or
/// "0x1A") is a text column (e.g. a checkpoint name): it is kept for people and refused by analyses, naming the cell
/// and why.
public struct PrintedTable: Sendable {
    public struct Cell: Sendable, Equatable {
        public var value: Double
        /// Decimals of the printed resolution, `PrintedNumber.decimals` ("83.4" → 1, "0.0000" → 4, "12" → 0,
        /// "1.7e-1" → 2, "1e3" → −3).
        public var decimals: Int
        /// Half a unit in the last printed place: the largest error rounding could have introduced.
        public var halfUnit: Double { 0.5 * pow(10, Double(-decimals)) }
    }

    public let path: String
    public let keyColumn: String
    public let columns: [String]
    public private(set) var rowNames: [String]
    /// cells[row][column]; nil for an empty cell or a text column.
    public private(set) var cells: [[Cell?]]
    /// Columns holding text, with the first non-numeric cell (for the error message).
    public private(set) var textColumns: [Int: String] = [:]

    public init(path: String) throws {
        try self.init(csv: try CSVTable(path: path))
    }

    public init(csv: CSVTable) throws {
        guard csv.header.count >= 2 else { throw CSVTable.Error(path: csv.path, line: 1, reason: "a published table needs a name column and at least one value column") }
        path = csv.path
        keyColumn = csv.header[0]
        columns = Array(csv.header.dropFirst())
        rowNames = []
        cells = []
        var seen = Set<String>()
        for (i, row) in csv.rows.enumerated() {
            let line = csv.lines[i]
            guard row.count == csv.header.count else {
                throw CSVTable.Error(path: path, line: line, reason: "\(row.count) fields, the header has \(csv.header.count)")
            }
            guard seen.insert(row[0]).inserted else { throw CSVTable.Error(path: path, line: line, reason: "row \"\(row[0])\" appears twice") }
            rowNames.append(row[0])
            cells.append(row.dropFirst().enumerated().map { j, text in
                if text.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
                var why: String?
                switch PrintedNumber.read(text, style: .printed) {
                case .number(let n) where n.isPercent && !columns[j].hasSuffix("_pct"):
                    why = "a percentage in a column whose name does not end in _pct"
                case .number(let n): return Cell(value: n.value, decimals: n.decimals)
                case .refused(let reason): why = reason
                case .text: break
                }
                if textColumns[j] == nil { textColumns[j] = "line \(line): \"\(text)\"" + (why.map { ": " + $0 } ?? "") }
                return nil
            })
        }
        for j in textColumns.keys { for i in cells.indices { cells[i][j] = nil } }
    }

    public func columnIndex(_ name: String) throws -> Int {
        guard let j = columns.firstIndex(of: name) else {
            throw VerifyError("\(path): no column \"\(name)\" (columns: \(columns.joined(separator: ", ")))")
        }
        if let example = textColumns[j] { throw VerifyError("\(path): column \(name) is not numeric (\(example))") }
        return j
    }

    public func rowIndex(_ name: String) throws -> Int {
        guard let i = rowNames.firstIndex(of: name) else {
            throw VerifyError("\(path): no row \"\(name)\" in column \(keyColumn)")
        }
        return i
    }

    /// The same table without row `i` (for "does a different subset reproduce it?").
    public func removingRow(_ i: Int) -> PrintedTable {
        var t = self
        t.rowNames.remove(at: i)
        t.cells.remove(at: i)
        return t
    }

    /// The same table with every value moved by `offset(row, column, halfUnit)`: for rounding-sensitivity analysis.
    public func perturbed(_ offset: (Int, Int, Double) -> Double) -> PrintedTable {
        var t = self
        for i in t.cells.indices {
            for j in t.cells[i].indices where t.cells[i][j] != nil {
                t.cells[i][j]!.value += offset(i, j, t.cells[i][j]!.halfUnit)
            }
        }
        return t
    }
}

/// A claims file or an input table that cannot be used, with what to fix.
public struct VerifyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
