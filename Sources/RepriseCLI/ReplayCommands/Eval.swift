import Archive
import ArgumentParser
import Foundation
import Kernels
import Replay

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-evaluate a stored checkpoint on a dataset's test part.",
        discussion: "Example: reprise eval 3fa9 --dataset digits --epoch 2"
    )
    @OptionGroup var location: ArchiveLocation
    @Argument(help: .runName) var runName: String
    @Option(help: "Dataset (default: the run's own).") var dataset: FlagDataset?
    @Option(help: "Checkpoint epoch, ≥ 1 (default: the last).") var epoch: Int?
    @OptionGroup var threadOptions: ThreadOptions
    var threads: Int { threadOptions.threads }

    func validate() throws {
        if let epoch { try requireInteger(epoch, "--epoch", in: 1...10_000, "an epoch the run stored a checkpoint for") }
    }

    func run() throws {
        try reporting {
            let archive = try location.open()
            let run = try archive.resolveRun(runName)
            var spec = try RunSpec(manifest: archive.manifest(run))
            if let dataset { spec.dataset = DatasetSpec(name: dataset.rawValue) }
            guard let record = try archive.record(of: run),
                  let entry = epoch.map({ e in record.checkpoints.first { $0.epoch == e } }) ?? record.checkpoints.last else {
                throw CommandLineError(message: "run \(run.short) has no checkpoint\(epoch.map { " at epoch \($0)" } ?? "")")
            }
            let (train, test) = try spec.dataset.load()
            let model = AnyNetModel(spec: spec.architecture, inputSize: train.height, seed: UInt64(bitPattern: spec.seed))
            let trainer = Trainer(spec: spec, workers: Workers(threads))
            try trainer.restore(model, from: archive.getJSON(CheckpointRecord.self, entry.checkpoint), archive: archive)
            let r = trainer.evaluate(model, on: test)
            print(String(format: "run %@ epoch %d on %@ (%d images): loss %.4f, top-1 error %.2f%%, top-5 error %.2f%%",
                         run.short, entry.epoch, test.name, test.count, r.loss, r.top1Error, r.top5Error))
        }
    }
}
