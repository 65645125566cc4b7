import Foundation

/// The verdicts of a claims file as a table (text, Markdown, CSV, LaTeX, JSON) with a one-line summary.
/// Recomputed values and differences print with one decimal more than the published value.
public struct VerifyReport: Sendable {
    public let results: [Verifier.Result]
    public let source: String

    public init(results: [Verifier.Result], source: String) { self.results = results; self.source = source }

    public func count(_ verdict: Verifier.Verdict) -> Int { results.filter { $0.verdict == verdict }.count }

    /// True when every checkable claim reproduced (claims that cannot be checked do not count against it).
    public var allReproduced: Bool { count(.differs) == 0 }

    public var summary: String {
        "\(results.count) claims: \(count(.reproduced)) reproduced, \(count(.differs)) differ, \(count(.cannotCheck)) cannot be checked"
    }

    public var table: ResultTable {
        ResultTable(
            title: "Verification of \(source)",
            columns: ["claim", "where", "published", "recomputed", "difference", "verdict", "why"],
            rows: results.map { r in
                let d = max(0, r.claim.published.decimals + 1)
                return [.text(r.claim.id), .text(r.claim.location), .text(r.claim.publishedText),
                        .number(r.recomputed, digits: d), .number(r.difference, digits: d), .text(r.verdict.rawValue), .text(r.reason)]
            },
            notes: [summary,
                    "reproduced = within half a unit of the last printed digit; \"differs\" gives the likeliest cause found (see `reprise verify --help`)"])
    }
}
