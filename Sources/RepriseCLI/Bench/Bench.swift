import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Reprise against a peer run on the same machine in the same run.",
        subcommands: [BenchKernels.self, BenchArchive.self, BenchAnalyze.self]
    )
}
