import Archive
import ArgumentParser
import Foundation

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a run's eval log, one line per epoch.")
    @OptionGroup var location: ArchiveLocation
    @Argument(help: .runName) var runName: String

    func run() throws {
        try reporting {
            let archive = try location.open()
            let id = try archive.resolveRun(runName)
            guard let record = try archive.record(of: id), let logID = record.evalLog else {
                throw CommandLineError(message: "run \(id.short) has no eval log (status \(try archive.record(of: id)?.status.rawValue ?? "none"))")
            }
            let log = try archive.getJSON(EvalLog.self, logID)
            let timings = try record.timings.map { try archive.getJSON(RunTimings.self, $0) }
            let validated = log.epochs.contains { $0.validationTop1Error != nil }
            let rows = log.epochs.enumerated().map { i, e in
                [String(e.epoch), String(format: "%.5f", e.learningRate), String(format: "%.4f", e.trainLoss),
                 String(format: "%.2f", e.trainTop1Error), String(format: "%.4f", e.testLoss), String(format: "%.2f", e.testTop1Error),
                 String(format: "%.2f", e.testTop5Error)]
                    + (validated ? [e.validationTop1Error.map { String(format: "%.2f", $0) } ?? "-"] : [])
                    + [timings.flatMap { i < $0.secondsPerEpoch.count ? String(format: "%.1f", $0.secondsPerEpoch[i]) : nil } ?? "-"]
            }
            print(alignedTable(["epoch", "lr", "train_loss", "train_err%", "test_loss", "top1_err%", "top5_err%"]
                               + (validated ? ["val_err%"] : []) + ["seconds"], rows))
            if let reason = record.reason { print(reason) }
        }
    }
}
