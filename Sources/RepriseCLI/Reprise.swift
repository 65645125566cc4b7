import ArgumentParser

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
}

enum RepriseVersion {
    static let string = "0.1.0"
}
