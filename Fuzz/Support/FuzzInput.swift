import Foundation

/// The bytes libFuzzer hands a target, and the ways targets cut them up.
public struct FuzzInput {
    public let bytes: [UInt8]

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) { bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : size)) }

    public var data: Data { Data(bytes) }

    /// The bytes as text, or nil when they are not UTF-8 (the file readers refuse those before parsing).
    public var utf8Text: String? { String(validating: bytes, as: UTF8.self) }

    /// Two inputs from one (for parsers that read a pair of files): a 2-byte little-endian length n, then n bytes
    /// (fewer if the input is shorter), then the rest. Corpus files are written in this form by `Fuzz/make-corpus.sh`.
    public var twoParts: (first: [UInt8], second: [UInt8]) {
        guard bytes.count >= 2 else { return (bytes, []) }
        let n = min(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count - 2)
        return (Array(bytes[2..<(2 + n)]), Array(bytes[(2 + n)...]))
    }
}
