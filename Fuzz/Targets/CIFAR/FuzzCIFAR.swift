import Foundation
import FuzzSupport
import Replay

/// CIFARDataset.decode of one file's bytes, as CIFAR-10 and as CIFAR-100.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).bytes
    _ = try? CIFARDataset.decode(bytes, variant: .cifar10, path: "fuzz.bin")
    _ = try? CIFARDataset.decode(bytes, variant: .cifar100, path: "fuzz.bin")
    return 0
}

@main enum FuzzCIFAR { static func main() { runLibFuzzer(fuzz) } }
