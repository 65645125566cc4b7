import Foundation

/// A number as written in a CSV cell, a transcribed table or a claims file, read by one exact grammar, with the
/// resolution its printed form implies.
///
/// Grammar, after trimming spaces and tabs (no locale, so "1,5" never means 1.5):
///   [+ | - | −] ( digits [ "." digits* ] | "." digits ) [ (e | E) [+ | -] digits ] [ "%" ]
/// In `.printed` style (published tables and claims) the integer part may also be grouped in thousands, "1,234,567",
/// and a trailing "%" is allowed; in `.data` style (CSV data read by analyses) neither is.
/// Resolution: with d digits after the point (0 without a point) and exponent e (0 without one), the last printed
/// digit is worth 10^(e − d), so `decimals` = d − e: "0.17" → 2, "1.7e-1" → 2 (0.17 to the mantissa's one decimal),
/// "17%" → 0 (in percent points: the value is 17), "-0.0" → 1, ".5" → 1, "5." → 0, "1,234.5" → 1, "1e3" → −3
/// (a resolution of 1000), "1.50E+02" → 0.
/// Value: the correctly rounded Double of the digits (grouping commas and "%" removed); "-0" is −0.0.
/// Refused, with the reason: hexadecimal ("0x1A"), "nan", "inf", "infinity" (any case), a value beyond ±1.8e308
/// ("1e999") or non-zero digits that round to 0 (below 4.9e-324), a comma that is not thousands grouping ("1,5",
/// "12,34"), and, in `.data` style, any comma or "%". Anything else that is not the grammar is text.
public struct PrintedNumber: Sendable, Equatable {
    public var value: Double
    /// d − e above: the last printed digit is worth 10^(−decimals).
    public var decimals: Int
    /// The text ended in "%" (the value is in percent points).
    public var isPercent: Bool

    public enum Style: Sendable { case data, printed }

    /// What a cell holds: a number, a number written in a form that is refused (with why), or text.
    public enum Reading: Sendable, Equatable {
        case number(PrintedNumber)
        case refused(String)
        case text
    }

    /// Half a unit in the last printed place: the largest error rounding could have introduced.
    public var halfUnit: Double { 0.5 * pow(10, Double(-decimals)) }

    public static func read(_ raw: String, style: Style) -> Reading {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let s = Array(text.unicodeScalars)
        guard !s.isEmpty else { return .text }
        let lowered = text.lowercased()
        let unsigned = lowered.hasPrefix("-") || lowered.hasPrefix("+") || lowered.hasPrefix("−") ? String(lowered.dropFirst()) : lowered
        if ["nan", "inf", "infinity"].contains(unsigned) { return .refused("not a finite number") }
        if unsigned.hasPrefix("0x") { return .refused("hexadecimal, which is not accepted") }

        var i = 0
        var digits = ""  // the number for Double(_:), without grouping commas or "%"
        func isDigit(_ k: Int) -> Bool { k < s.count && ("0"..."9").contains(s[k]) }
        if s[i] == "-" || s[i] == "−" { digits = "-"; i += 1 } else if s[i] == "+" { i += 1 }
        var integerDigits = 0, sawComma = false, groupLength = 0, firstGroup = 0
        while i < s.count, isDigit(i) || s[i] == "," {
            if s[i] == "," {
                if style == .data { return .refused("a number with a comma (a decimal comma or thousands separator)") }
                if !sawComma { firstGroup = groupLength } else if groupLength != 3 { return .refused("a number with a comma that is not thousands grouping (a decimal comma?)") }
                sawComma = true; groupLength = 0
            } else {
                digits.unicodeScalars.append(s[i]); integerDigits += 1; groupLength += 1
            }
            i += 1
        }
        if sawComma && (groupLength != 3 || firstGroup < 1 || firstGroup > 3) {
            return .refused("a number with a comma that is not thousands grouping (a decimal comma?)")
        }
        var fractionDigits = 0
        if i < s.count, s[i] == "." {
            digits += "."; i += 1
            while isDigit(i) { digits.unicodeScalars.append(s[i]); fractionDigits += 1; i += 1 }
        }
        guard integerDigits + fractionDigits > 0 else { return .text }
        var exponent = 0
        if i < s.count, s[i] == "e" || s[i] == "E" {
            var j = i + 1, sign = 1
            if j < s.count, s[j] == "+" || s[j] == "-" { sign = s[j] == "-" ? -1 : 1; j += 1 }
            var e = 0, any = false
            while isDigit(j) { e = min(e * 10 + Int(s[j].value - 48), 100_000); any = true; j += 1 }
            guard any else { return .text }
            exponent = sign * e
            digits += "e\(exponent)"; i = j
        }
        var isPercent = false
        if i < s.count, s[i] == "%" {
            if style == .data { return .refused("a percentage (give the number alone)") }
            isPercent = true; i += 1
        }
        if i < s.count {
            return sawComma && s[i] == "," ? .refused("a number with a comma that is not thousands grouping (a decimal comma?)") : .text
        }
        guard let value = Double(digits) else { return .text }
        guard value.isFinite else { return .refused("beyond Double's range (±1.8e308)") }
        let mantissa = digits.split(separator: "e").first ?? ""
        if value == 0 && mantissa.contains(where: { ("1"..."9").contains($0) }) {
            return .refused("below Double's smallest magnitude (4.9e-324), so it would read as 0")
        }
        return .number(PrintedNumber(value: value, decimals: fractionDigits - exponent, isPercent: isPercent))
    }

    /// What the grammar allows, for error messages.
    public static func allowed(_ style: Style) -> String {
        style == .data ? "a decimal number such as 12, -0.5, .25 or 1.5e-3" : "a decimal number such as 12, -0.5, 1,234.5, 1.5e-3 or 17%"
    }
}
