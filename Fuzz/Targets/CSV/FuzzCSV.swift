import Analyze
import Foundation
import FuzzSupport

/// CSVTable on arbitrary UTF-8 text (CSVTable(path:) refuses other bytes before parsing), then the column readers on
/// the first column.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let text = FuzzInput(data, size).utf8Text, let table = try? CSVTable(text: text) else { return 0 }
    if let first = table.header.first {
        _ = try? table.firstNonNumericCell(first)
        _ = try? table.values(first, keyedBy: Array(table.header.dropFirst().prefix(2)))
    }
    return 0
}

@main enum FuzzCSV { static func main() { runLibFuzzer(fuzz) } }
