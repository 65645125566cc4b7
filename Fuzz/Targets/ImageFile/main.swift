import Foundation
import FuzzSupport
import Replay

/// ImageFile.decode of arbitrary bytes (PNG through libpng, JPEG through TurboJPEG, told by the first bytes), then,
/// for what decodes, both channel conversions and a resize to 7 × 7.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let image = try? ImageFile.decode(FuzzInput(data, size).bytes, path: "fuzz.img") else { return 0 }
    precondition(image.pixels.count == image.width * image.height * image.channels)
    if image.width * image.height <= 1 << 20 {
        for c in [1, 3] { _ = image.converted(toChannels: c).resized(toSide: 7) }
    }
    return 0
}

@main enum FuzzImageFile { static func main() { runLibFuzzer(fuzz) } }
