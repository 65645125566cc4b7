import Archive
import Foundation
import FuzzSupport

/// A temporary archive that every input is imported into (created once per process).
let archive = try! Archive.create(at: Scratch.directory + "/archive")

/// Bundle.import of arbitrary bytes into a temporary archive: header lines, object lengths and hashes, refs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = Scratch.file("input.bundle", FuzzInput(data, size).bytes)
    _ = try? Bundle.import(from: path, into: archive)
    return 0
}

@main enum FuzzBundle { static func main() { runLibFuzzer(fuzz) } }
