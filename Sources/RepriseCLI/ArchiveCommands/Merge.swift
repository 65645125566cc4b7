import Archive
import ArgumentParser
import Foundation

struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "Operations on whole archives.", subcommands: [Merge.self])
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Union archive B into archive A (e.g. the shards of a study), reporting determinism failures.",
        discussion: """
        All or nothing. Objects missing from A are copied after re-hashing; runs only in B are added; a run unfinished
        in one and further along in the other (same checkpoints so far) keeps the longer record, so a copy taken
        mid-run never downgrades A. A run ID present in both with different results is a determinism failure (or
        damage): every such run is named with both versions, nothing is changed, and the exit status is 1.
        A damaged B (see `reprise fsck`) is refused before anything is written.
        Example: reprise archive merge shard1 shard2
        """
    )
    @Argument(help: "Archive to merge into (A).") var into: String
    @Argument(help: "Archive to merge from (B); it is not modified.") var from: String

    func run() throws {
        try reporting {
            let a = try Archive.open(at: into), b = try Archive.open(at: from)
            let report = try a.merge(from: b)
            print("copied \(report.objectsCopied) objects; added \(report.runsAdded) runs, advanced \(report.runsAdvanced), kept \(report.runsKept) further along here; added \(report.refsAdded) tables/derivations/studies")
        }
    }
}
