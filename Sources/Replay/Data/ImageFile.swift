import CImageCodecs
import Foundation

/// One decoded image file: 8-bit samples, row-major, interleaved (1 channel gray, 3 RGB).
///
/// Formats are told by their first bytes, never by the file name: PNG (signature 89 50 4E 47 0D 0A 1A 0A) through
/// libpng, JPEG (FF D8 FF) through TurboJPEG; what each accepts and refuses is stated in CImageCodecs.h. Samples are
/// the file's own: no gamma, colour profile or EXIF orientation is applied (Pillow's `Image.open(f).convert(mode)`
/// gives the same samples, which the tests check).
public struct ImageFile: Sendable {
    public var width: Int, height: Int, channels: Int
    public var pixels: [UInt8]

    /// Decodes `path`; a file that cannot be read or decoded throws a DatasetError naming it and the reason.
    public static func decode(path: String) throws -> ImageFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(path: path, reason: "cannot read the file")
        }
        return try decode([UInt8](data), path: path)
    }

    public static func decode(_ bytes: [UInt8], path: String) throws -> ImageFile {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let isPNG = bytes.starts(with: png), isJPEG = bytes.starts(with: [0xFF, 0xD8, 0xFF])
        guard isPNG || isJPEG else {
            throw DatasetError(path: path, reason: "not a PNG or JPEG file (by its first bytes); remove it or set \"onBadFile\": \"skip\"")
        }
        var image = reprise_image()
        var message = [CChar](repeating: 0, count: 512)
        let status = bytes.withUnsafeBufferPointer { b in
            isPNG ? reprise_png_decode(b.baseAddress, b.count, &image, &message, message.count)
                  : reprise_jpeg_decode(b.baseAddress, b.count, &image, &message, message.count)
        }
        defer { reprise_image_free(&image) }
        guard status == 0, let pixels = image.pixels else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DatasetError(path: path, reason: "\(isPNG ? "PNG" : "JPEG"): \(reason.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        return ImageFile(width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
                         pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// The image with `channels` channels: gray → RGB repeats the sample; RGB → gray is ITU-R 601-2 luma in Pillow's
    /// fixed point, L = (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16 (Pillow's `convert("L")`).
    public func converted(toChannels target: Int) -> ImageFile {
        if target == channels { return self }
        let n = width * height
        var out = [UInt8](repeating: 0, count: n * target)
        if target == 3 {
            for i in 0..<n { out[3 * i] = pixels[i]; out[3 * i + 1] = pixels[i]; out[3 * i + 2] = pixels[i] }
        } else {
            for i in 0..<n {
                let r = UInt32(pixels[3 * i]), g = UInt32(pixels[3 * i + 1]), b = UInt32(pixels[3 * i + 2])
                out[i] = UInt8((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16)
            }
        }
        return ImageFile(width: width, height: height, channels: target, pixels: out)
    }

    /// The image resized to side × side by area averaging (a box filter), exactly: in coordinates scaled by the
    /// target side S (source rows of height S, output rows of height H), output row i spans [i·H, (i+1)·H) and source
    /// row r spans [r·S, (r+1)·S); their overlap o(r, i) is an integer, and likewise o(c, j) for columns. Then
    ///     y[i][j][ch] = Float( Double(Σ_r Σ_c o(r,i)·o(c,j)·p[r][c][ch]) / Double(H·W·255) ),
    /// the numerator an exact integer (below 2⁵³ for the sizes accepted), one Double division, one rounding to Float.
    /// So the result depends on nothing but the pixels (no summation order, no threads); an image already of the
    /// target size gives p/255. Values are in [0, 1].
    public func resized(toSide side: Int) -> [Float] {
        let (h, w, ch, s) = (height, width, channels, side)
        func overlaps(_ n: Int) -> [[(index: Int, weight: Int)]] {  // for each output index, the source indices and overlaps
            (0..<s).map { i in
                let lo = i * n, hi = (i + 1) * n
                return (lo / s...((hi - 1) / s)).map { r in (r, min(hi, (r + 1) * s) - max(lo, r * s)) }
            }
        }
        let rows = overlaps(h), cols = overlaps(w)
        let denominator = Double(h * w * 255)
        var out = [Float](repeating: 0, count: s * s * ch)
        for i in 0..<s {
            for j in 0..<s {
                for k in 0..<ch {
                    var sum = 0
                    for (r, wr) in rows[i] { for (c, wc) in cols[j] { sum += wr * wc * Int(pixels[(r * w + c) * ch + k]) } }
                    out[(i * s + j) * ch + k] = Float(Double(sum) / denominator)
                }
            }
        }
        return out
    }
}
