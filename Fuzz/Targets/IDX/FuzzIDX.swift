import Foundation
import FuzzSupport
import Replay

/// IDXDataset.load of an image file and a label file (the input's two parts, see FuzzInput.twoParts; either may be
/// gzip-compressed).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (images, labels) = FuzzInput(data, size).twoParts
    _ = try? IDXDataset.load(images: Scratch.file("images.idx", images), labels: Scratch.file("labels.idx", labels), name: "fuzz")
    return 0
}

@main enum FuzzIDX { static func main() { runLibFuzzer(fuzz) } }
