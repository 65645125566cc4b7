import Archive
import ArgumentParser
import Foundation
import Kernels
import Replay

/// The datasets a run can name by flag alone (the others need a spec file: cifar a path, synthetic its parameters).
enum FlagDataset: String, ExpressibleByArgument, CaseIterable {
    case digits, fashionMNIST = "fashion-mnist"
    var channels: Int { 1 }
    var classes: Int { 10 }
}

extension AnyNetSpec.Stem: ExpressibleByArgument {}
extension AnyNetSpec.Block: ExpressibleByArgument {}

/// Architecture and recipe flags of `train` (a study takes its recipe from its spec file instead).
struct RunOptions: ParsableArguments {
    @Option(help: "Run spec JSON file ({architecture, dataset, training, seed}; every field is checked, unknown keys are refused); the flags below are ignored when given.")
    var spec: String?
    @Option(help: "Dataset (others, e.g. cifar10 or synthetic, need --spec).") var dataset: FlagDataset = .digits
    @Option(help: "Keep only the first N training images (0 = all).") var trainLimit = 0
    @Option(help: "Keep only the first N test images (0 = all).") var testLimit = 0
    @Option(help: "Stem (pycls): a 3×3 conv (cifar), 7×7 conv + max-pool (in), or a 3×3 stride-2 conv (simple).") var stem: AnyNetSpec.Stem = .resStemCifar
    @Option(help: "Stem width, 1…4096.") var stemWidth = 16
    @Option(help: "Block (pycls): plain, ResNet basic, or ResNeXt bottleneck (grouped 3×3).") var block: AnyNetSpec.Block = .resBottleneck
    @Option(help: "Stage depths, comma-separated, each 1…64 (1…16 stages).") var depths = "1,1,1,1"
    @Option(help: "Stage widths, comma-separated, each 1…4096.") var widths = "24,48,96,192"
    @Option(help: "Stage strides, comma-separated, each 1 or 2.") var strides = "1,2,2,2"
    @Option(help: "Bottleneck ratio b, 1…64 (w_b = round(w/b)), one value or per stage.") var bottleneck = "1"
    @Option(help: "Group width g of the bottleneck's 3×3 conv (must divide w_b), one value or per stage.") var groupWidth = "8"
    @Option(help: "Squeeze-excitation ratio se_r in (0, 1] (RegNetY: 0.25; res_bottleneck_block only; 0 = none): w_se = round(w_in · se_r).")
    var seRatio = 0.0
    @Option(help: "Epochs, 1…10000.") var epochs = 2
    @Option(help: "Batch size, 2…65536 (batch norm needs 2).") var batch = 128
    @Option(help: "Base learning rate in (0, 10] (cosine schedule).") var lr = 0.1
    @Option(help: "Weight decay in [0, 1).") var weightDecay = 5e-4
    @Option(help: "Label smoothing in [0, 1).") var labelSmoothing = 0.0
    @Option(help: "Random-crop padding in pixels, 0…64 (0 = off).") var cropPadding = 0
    @Option(help: "pycls precise BN: recompute BN statistics after each epoch on this many training images (0 = off, else ≥ --batch; pycls uses 8192).") var preciseBnSamples = 0
    @Flag(help: "Random horizontal flips.") var flip = false
    @Option(help: "Hold this many training images out as a validation part, evaluated after every epoch (0 = none).") var validation = 0
    @Option(help: "Early stopping: end once validation top-1 error has not improved for this many epochs, ≥ 1 (needs --validation).")
    var earlyStoppingPatience: Int?
    @Option(help: "Seed of initialisation, shuffling and augmentation.") var seed: Int64 = 0

    /// Spec fields → the flag that sets them, so a problem names what the user typed.
    static let flagOfField: [(field: String, flag: String)] = [
        (".depth", "--depths"), (".width", "--widths"), (".stride", "--strides"), (".bottleneckMultiplier", "--bottleneck"),
        (".groupWidth", "--group-width"), ("architecture.stages", "--depths"), ("architecture.stemWidth", "--stem-width"),
        ("architecture.seRatio", "--se-ratio"), ("training.epochs", "--epochs"), ("training.batchSize", "--batch"),
        ("training.baseLearningRate", "--lr"), ("training.weightDecay", "--weight-decay"), ("training.labelSmoothing", "--label-smoothing"),
        ("training.cropPadding", "--crop-padding"), ("training.preciseBatchNormSamples", "--precise-bn-samples"),
        ("training.earlyStoppingPatience", "--early-stopping-patience"), ("dataset.trainLimit", "--train-limit"),
        ("dataset.testLimit", "--test-limit"), ("dataset.validationCount", "--validation"),
    ]

    /// The flags are checked as the spec they build (one validation layer); a spec file is checked when read.
    func validate() throws {
        guard spec == nil else { return }
        try requireInteger(validation, "--validation", in: 0...100_000_000, "0 = none")
        let built = try flagSpec()
        if let problem = built.check().problems.first {
            let flag = Self.flagOfField.first { problem.contains($0.field) }?.flag ?? "options"
            throw ValidationError("\(flag): \(problem)")
        }
    }

    func runSpec() throws -> RunSpec {
        if let spec {
            do { return try RunSpec.load(path: spec) } catch let error as StudyError { throw CommandLineError(message: error.description) }
        }
        return try flagSpec()
    }

    func flagSpec() throws -> RunSpec {
        func ints(_ text: String, _ name: String) throws -> [Int] {
            let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, values.count <= 16, values.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--\(name) \(text): expected 1…16 integers separated by commas")
            }
            return values.map { $0! }
        }
        let d = try ints(depths, "depths"), w = try ints(widths, "widths"), s = try ints(strides, "strides")
        var b = try ints(bottleneck, "bottleneck"), g = try ints(groupWidth, "group-width")
        for ratio in b where !(1...64).contains(ratio) {
            throw ValidationError("--bottleneck \(bottleneck): each ratio b must be an integer in 1…64 (w_b = round(w/b); AnyNetX uses 1, 2, 4)")
        }
        if b.count == 1 { b = Array(repeating: b[0], count: d.count) }
        if g.count == 1 { g = Array(repeating: g[0], count: d.count) }
        guard [w.count, s.count, b.count, g.count].allSatisfy({ $0 == d.count }) else {
            throw ValidationError("--depths, --widths, --strides, --bottleneck and --group-width must name the same number of stages")
        }
        let architecture = AnyNetSpec(stem: stem, stemWidth: stemWidth, block: block,
                                      stages: d.indices.map { .init(depth: d[$0], width: w[$0], stride: s[$0],
                                                                    bottleneckMultiplier: 1 / Double(b[$0]), groupWidth: g[$0]) },
                                      inputChannels: dataset.channels, classes: dataset.classes, seRatio: seRatio != 0 ? seRatio : nil)
        var training = TrainingConfig(epochs: epochs, batchSize: batch)
        training.baseLearningRate = lr
        training.weightDecay = weightDecay
        training.labelSmoothing = labelSmoothing
        training.cropPadding = cropPadding
        training.preciseBatchNormSamples = preciseBnSamples
        training.horizontalFlip = flip
        training.earlyStoppingPatience = earlyStoppingPatience
        var data = DatasetSpec(name: dataset.rawValue, trainLimit: trainLimit, testLimit: testLimit)
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
    @OptionGroup var threadOptions: ThreadOptions
    var threads: Int { threadOptions.threads }

    func run() throws {
        try reporting {
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
