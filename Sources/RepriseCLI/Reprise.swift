import ArgumentParser
import Foundation

@main
struct Reprise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprise",
        abstract: "Reproducible deep-learning architecture studies, offline.",
        discussion: """
        Archive trained runs content-addressed, replay any of them bit for bit on CPU, and recompute the
        published tables and correlations of architecture studies.

        Exit status: 0 success; 1 a check failed (fsck found damage, verify found a difference);
        2 bad input or usage; 3 an I/O or internal error.
        """,
        version: RepriseVersion.string,
        subcommands: [StudyCommand.self, RankCommand.self, AnalyzeCommand.self, DerivationCommand.self, Verify.self, NotebookCommand.self, Init.self, ImportTable.self, Tables.self, Train.self, ReplayCommand.self, Eval.self, List.self, Show.self, Log.self, Export.self, BundleCommand.self, CheckpointCommand.self, Fsck.self, GC.self, ArchiveCommand.self, Synthesize.self, Bench.self]
    )

    /// Parses and runs the command with one exit-status rule for everything: ArgumentParser's usage and validation
    /// errors (its own status is EX_USAGE, 64) exit 2 like every other bad input; `--help`/`--version` exit 0; library
    /// errors go through `exitStatus(reporting:)`; and output that could not be written to stdout exits 3.
    static func main() {
        // A closed pipe must give EPIPE (reported, exit 3), not kill the process silently in the middle of a write.
        signal(SIGPIPE, SIG_IGN)
        // Likewise a file-size limit (ulimit -f): the write fails with EFBIG, reported with its file (exit 3).
        signal(SIGXFSZ, SIG_IGN)
        let status: Int32
        do {
            var command = try parseAsRoot()
            try command.run()
            status = standardOutputFailure()?.rawValue ?? 0
        } catch {
            let parserStatus = exitCode(for: error)
            if error is ExitCode || error is CleanExit || parserStatus.rawValue != ExitCode.failure.rawValue {
                // ArgumentParser's own errors (help, version, usage, validation) and exit codes a command chose.
                let message = fullMessage(for: error)
                if parserStatus.isSuccess {
                    if !message.isEmpty { print(message) }
                } else if !message.isEmpty {
                    writeStandardError(message + "\n")
                }
                let code = parserStatus.rawValue == 64 ? Exit.badInput.rawValue : parserStatus.rawValue
                status = standardOutputFailure()?.rawValue ?? code
            } else {
                status = exitStatus(reporting: error).rawValue
                _ = standardOutputFailure()
            }
        }
        Foundation.exit(status)
    }
}

enum RepriseVersion {
    static let string = "0.1.0"
}
