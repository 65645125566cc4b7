import Archive
import SyntheticArchive
import ArgumentParser
import Foundation

/// Fills an archive with synthetic runs: used by the crash and concurrency tests and by `bench archive`.
struct Synthesize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: "Ingest synthetic runs (kind 'synthetic') for testing and benchmarking.",
        discussion: "Prints 'committed <run ID>' after each run is durable, so a test can tell what was committed.",
        shouldDisplay: false
    )
    @OptionGroup var location: ArchiveLocation
    @Option(help: "Number of runs.") var runs: Int
    @Option(help: "Index of the first run.") var start = 0
    @Option(help: "Bytes of float32 weights per run.") var tensorBytes = 4096

    func validate() throws {
        try requireInteger(runs, "--runs", in: 0...10_000_000)
        try requireInteger(start, "--start", in: 0...(Int(Int32.max) - max(0, min(runs, 10_000_000))))
        try requireInteger(tensorBytes, "--tensor-bytes", in: 4...(1 << 30), "bytes of float32 weights")
        guard tensorBytes % 4 == 0 else { throw ValidationError("--tensor-bytes \(tensorBytes): must be a multiple of 4 (float32 weights)") }
    }

    func run() throws {
        try reporting {
            let archive = try location.openOrCreate()
            setvbuf(stdout, nil, _IOLBF, 0)
            for index in start..<(start + runs) {
                let id = try SyntheticRuns.ingest(into: archive, index: index, tensorBytes: tensorBytes)
                print("committed \(id.hex)")
            }
        }
    }
}
