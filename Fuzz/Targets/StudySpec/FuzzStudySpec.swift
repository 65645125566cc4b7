import Foundation
import FuzzSupport
import Replay

/// StudySpec.load on arbitrary bytes (syntax, unknown keys, validation), then the quick variant of an accepted spec.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = Scratch.file("study.json", FuzzInput(data, size).bytes)
    guard let spec = try? StudySpec.load(path: path) else { return 0 }
    if let quick = try? spec.quickVariant() { _ = quick.validate() }
    return 0
}

@main enum FuzzStudySpec { static func main() { runLibFuzzer(fuzz) } }
