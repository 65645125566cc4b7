import Archive
import ArgumentParser
import Foundation
import Kernels
import Replay

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Retrain an archived run from its manifest and compare it with the archive, epoch by epoch.",
        discussion: "Prints \"bitwise identical\" and exits 0, or the first epoch and tensor that differ and by how much, and exits 1."
    )
    @OptionGroup var location: ArchiveLocation
    @Argument(help: .runName) var runName: String
    @OptionGroup var threadOptions: ThreadOptions
    var threads: Int { threadOptions.threads }

    func run() throws {
        try reporting {
            let archive = try location.open()
            let run = try archive.resolveRun(runName)
            var replayer = Replayer(archive: archive, workers: Workers(threads))
            let epochs = (try? RunSpec(manifest: archive.manifest(run)).training.epochs) ?? 1
            let bar = TrainingProgress(epochs: epochs)
            replayer.progress = bar.update
            let outcome = try replayer.replayAnyKind(run)
            let report: Replayer.Report
            switch outcome {
            case .training(let training): bar.finish(); report = training
            case .proxies(let result):
                print("replay of \(run.hex) (zero-cost proxies)")
                if !result.datasetDigestMatches { print("the dataset's digest differs from the manifest's: the data files changed") }
                for line in result.differences { print("  " + line) }
                print(result.identical ? "bitwise identical" : "NOT identical")
                if !result.identical { throw Exit.checkFailed }
                return
            }
            print("replay of \(run.hex) with \(threads) thread(s)")
            for e in report.epochs {
                print(String(format: "epoch %3d  eval log %@  checkpoint %@", e.epoch,
                             e.logMatches ? "same" : "DIFFERS", e.checkpointMatches ? "same (\(e.archivedCheckpoint!.short))" : "DIFFERS"))
            }
            if !report.datasetDigestMatches { print("the dataset's digest differs from the manifest's: the data files changed") }
            if let d = report.firstDifference {
                print("first difference: epoch \(d.epoch), tensor \(d.tensor), max |Δ| = \(d.maxAbsoluteDifference)")
            }
            if report.isBitwiseIdentical {
                print("bitwise identical")
            } else {
                print("NOT identical")
                throw Exit.checkFailed
            }
        }
    }
}
