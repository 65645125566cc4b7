import Archive
import ArgumentParser
import Foundation

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the archive's runs as CSV.",
        discussion: """
        Tidy (default): one row per run × metric, columns
          run_id, kind, dataset, architecture, seed, status, reason, metric, value
        (architecture = 12-hex digest of the canonical architecture JSON; failed runs appear with their reason).
        --wide: one row per (architecture, kind, seed), one column per dataset, cells = --metric of completed runs
        (two completed runs that would share a cell are an error, not a silent choice).
        Numbers are written in shortest round-trip form: parsing them gives back the stored doubles exactly.
        """
    )
    @OptionGroup var location: ArchiveLocation
    @Flag(help: "Architecture × dataset table instead of tidy rows.") var wide = false
    @Option(help: "Metric of the wide table.") var metric = "test_top1_error"
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func run() throws {
        try reporting {
            let (rows, unreadable) = try TidyExport.rows(of: location.open())
            for problem in unreadable { printError("skipped unreadable run \(problem)") }
            defer { if !unreadable.isEmpty { printError("\(unreadable.count) runs left out of the export (run `reprise fsck`); exit status 1") } }
            let csv = wide ? try TidyExport.wideCSV(rows, metric: metric) : TidyExport.tidyCSV(rows)
            if let output {
                try OutputFile.write(Data(csv.utf8), to: output)
                writeStandardError("wrote \(rows.count) runs to \(output)\n")
            } else {
                print(csv, terminator: "")
            }
            if !unreadable.isEmpty { throw Exit.checkFailed }
        }
    }
}
