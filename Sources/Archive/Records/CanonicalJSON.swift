import Foundation

/// A JSON value, and its canonical serialisation: the bytes that are hashed to name runs and records.
///
/// Canonical form (FORMAT.md §Canonical JSON), version 1:
/// - UTF-8, no whitespace, no byte-order mark, no trailing newline.
/// - Object keys sorted by their UTF-8 bytes; duplicate keys are an error.
/// - Strings: `"` and `\` escaped as `\"` `\\`; U+0008, U+0009, U+000A, U+000C, U+000D as `\b \t \n \f \r`; other
///   code points below U+0020 as `\u00xx` (lowercase hex); everything else, including non-ASCII, as raw UTF-8.
/// - Numbers: an integer value of magnitude ≤ 2⁵³ (whatever its input form: `1`, `1.0`, `1e0`) is written as a plain
///   decimal integer (`-0` as `0`); an integer token beyond 2⁵³ that fits Int64 is written exactly; every other number is
///   written in Swift's shortest round-trip form of the Double (`0.1`, `1e-05`, `6.02e+23`). NaN and ±∞ are not JSON
///   and are rejected.
/// Example: `{"b": [1.0, 0.5], "a": "x"}` → `{"a":"x","b":[1,0.5]}`.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The canonical bytes of any `Encodable` value (encoded with JSONEncoder, re-parsed, canonicalised).
    public static func canonicalBytes<T: Encodable>(of value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .throw
        return try JSONValue.parse(encoder.encode(value)).canonicalData
    }

    public var canonicalData: Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(into: &out)
        return Data(out)
    }

    public var canonicalString: String { String(decoding: canonicalData, as: UTF8.self) }

    func write(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .integer(let i): out += Array(String(i).utf8)
        case .number(let d): out += Array(Self.canonicalNumber(d).utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for (n, key) in keys.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func canonicalNumber(_ d: Double) -> String {
        precondition(d.isFinite, "canonical JSON has no NaN or infinity")
        if d == d.rounded(), abs(d) <= 9_007_199_254_740_992 { return String(Int64(d)) }
        return "\(d)"
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [92, 34]
            case UInt8(ascii: "\\"): out += [92, 92]
            case 0x08: out += [92, UInt8(ascii: "b")]
            case 0x09: out += [92, UInt8(ascii: "t")]
            case 0x0A: out += [92, UInt8(ascii: "n")]
            case 0x0C: out += [92, UInt8(ascii: "f")]
            case 0x0D: out += [92, UInt8(ascii: "r")]
            case 0..<0x20: out += [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

// MARK: - Parsing

extension JSONValue {
    public struct ParseError: Error, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Parses RFC 8259 JSON. Integer tokens (no `.`, `e`, `E`) that fit Int64 become `.integer`, other numbers `.number`
    /// (canonicalisation then folds integral doubles onto integers).
    public static func parse(_ data: Data) throws -> JSONValue {
        var parser = Parser(bytes: [UInt8](data))
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw ParseError(offset: parser.index, reason: "trailing characters") }
        return value
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        func fail(_ reason: String) -> ParseError { ParseError(offset: index, reason: reason) }

        mutating func expect(_ literal: String) throws {
            let l = Array(literal.utf8)
            guard index + l.count <= bytes.count, Array(bytes[index..<(index + l.count)]) == l else { throw fail("expected \(literal)") }
            index += l.count
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < 512 else { throw fail("nesting deeper than 512") }
            guard index < bytes.count else { throw fail("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONValue] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    skipWhitespace()
                    items.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard index < bytes.count else { throw fail("unterminated array") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                    throw fail("expected , or ]")
                }
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: JSONValue] = [:]
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let key = try string()
                    guard members[key] == nil else { throw fail("duplicate key \"\(key)\"") }
                    skipWhitespace()
                    try expect(":")
                    skipWhitespace()
                    members[key] = try value(depth: depth + 1)
                    skipWhitespace()
                    guard index < bytes.count else { throw fail("unterminated object") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                    throw fail("expected , or }")
                }
            default:
                return try number()
            }
        }

        mutating func number() throws -> JSONValue {
            let start = index
            var isInteger = true
            while index < bytes.count {
                let b = bytes[index]
                if (48...57).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                    index += 1
                } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    isInteger = false; index += 1
                } else { break }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !text.isEmpty else { throw fail("unexpected character") }
            if isInteger, let i = Int64(text) {
                return .integer(i)
            }
            guard let d = Double(text), d.isFinite else { throw fail("bad number \(text)") }
            if d == d.rounded(), abs(d) <= 9_007_199_254_740_992 { return .integer(Int64(d)) }
            return .number(d)
        }

        mutating func string() throws -> String {
            index += 1
            var out = [UInt8]()
            while true {
                guard index < bytes.count else { throw fail("unterminated string") }
                let b = bytes[index]
                index += 1
                if b == UInt8(ascii: "\"") { break }
                if b < 0x20 { throw fail("control character in string") }
                if b != UInt8(ascii: "\\") { out.append(b); continue }
                guard index < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(34)
                case UInt8(ascii: "\\"): out.append(92)
                case UInt8(ascii: "/"): out.append(47)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        try expect("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                    out += Array(String(Character(u)).utf8)
                default: throw fail("bad escape")
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
            return s
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
            else { throw fail("bad \\u escape") }
            index += 4
            return v
        }
    }
}
