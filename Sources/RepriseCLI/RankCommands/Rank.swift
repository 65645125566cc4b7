import Analyze
import Archive
import ArgumentParser
import Foundation
import Kernels
import Replay

struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Score every architecture of a study with a cheap ranking method; the scores go into the archive.",
        discussion: """
        The study must already be in the archive (`reprise study run`): its fully trained runs are the ground truth that
        `reprise analyze ranking` compares the scores with. Each score is stored as a run (kind "proxies", or a training
        run with a shorter or two-stage recipe), so it is content-addressed, replayable with `reprise replay`, and
        skipped when asked for again.
          reprise rank proxies  --dataset fashion-10            zero-cost proxies at initialisation
          reprise rank shortreg --dataset fashion-10 --epochs 1 plain training for fewer epochs
          reprise rank fear     --dataset fashion-10            threshold from the shallow learner
          reprise rank threshold --dataset fashion-10           just the shallow learner's accuracy
        """,
        subcommands: [RankProxies.self, RankShortReg.self, RankFear.self, RankThreshold.self]
    )
}

/// Options shared by the rank subcommands: which study and dataset.
struct RankTarget: ParsableArguments {
    @OptionGroup var location: ArchiveLocation
    @Option(help: "Study name or ID prefix (default: the archive's only study).") var study: String?
    @Option(help: "Dataset label of the study (default: its reference).") var dataset: String?
    @OptionGroup var threadOptions: ThreadOptions
    var threads: Int { threadOptions.threads }

    /// The study's plan (data loaded) and the pairs of the chosen dataset with the first seed, one per architecture.
    func resolve() throws -> (archive: Archive, plan: StudyPlan, label: String, pairs: [Int]) {
        let archive = try location.open()
        let record = try archive.study(named: study)
        let spec = try record.spec.decode(StudySpec.self)
        let label = dataset ?? spec.reference
        guard spec.datasets.contains(where: { $0.label == label }) else {
            throw CommandLineError(message: "study \(record.name) has no dataset \"\(label)\"; it has \(spec.datasets.map(\.label).joined(separator: ", "))")
        }
        let plan = try StudyPlan(spec: spec) { writeStandardError("\($0)\n") }
        guard plan.record == record else { throw CommandLineError(message: "study \(record.name): \(record.differences(from: plan.record))") }
        let pairs = plan.record.pairs.indices.filter { plan.record.pairs[$0].dataset == label && plan.record.pairs[$0].seed == spec.seeds[0] }
        return (archive, plan, label, pairs)
    }
}

struct RankProxies: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxies",
        abstract: "Zero-cost proxies (grad_norm, snip, grasp, fisher, jacob_cov, synflow) at initialisation.",
        discussion: "Definitions and sources: Sources/Replay/Proxies/ZeroCostProxies.swift. One batch, double precision.")
    @OptionGroup var target: RankTarget
    @Option(help: "Images in the scored batch (foresight uses 64).") var batchSize = 64
    @Option(help: "Score the study runs' weights after this epoch instead of the initialisation (FEAR App. A.4).") var afterEpoch: Int?

    func validate() throws {
        try requireInteger(batchSize, "--batch-size", in: 1...65_536, "images in the scored batch")
        if let afterEpoch { try requireInteger(afterEpoch, "--after-epoch", in: 1...10_000, "an epoch the study runs trained") }
    }

    func run() throws {
        try reporting {
            let (archive, plan, label, pairs) = try target.resolve()
            let start = Date()
            let lock = NSLock()
            var done = 0
            // One architecture per thread at a time (proxies are scored on one thread each: ConcurrentRuns).
            try ConcurrentRuns(threads: Workers(target.threads), jobs: pairs.count).forEach { k, _ in
                let p = pairs[k], run = plan.runs[p]
                let proxy = ProxyRun(architecture: run.architecture, dataset: run.dataset,
                                     config: .init(batchSize: batchSize, afterEpoch: afterEpoch,
                                                   trainedWith: afterEpoch == nil ? nil : run.training), seed: run.seed)
                let record = try proxy.run(in: archive, data: plan.data[label])
                lock.lock()
                done += 1
                writeStandardError("[\(done)/\(pairs.count)] arch \(plan.record.pairs[p].architecture)\(record.reason.map { " (\($0))" } ?? "")\n")
                lock.unlock()
            }
            print(String(format: "scored %d architectures of %@ on %@ with %d proxies in %.1f s", pairs.count, plan.record.name, label,
                         ZeroCostProxy.allCases.count, Date().timeIntervalSince(start)))
        }
    }
}

