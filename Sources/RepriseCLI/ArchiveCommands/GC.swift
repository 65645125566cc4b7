import Archive
import ArgumentParser

struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove objects that no run, table or derivation references.",
        discussion: """
        Objects younger than --grace seconds are kept: they may belong to a commit in progress. Safe beside running
        writers: gc takes the archive's lock exclusively (waiting for writers' transactions to end), and a writer that
        reuses an object refreshes its age. Any unreadable ref, record or folder stops gc before it removes anything
        (exit 1 or 3; see `reprise fsck`).
        """
    )
    @OptionGroup var location: ArchiveLocation
    @Flag(help: "Count what would be removed, remove nothing.") var dryRun = false
    @Option(help: "Keep unreferenced objects younger than this many seconds (a finite number ≥ 0).") var grace: Double = 3600

    func validate() throws {
        guard grace.isFinite && grace >= 0 else { throw ValidationError("--grace \(grace): must be a finite number of seconds ≥ 0") }
    }

    func run() throws {
        try reporting {
            let report = try location.open().garbageCollect(gracePeriod: grace, dryRun: dryRun)
            print("gc: \(report.kept) objects kept, \(report.removed) \(dryRun ? "would be " : "")removed (\(report.bytesFreed) bytes), \(report.skippedRecent) recent unreferenced kept, \(report.temporaryFilesRemoved) stale temporary files")
        }
    }
}
