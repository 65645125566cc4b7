import Archive
import ArgumentParser
import Foundation
import Kernels
import Replay

/// Architecture and recipe flags shared by `train` (and later `study`).
struct RunOptions: ParsableArguments {
    @Option(help: "Run spec JSON file ({architecture, dataset, training, seed}); the flags below are ignored when given.")
    var spec: String?
    @Option(help: "Dataset: digits or fashion-mnist.") var dataset = "digits"
    @Option(help: "Keep only the first N training images (0 = all).") var trainLimit = 0
    @Option(help: "Keep only the first N test images (0 = all).") var testLimit = 0
    @Option(help: "Stem: res_stem_cifar, res_stem_in, simple_stem_in.") var stem = "res_stem_cifar"
    @Option(help: "Stem width.") var stemWidth = 16
    @Option(help: "Block: vanilla_block, res_basic_block, res_bottleneck_block.") var block = "res_bottleneck_block"
    @Option(help: "Stage depths, comma-separated.") var depths = "1,1,1,1"
    @Option(help: "Stage widths, comma-separated.") var widths = "24,48,96,192"
    @Option(help: "Stage strides, comma-separated.") var strides = "1,2,2,2"
    @Option(help: "Bottleneck ratio b (w_b = w/b), one value or per stage.") var bottleneck = "1"
    @Option(help: "Group width g, one value or per stage.") var groupWidth = "8"
    @Option(help: "Squeeze-excitation ratio se_r (RegNetY: 0.25; res_bottleneck_block only; 0 = none): w_se = round(w_in · se_r).")
    var seRatio = 0.0
    @Option(help: "Epochs.") var epochs = 2
    @Option(help: "Batch size.") var batch = 128
    @Option(help: "Base learning rate (cosine schedule).") var lr = 0.1
    @Option(help: "Weight decay.") var weightDecay = 5e-4
    @Option(help: "Label smoothing.") var labelSmoothing = 0.0
    @Option(help: "Random-crop padding in pixels (0 = off).") var cropPadding = 0
    @Option(help: "pycls precise BN: recompute BN statistics after each epoch on this many training images (0 = off; pycls uses 8192).") var preciseBnSamples = 0
    @Flag(help: "Random horizontal flips.") var flip = false
    @Option(help: "Hold this many training images out as a validation part, evaluated after every epoch (0 = none).") var validation = 0
    @Option(help: "Early stopping: end once validation top-1 error has not improved for this many epochs (needs --validation).")
    var earlyStoppingPatience: Int?
    @Option(help: "Seed of initialisation, shuffling and augmentation.") var seed: Int64 = 0

    func runSpec() throws -> RunSpec {
        if let spec {
            guard let data = FileManager.default.contents(atPath: spec) else { throw CommandLineError(message: "\(spec): cannot read the file") }
            do { return try JSONDecoder().decode(RunSpec.self, from: data) } catch {
                throw CommandLineError(message: "\(spec): not a run spec: \(error)")
            }
        }
        func ints(_ text: String, _ name: String) throws -> [Int] {
            let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! > 0 }) else {
                throw CommandLineError(message: "--\(name) \(text): expected positive integers separated by commas")
            }
            return values.map { $0! }
        }
        let d = try ints(depths, "depths"), w = try ints(widths, "widths"), s = try ints(strides, "strides")
        var b = try ints(bottleneck, "bottleneck"), g = try ints(groupWidth, "group-width")
        if b.count == 1 { b = Array(repeating: b[0], count: d.count) }
        if g.count == 1 { g = Array(repeating: g[0], count: d.count) }
        guard [w.count, s.count, b.count, g.count].allSatisfy({ $0 == d.count }) else {
            throw CommandLineError(message: "--depths, --widths, --strides, --bottleneck and --group-width must name the same number of stages")
        }
        guard let stemKind = AnyNetSpec.Stem(rawValue: stem) else { throw CommandLineError(message: "--stem \(stem): unknown stem") }
        guard let blockKind = AnyNetSpec.Block(rawValue: block) else { throw CommandLineError(message: "--block \(block): unknown block") }
        let (channels, classes) = dataset == "digits" || dataset == "fashion-mnist" ? (1, 10) : (3, 10)
        let architecture = AnyNetSpec(stem: stemKind, stemWidth: stemWidth, block: blockKind,
                                      stages: d.indices.map { .init(depth: d[$0], width: w[$0], stride: s[$0],
                                                                    bottleneckMultiplier: 1 / Double(b[$0]), groupWidth: g[$0]) },
                                      inputChannels: channels, classes: classes, seRatio: seRatio > 0 ? seRatio : nil)
        if let problem = architecture.problems.first { throw CommandLineError(message: "--se-ratio \(seRatio): \(problem)") }
        var training = TrainingConfig(epochs: epochs, batchSize: batch)
        training.baseLearningRate = lr
        training.weightDecay = weightDecay
        training.labelSmoothing = labelSmoothing
        training.cropPadding = cropPadding
        training.preciseBatchNormSamples = preciseBnSamples
        training.horizontalFlip = flip
        training.earlyStoppingPatience = earlyStoppingPatience
        var data = DatasetSpec(name: dataset, trainLimit: trainLimit, testLimit: testLimit)
        if validation > 0 { data.validationCount = validation }
        return RunSpec(architecture: architecture, dataset: data,
                       training: training, seed: seed)
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one run and store its checkpoints and eval log in the archive.",
        discussion: """
        The run ID is the digest of the manifest (architecture, dataset and its digest, recipe, seed, versions): training
        the same manifest again does nothing, and a run that was interrupted (Ctrl-C, kill) resumes from its last
        checkpoint and ends bitwise identical to an uninterrupted one. Results do not depend on --threads.
        Example: reprise train --dataset digits --stem-width 8 --depths 1,2 --widths 16,32 --strides 1,2 --batch 32 --epochs 3
        """
    )
    @OptionGroup var location: ArchiveLocation
    @OptionGroup var options: RunOptions
    @Option(help: "Worker threads (results are identical for any count).") var threads = 2

    func run() throws {
        try reporting {
            guard threads >= 1 else { throw CommandLineError(message: "--threads must be ≥ 1") }
            let spec = try options.runSpec()
            let archive = try location.openOrCreate()
            let trainer = Trainer(spec: spec, workers: Workers(threads))
            let bar = TrainingProgress(epochs: spec.training.epochs)
            trainer.progress = bar.update
            let outcome = try trainer.run(in: archive)
            bar.finish()
            if let from = outcome.resumedFrom { print("resumed from epoch \(from)") }
            print("run \(outcome.run.hex)")
            print("status \(outcome.record.status.rawValue)\(outcome.record.reason.map { " (\($0))" } ?? "")")
            for (name, value) in outcome.record.metrics.sorted(by: { $0.key < $1.key }) { print(String(format: "%@ %.4f", name, value)) }
            print("see: reprise log \(outcome.run.short)")
        }
    }
}

/// Progress over all steps of all epochs, with ETA.
final class TrainingProgress {
    let epochs: Int
    var line: ProgressLine?
    init(epochs: Int) { self.epochs = epochs }
    func update(epoch: Int, step: Int, stepsPerEpoch: Int) {
        if line == nil { line = ProgressLine("training", total: epochs * stepsPerEpoch) }
        line?.update((epoch - 1) * stepsPerEpoch + step, detail: "epoch \(epoch)/\(epochs)")
    }
    func finish() { line?.finish() }
}
