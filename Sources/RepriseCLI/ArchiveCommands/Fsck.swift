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
