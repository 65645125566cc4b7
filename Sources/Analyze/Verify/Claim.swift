import Archive
import Foundation

/// One published number and how to recompute it: a row of a claims file.
///
/// Claims file (CSV with a header; see `fixtures/claims/README.md`):
///   id, paper, location, published, analysis, input, arguments, note
/// - `published`: the number exactly as printed; its decimals are its precision.
/// - `analysis`: a `ClaimAnalysis` name, or `needs-archive` (needs runs that are not in any archive yet) or
///   `figure-only` (the inputs are printed only in a figure); those are reported as "cannot be checked" with `note`.
/// - `input`: a published-table CSV, relative to the claims file's folder.
/// - `arguments`: `key=value` pairs separated by `;` (e.g. `x=imagenet_top1_pct; y=cct20_top1_pct; where=imagenet_top1_pct>=70`).
public struct Claim: Sendable {
    public var id: String
    public var paper: String
    public var location: String
    public var publishedText: String
    public var published: PrintedTable.Cell
    public var analysis: String
    public var input: String
    public var arguments: [String: String]
    public var note: String
    /// Line in the claims file (for error messages).
    public var line: Int

    public static let uncheckable = ["needs-archive", "figure-only"]
    public var isCheckable: Bool { !Self.uncheckable.contains(analysis) }

    /// Reads a claims file; every problem (unknown analysis, missing argument, unreadable number) names its line.
    public static func load(path: String) throws -> [Claim] {
        let csv = try CSVTable(path: path)
        let expected = ["id", "paper", "location", "published", "analysis", "input", "arguments", "note"]
        guard csv.header == expected else {
            throw VerifyError("\(path): the header must be \(expected.joined(separator: ",")) (got \(csv.header.joined(separator: ",")))")
        }
        var claims: [Claim] = [], ids = Set<String>()
        for (i, row) in csv.rows.enumerated() {
            let line = i + 2
            guard row.count == expected.count else { throw VerifyError("\(path):\(line): \(row.count) fields, expected \(expected.count)") }
            let text = row[3].trimmingCharacters(in: .whitespaces)
            guard case .number(let number) = PrintedNumber.read(text, style: .printed) else {
                throw VerifyError("\(path):\(line): published value \"\(row[3])\" is not a number; expected \(PrintedNumber.allowed(.printed))")
            }
            guard ids.insert(row[0]).inserted else { throw VerifyError("\(path):\(line): claim id \(row[0]) appears twice") }
            guard !row[0].trimmingCharacters(in: .whitespaces).isEmpty else { throw VerifyError("\(path):\(line): field \"id\" = \"\": must not be empty") }
            var arguments: [String: String] = [:]
            for part in row[6].split(separator: ";") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
                let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                    throw VerifyError("\(path):\(line): field \"arguments\" = \(SpecCheck.quote(String(part))): each argument must be key=value with both non-empty")
                }
                guard arguments[kv[0]] == nil else {
                    throw VerifyError("\(path):\(line): field \"arguments.\(kv[0])\" is given twice")
                }
                arguments[kv[0]] = kv[1]
            }
            let claim = Claim(id: row[0], paper: row[1], location: row[2], publishedText: text,
                              published: .init(value: number.value, decimals: number.decimals), analysis: row[4], input: row[5],
                              arguments: arguments, note: row[7], line: line)
            if claim.isCheckable {
                guard let analysis = ClaimAnalysis(rawValue: claim.analysis) else {
                    throw VerifyError("\(path):\(line): unknown analysis \"\(claim.analysis)\" (known: \((ClaimAnalysis.allCases.map(\.rawValue) + uncheckable).joined(separator: ", ")))")
                }
                let missing = analysis.requiredArguments.filter { arguments[$0] == nil }
                guard missing.isEmpty else { throw VerifyError("\(path):\(line): \(analysis.rawValue) needs argument(s) \(missing.joined(separator: ", "))") }
                let unknown = arguments.keys.filter { !analysis.requiredArguments.contains($0) && !ClaimAnalysis.optionalArguments.contains($0) }.sorted()
                guard unknown.isEmpty else { throw VerifyError("\(path):\(line): \(analysis.rawValue) does not take argument(s) \(unknown.joined(separator: ", "))") }
                guard !claim.input.isEmpty else { throw VerifyError("\(path):\(line): \(analysis.rawValue) needs an input table") }
                var check = SpecCheck()
                analysis.check(arguments, into: &check)
                if let problem = check.problems.first { throw VerifyError("\(path):\(line): \(analysis.rawValue): \(problem)") }
            }
            claims.append(claim)
        }
        return claims
    }
}
