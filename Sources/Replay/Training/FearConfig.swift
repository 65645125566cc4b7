import Foundation

/// FEAR's two-stage training ("Ranking Architectures by Feature Extraction Capabilities", seed 003, §3; archai's
/// proxynas_natsbench_space.yaml; shared/specs/models-and-methods.md §2).
///
/// - Stage 1: the run's own recipe (its cosine schedule over `epochs`, truncated), stopped at the end of the first epoch
///   whose running train top-1 accuracy, 100 − trainTop1Error (%), is ≥ `thresholdPercent`. If no epoch up to `epochs`
///   reaches it, the run completes with `fear_reached_threshold` = 0 and no score (the paper drops such architectures).
/// - Stage 2, for `stage2Epochs` epochs numbered on from stage 1: only the last `trainableBlocks` blocks and the head stay
///   trainable (AnyNet has no final BN of its own; the blocks' BNs are inside them); frozen tensors get no update, but
///   BN running statistics keep updating in training mode everywhere (archai keeps the model in train mode). A fresh
///   SGD (momentum buffers restarted) with the recipe's momentum, Nesterov flag and weight decay; learning rate
///   `stage2LearningRate`·½(1 + cos(π·i/stage2Epochs)) in stage-2 epoch i (0-based); batches of `stage2BatchSize`
///   (default: the recipe's); before each step the trainable gradients are scaled by min(1, clip/(‖g‖₂ + 1e-6)), ‖g‖
///   over all of them in Double (PyTorch's clip_grad_norm_).
/// - Score (`fear_score` metric): the last stage-2 epoch's running train top-1 accuracy (%). Also recorded:
///   `fear_stage1_epochs` (epochs to threshold). Cost: the timings of both stages; time to threshold = the stage-1
///   epochs' seconds.
public struct FearConfig: Codable, Equatable, Sendable {
    public var thresholdPercent: Double
    public var stage2Epochs: Int
    public var stage2BatchSize: Int?
    public var stage2LearningRate: Double
    public var trainableBlocks: Int
    public var gradientClip: Double

    public init(thresholdPercent: Double, stage2Epochs: Int = 5, stage2BatchSize: Int? = nil, stage2LearningRate: Double = 0.1,
                trainableBlocks: Int = 1, gradientClip: Double = 5) {
        self.thresholdPercent = thresholdPercent; self.stage2Epochs = stage2Epochs; self.stage2BatchSize = stage2BatchSize
        self.stage2LearningRate = stage2LearningRate; self.trainableBlocks = trainableBlocks; self.gradientClip = gradientClip
    }
}
