import Foundation

/// Field-by-field checking of a hand-written spec (run, study, claims), done before any work starts.
///
/// Every problem is one line naming the field, the value and what is allowed, e.g.
///   field "architectures.sampler.strides[2]" = 3: must be 1 or 2
/// and the loader prefixes the file: `fixtures/studies/x.json: field "…" = …: …`. Checks never trap: values are
/// compared, never used in arithmetic, so a hostile value (Int.max, NaN, a negative count) is a line, not a crash.
public struct SpecCheck: Sendable {
    public private(set) var problems: [String] = []

    public init() {}

    public var isEmpty: Bool { problems.isEmpty }

    /// Records `field = value: rule`.
    public mutating func fail(_ field: String, _ value: String, _ rule: String) {
        problems.append("field \"\(field)\" = \(value): \(rule)")
    }

    /// Records a problem of the spec as a whole (not of one field): "datasets: labels must be unique".
    public mutating func fail(_ field: String, _ rule: String) {
        problems.append("field \"\(field)\": \(rule)")
    }

    public mutating func integer(_ value: Int, _ field: String, in range: ClosedRange<Int>, _ why: String = "") {
        guard !range.contains(value) else { return }
        fail(field, String(value), "must be an integer in \(Self.show(range))" + (why.isEmpty ? "" : " (\(why))"))
    }

    /// A finite number in `range`; `openLower` excludes the lower bound ("in (0, 10]").
    public mutating func number(_ value: Double, _ field: String, in range: ClosedRange<Double>, openLower: Bool = false,
                                openUpper: Bool = false, _ why: String = "") {
        let ok = value.isFinite && (openLower ? value > range.lowerBound : value >= range.lowerBound)
            && (openUpper ? value < range.upperBound : value <= range.upperBound)
        guard !ok else { return }
        let interval = (openLower ? "(" : "[") + Self.show(range.lowerBound) + ", " + Self.show(range.upperBound) + (openUpper ? ")" : "]")
        fail(field, Self.show(value), "must be a finite number in \(interval)" + (why.isEmpty ? "" : " (\(why))"))
    }

    public mutating func oneOf<T: Equatable & CustomStringConvertible>(_ value: T, _ field: String, _ allowed: [T]) {
        guard !allowed.contains(value) else { return }
        let shown = allowed.map { "\($0)" }
        let list = shown.count <= 2 ? shown.joined(separator: " or ") : shown.dropLast().joined(separator: ", ") + " or " + shown.last!
        fail(field, value is String ? Self.quote("\(value)") : "\(value)", "must be \(list)")
    }

    /// A count of list elements in `range` ("must have 1…16 elements").
    public mutating func count<C: Collection>(_ list: C, _ field: String, in range: ClosedRange<Int>) {
        guard !range.contains(list.count) else { return }
        fail(field, "\(list.count) element\(list.count == 1 ? "" : "s")", "must have \(Self.show(range)) elements")
    }

    /// A name that becomes a file or directory name (see `PathComponent`).
    public mutating func pathComponent(_ value: String, _ field: String) {
        if let problem = PathComponent.problem(value) { fail(field, Self.quote(value), problem) }
    }

    /// Prefixes every problem with `file: ` (one line each).
    public func lines(file: String) -> [String] { problems.map { "\(file): \($0)" } }

    public static func show(_ range: ClosedRange<Int>) -> String { "\(range.lowerBound)…\(range.upperBound)" }

    public static func show(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }

    /// A string value as JSON would write it, control characters escaped, cut at 60 characters: keeps the error on one line.
    public static func quote(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars.prefix(60) {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += scalar.value < 0x20 || scalar.value == 0x7F ? String(format: "\\u%04X", scalar.value) : String(scalar)
            }
        }
        return "\"" + out + (s.unicodeScalars.count > 60 ? "…" : "") + "\""
    }
}
