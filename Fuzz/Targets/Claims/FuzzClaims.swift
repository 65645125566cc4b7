import Analyze
import Foundation
import FuzzSupport

/// A claims file (Claim.load: CSV, header, numbers, arguments, analyses) and the same bytes read as a published table
/// (PrintedTable), with its column and row lookups.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = Scratch.file("claims.csv", FuzzInput(data, size).bytes)
    if let claims = try? Claim.load(path: path) { _ = claims.map { $0.published.halfUnit } }
    if let table = try? PrintedTable(path: path) {
        for column in table.columns { _ = try? table.columnIndex(column) }
        if let row = table.rowNames.first { _ = try? table.rowIndex(row) }
        if !table.rowNames.isEmpty { _ = table.removingRow(0) }
        _ = table.perturbed { _, _, half in half }
    }
    return 0
}

@main enum FuzzClaims { static func main() { runLibFuzzer(fuzz) } }
