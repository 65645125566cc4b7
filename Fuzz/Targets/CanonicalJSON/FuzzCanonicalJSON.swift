import Archive
import Foundation
import FuzzSupport

/// JSONValue.parse on arbitrary bytes; for every document it accepts, canonicalisation is a fixed point
/// (canonical(parse(canonical(x))) == canonical(x)) and the Codable path reads the canonical bytes back to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    guard let value = try? JSONValue.parse(input.data) else { return 0 }
    let canonical = value.canonicalData
    guard let again = try? JSONValue.parse(canonical) else { fatalError("canonical bytes do not parse: \(value.canonicalString)") }
    precondition(again.canonicalData == canonical, "canonical form is not a fixed point: \(value.canonicalString)")
    _ = try? JSONDecoder().decode(JSONValue.self, from: input.data)
    _ = value.unknownKeys(comparedWith: again)
    return 0
}

@main enum FuzzCanonicalJSON { static func main() { runLibFuzzer(fuzz) } }
