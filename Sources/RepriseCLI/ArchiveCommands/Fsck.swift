import Archive
import ArgumentParser

struct Fsck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-hash objects and check every reference.",
        discussion: "Exit status 0 when clean, 1 when any problem is found (each printed on its own line)."
    )
    @OptionGroup var location: ArchiveLocation
    @Option(help: "Re-hash only a random P% of objects (references are always all checked).") var sample: Double = 100
    @Option(help: "Seed of the sample.") var seed: UInt64 = 0

    func validate() throws {
        guard sample > 0 && sample <= 100 else { throw ValidationError("--sample \(sample): must be a percentage in (0, 100]") }
    }

    func run() throws {
        try reporting {
            let archive = try location.open()
            let progress = ProgressLine("fsck", total: 0)
            let report = archive.fsck(samplePercent: sample, sampleSeed: seed)
            progress.finish()
            for problem in report.problems { print("problem: \(problem)") }
            print("fsck: \(report.objectsChecked) of \(report.objectsTotal) objects re-hashed, \(report.runs) runs checked, \(report.problems.count) problems")
            if !report.isClean { throw Exit.checkFailed }
        }
    }
}

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