/// Trains `recipe(base)` for every architecture of the resolved target, reporting per run.
func trainVariants(_ target: RankTarget, _ resolved: (archive: Archive, plan: StudyPlan, label: String, pairs: [Int]), what: String,
                   recipe: (TrainingConfig) -> TrainingConfig) throws {
    let (archive, plan, label, pairs) = resolved
    let start = Date()
    for (k, p) in pairs.enumerated() {
        var spec = plan.runs[p]
        spec.training = recipe(spec.training)
        // The same recipe would be the ground-truth run itself (same manifest, same run ID): no ranking run at all.
        guard spec.training != plan.runs[p].training else {
            throw CommandLineError(message: "\(what): this recipe equals the study's own (the ground-truth run); change it, e.g. fewer --epochs than the study's \(plan.runs[p].training.epochs)")
        }
        let problems = spec.check().problems
        guard problems.isEmpty else { throw CommandLineError(message: problems.joined(separator: "; ")) }
        let trainer = Trainer(spec: spec, workers: Workers(target.threads))
        trainer.data = plan.data[label]
        let outcome = try trainer.run(in: archive)
        let extra = outcome.record.metrics["fear_score"].map { String(format: ", score %.2f", $0) } ?? (outcome.record.reason.map { ", \($0)" } ?? "")
        writeStandardError("[\(k + 1)/\(pairs.count)] arch \(plan.record.pairs[p].architecture): \(outcome.record.status.rawValue)\(extra)\n")
    }
    print(String(format: "%@: %d architectures of %@ on %@ in %.1f s", what, pairs.count, plan.record.name, label, Date().timeIntervalSince(start)))
}

struct RankShortReg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shortreg",
        abstract: "Regular training for fewer epochs (FEAR's shortreg baseline); score = best epoch's running train accuracy.",
        discussion: "The dataset's study recipe with --epochs (cosine over that many epochs) and --batch-size changed.")
    @OptionGroup var target: RankTarget
    @Option(help: "Epochs (the schedule is compressed to them).") var epochs: Int
    @Option(help: "Batch size (default: the recipe's).") var batchSize: Int?

    func validate() throws {
        try requireInteger(epochs, "--epochs", in: 1...10_000)
        if let batchSize { try requireInteger(batchSize, "--batch-size", in: 2...65_536, "batch norm needs ≥ 2 images") }
    }

    func run() throws {
        try reporting {
            try trainVariants(target, target.resolve(), what: "shortreg \(epochs) ep") { base in
                var t = base
                t.epochs = epochs
                if let batchSize { t.batchSize = batchSize }
                return t
            }
        }
    }
}

struct RankFear: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fear",
        abstract: "FEAR: train to a train-accuracy threshold, then train only the last blocks and the head a few epochs.",
        discussion: """
        Stage 1 uses the study recipe (at most its epochs); definitions: Sources/Replay/Training/FearConfig.swift.
        --threshold is a running train top-1 accuracy in percent; without it, the shallow learner's (`reprise rank
        threshold`, FEAR App. A.3) is measured on the dataset and used.
        """)
    @OptionGroup var target: RankTarget
    @Option(help: "Stage-1 threshold: running train top-1 accuracy, percent (default: the shallow learner's).") var threshold: Double?
    @Option(help: "Stage-2 epochs.") var stage2Epochs = 5
    @Option(help: "Blocks left trainable in stage 2 (plus the head).") var trainableBlocks = 1
    @Option(help: "Stage-2 batch size (default: the recipe's).") var stage2BatchSize: Int?

    func validate() throws {
        if let threshold { try requireNumber(threshold, "--threshold", above: 0, atMost: 100, "a train accuracy in percent") }
        try requireInteger(stage2Epochs, "--stage2-epochs", in: 1...10_000)
        try requireInteger(trainableBlocks, "--trainable-blocks", in: 0...1024)
        if let stage2BatchSize { try requireInteger(stage2BatchSize, "--stage2-batch-size", in: 2...65_536, "batch norm needs ≥ 2 images") }
    }

    func run() throws {
        try reporting {
            let resolved = try target.resolve()
            let threshold = try self.threshold ?? measureThreshold(plan: resolved.plan, label: resolved.label, threads: target.threads)
            try trainVariants(target, resolved, what: String(format: "fear (threshold %.2f%%)", threshold)) { base in
                var t = base
                t.fear = FearConfig(thresholdPercent: threshold, stage2Epochs: stage2Epochs, stage2BatchSize: stage2BatchSize,
                                    trainableBlocks: trainableBlocks)
                return t
            }
        }
    }
}

/// The shallow learner's running train accuracy on the target dataset, printed with its test accuracy and time.
func measureThreshold(plan: StudyPlan, label: String, threads: Int) throws -> Double {
    let data = plan.data[label]!
    let result = try ShallowLearner().fit(train: data.train, test: data.test, workers: Workers(threads))
    print(String(format: "shallow learner on %@ (random ReLU features 256 → 32 → %d, 3 epochs): train accuracy %.2f%%, test accuracy %.2f%%, %.1f s",
                 label, data.train.classes, result.trainAccuracy, result.testAccuracy, result.seconds))
    return (result.trainAccuracy * 100).rounded(.down) / 100
}

struct RankThreshold: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "threshold",
        abstract: "Train FEAR's fast shallow learner on a study dataset and print its accuracy (the stage-1 threshold).",
        discussion: "Definition: Sources/Replay/Ranking/ShallowLearner.swift. Deterministic; nothing is stored.")
    @OptionGroup var target: RankTarget

    func run() throws {
        try reporting {
            let resolved = try target.resolve()
            _ = try measureThreshold(plan: resolved.plan, label: resolved.label, threads: target.threads)
        }
    }
}
