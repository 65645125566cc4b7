/// Why a statistic has no value for the given input. Analyses report it; they never return NaN silently.
public enum StatisticError: Error, Equatable, CustomStringConvertible {
    case tooFewObservations(needed: Int, got: Int)
    case constantInput(which: String)
    case lengthMismatch(Int, Int)
    case nonFinite(which: String, index: Int)
    case undefined(String)

    public var description: String {
        switch self {
        case .tooFewObservations(let needed, let got): return "undefined: needs at least \(needed) observations, got \(got)"
        case .constantInput(let which): return "undefined: \(which) is constant (zero variance)"
        case .lengthMismatch(let a, let b): return "x has \(a) values but y has \(b)"
        case .nonFinite(let which, let index): return "\(which)[\(index)] is NaN or infinite; drop or fill missing values first"
        case .undefined(let why): return "undefined: \(why)"
        }
    }

    static func check(_ x: [Double], _ y: [Double], minimum: Int) throws {
        guard x.count == y.count else { throw StatisticError.lengthMismatch(x.count, y.count) }
        guard x.count >= minimum else { throw StatisticError.tooFewObservations(needed: minimum, got: x.count) }
        if let i = x.firstIndex(where: { !$0.isFinite }) { throw StatisticError.nonFinite(which: "x", index: i) }
        if let i = y.firstIndex(where: { !$0.isFinite }) { throw StatisticError.nonFinite(which: "y", index: i) }
        if x.allSatisfy({ $0 == x[0] }) { throw StatisticError.constantInput(which: "x") }
        if y.allSatisfy({ $0 == y[0] }) { throw StatisticError.constantInput(which: "y") }
    }
}

/// A correlation coefficient with its two-sided p-value.
public struct Correlation: Equatable, Sendable {
    public var coefficient: Double
    public var pValue: Double
    public var n: Int

    public init(coefficient: Double, pValue: Double, n: Int) {
        self.coefficient = coefficient; self.pValue = pValue; self.n = n
    }
}
