import Crypto
import Foundation

/// The name of an archive object: the SHA-256 of its *uncompressed* bytes, written as 64 lowercase hex digits.
///
/// Fixed example (FIPS 180-2, also restic's test vector): "foobar" → c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2.
public struct ObjectID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let hex: String

    /// Accepts exactly 64 lowercase hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        self.hex = hex
    }

    /// The ID of `bytes`.
    public init(of bytes: UnsafeRawBufferPointer) {
        hex = SHA256.hash(data: bytes).hexString
    }

    public init<D: DataProtocol>(of data: D) {
        hex = SHA256.hash(data: data).hexString
    }

    public var description: String { hex }
    /// The first 12 digits, for people.
    public var short: String { String(hex.prefix(12)) }

    public static func < (a: ObjectID, b: ObjectID) -> Bool { a.hex < b.hex }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ObjectID(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 hex digest: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

extension Digest {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
