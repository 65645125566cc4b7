import CZlib
import Foundation

/// zlib (RFC 1950) one-shot compression and decompression, and gzip (RFC 1952) decoding for datasets shipped as .gz.
public enum Zlib {
    /// Compresses with zlib at `level` (0–9; 6 is zlib's default).
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 6) -> Data {
        var bound = compressBound(uLong(input.count))
        var out = Data(count: Int(bound))
        let status = out.withUnsafeMutableBytes { o in
            compress2(o.baseAddress!.assumingMemoryBound(to: Bytef.self), &bound,
                      input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count), level)
        }
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        out.count = Int(bound)
        return out
    }

    /// Decompresses a zlib stream whose decompressed size is known exactly; nil if the stream is corrupt, its size
    /// differs, or any byte follows the end of the stream (an object is exactly one stream: trailing bytes mean damage).
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedCount: Int) -> Data? {
        var out = Data(count: expectedCount)
        var outLength = uLongf(expectedCount)
        var inLength = uLong(input.count)
        let status = out.withUnsafeMutableBytes { o in
            uncompress2(o.baseAddress?.assumingMemoryBound(to: Bytef.self) ?? UnsafeMutablePointer<Bytef>(bitPattern: 1),
                        &outLength, input.baseAddress?.assumingMemoryBound(to: Bytef.self), &inLength)
        }
        guard status == Z_OK, Int(outLength) == expectedCount, Int(inLength) == input.count else { return nil }
        return out
    }

    /// Decodes a gzip file's bytes (any number of members); nil when the data is not valid gzip.
    public static func gunzip(_ input: Data) -> Data? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        return input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Data? in
            stream.next_in = UnsafeMutablePointer(mutating: raw.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(raw.count)
            while true {
                let status: Int32 = buffer.withUnsafeMutableBufferPointer { b in
                    stream.next_out = b.baseAddress
                    stream.avail_out = uInt(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: buffer[0..<(chunk - Int(stream.avail_out))])
                if status == Z_STREAM_END {
                    if stream.avail_in == 0 { return output }
                    guard inflateReset(&stream) == Z_OK else { return nil }
                } else if status != Z_OK {
                    return nil
                }
            }
        }
    }
}
