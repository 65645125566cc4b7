import Analyze
import ArgumentParser
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute published numbers from a claims file and say, claim by claim, whether they reproduce.",
        discussion: """
        A claims file (CSV: id, paper, location, published, analysis, input, arguments, note; see
        fixtures/claims/README.md) lists published numbers, each with the table it was computed from and the analysis
        that computes it. For each claim the report gives:
          reproduced     the recomputed value is within half a unit of the last printed digit;
          differs        it is not, with the likeliest cause: the printed inputs are too coarse (the value is within
                         the range obtained by moving every input within its printed rounding), a different subset of
                         rows reproduces it (named), or it differs beyond the rounding of the inputs;
          cannot check   the claim needs runs no archive holds yet, its inputs exist only in a figure, or the
                         statistic is undefined on the inputs.
        Exit status: 0 every checkable claim reproduced; 1 at least one differs (or, with --strict, cannot be
        checked); 2 bad input (unreadable claims file or table, unknown analysis or column).
        Example: reprise verify fixtures/claims/transfer.csv --format md
        """)

    @Argument(help: "Claims file (CSV).") var claims: String
    /// Report formats (the names of `ResultTable.Format`, with "text" for its aligned text).
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, md, csv, tex, json
        var table: ResultTable.Format { [.text: .text, .md: .markdown, .csv: .csv, .tex: .latex, .json: .json][self]! }
    }

    @Option(help: "Output format: aligned text, md (Markdown), csv, tex (LaTeX) or json.") var format: Format = .text
    @Flag(help: "Treat claims that cannot be checked as failures (exit 1).") var strict = false
    @Option(help: "Rounding-probe draws per differing claim, 0…100000 (0 = no probe; the report is seeded, so it never changes).") var draws = 400

    func validate() throws { try requireInteger(draws, "--draws", in: 0...100_000, "rounding-probe draws") }

    func run() throws {
        try reporting {
            let output = format.table
            var verifier = Verifier()
            verifier.perturbationDraws = draws
            let results: [Verifier.Result]
            do { results = try verifier.verify(claimsFile: claims) } catch let error as VerifyError {
                throw CommandLineError(message: error.description)
            } catch let error as CSVTable.Error {
                throw CommandLineError(message: error.description)
            }
            // A claims file with no claims checks nothing: bad input, not "everything reproduced".
            guard !results.isEmpty else { throw CommandLineError(message: "\(claims): no claims (only a header?); a claims file lists at least one published number") }
            let report = VerifyReport(results: results, source: claims)
            print(report.table.rendered(output), terminator: output == .json || output == .csv ? "" : "\n")
            if output == .csv || output == .json { writeStandardError(report.summary + "\n") }
            if !report.allReproduced || (strict && report.count(.cannotCheck) > 0) { throw Exit.checkFailed }
        }
    }
}
