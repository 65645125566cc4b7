import Archive
import Foundation

/// FEAR's two stages over one run (the definition is `FearConfig`'s): which stage each epoch is in, what stage 2
/// trains, and when the run ends.
///
/// Stage 1 ends with the first epoch whose running train accuracy, 100 − trainTop1Error, is ≥ the threshold; that
/// epoch is `stage1End`. Stage 2 is epochs stage1End + 1 … stage1End + stage2Epochs. Until the threshold is reached the
/// run may last the recipe's `epochs`; a resumed run finds `stage1End` again in its eval log.
struct FearSchedule {
    let config: FearConfig
    /// The last stage-1 epoch; nil while no epoch has reached the threshold.
    private(set) var stage1End: Int?
    /// The tensors stage 2 steps, in model order: the trainable tensors of the last `trainableBlocks` blocks and of the head.
    let stage2Trainable: [Parameters.Tensor]
    /// Stage 2's backward pass stops at this unit (the units are stem, [pool], blocks…, head): the first trainable block.
    let stage2FirstUnit: Int
    /// Training steps per stage-1 epoch (train images / the recipe's batch size), so that stage 2's first step is
    /// global step stage1End · stage1StepsPerEpoch.
    let stage1StepsPerEpoch: Int

    init(_ config: FearConfig, architecture: AnyNetSpec, model: AnyNetModel, log: EvalLog, stage1StepsPerEpoch: Int) {
        self.config = config
        self.stage1StepsPerEpoch = stage1StepsPerEpoch
        stage1End = log.epochs.first { 100 - $0.trainTop1Error >= config.thresholdPercent }?.epoch
        let blocks = architecture.stages.enumerated().flatMap { si, stage in (0..<stage.depth).map { "s\(si + 1).b\($0 + 1)." } }
        let kept = blocks.suffix(config.trainableBlocks) + ["head."]
        stage2Trainable = model.parameters.tensors.filter { t in t.trainable && kept.contains { t.name.hasPrefix($0) } }
        stage2FirstUnit = model.units.count - 1 - min(config.trainableBlocks, model.units.count - 1)
    }

    /// The run's last epoch as known now: stage1End + stage2Epochs once the threshold is reached, else the recipe's.
    func lastEpoch(recipeEpochs: Int) -> Int { stage1End.map { $0 + config.stage2Epochs } ?? recipeEpochs }

    /// Whether `epoch` is a stage-2 epoch.
    func isStage2(_ epoch: Int) -> Bool { stage1End.map { epoch > $0 } ?? false }

    /// Stage 2's learning rate in `epoch`: stage2LearningRate·½(1 + cos(π·i/stage2Epochs)), i = epoch − stage1End − 1.
    func stage2LearningRate(_ epoch: Int) -> Float {
        let i = Double(epoch - stage1End! - 1)
        return Float(config.stage2LearningRate * 0.5 * (1 + cos(Double.pi * i / Double(config.stage2Epochs))))
    }

    /// How a FEAR run stands after an epoch.
    enum Verdict: Equatable {
        case going
        /// The last stage-2 epoch: score = its running train accuracy (%).
        case scored(score: Double, stage1Epochs: Int)
        /// The recipe's last epoch passed without reaching the threshold: no score.
        case neverReached
    }

    /// Records the end of `epoch` (its running train top-1 error, %): stage 1 ends here if this is the first epoch to
    /// reach the threshold; then says whether the run is finished.
    mutating func epochEnded(_ epoch: Int, trainTop1Error: Double, recipeEpochs: Int) -> Verdict {
        if stage1End == nil && 100 - trainTop1Error >= config.thresholdPercent { stage1End = epoch }
        if let s1 = stage1End, epoch == s1 + config.stage2Epochs { return .scored(score: 100 - trainTop1Error, stage1Epochs: s1) }
        if stage1End == nil && epoch == recipeEpochs { return .neverReached }
        return .going
    }
}
