/// What one training epoch does, decided before its first step by the recipe and, for FEAR, by the stage it is in.
///
/// Plain recipe: batches of `batchSize`, the recipe's learning rate for the epoch, SGD on every trainable tensor,
/// backward through every unit, momentum buffers fresh at global step 0, no clipping. FEAR stage 2: batches of
/// `stage2BatchSize` (default the recipe's), the stage-2 cosine rate, SGD on the stage-2 tensors only, backward from
/// the first trainable block, momentum fresh at stage 2's first step, gradients clipped (see `FearSchedule`).
struct EpochPlan {
    let epoch: Int
    let batchSize: Int
    let learningRate: Float
    /// The tensors SGD steps, in model order.
    let trainable: [Parameters.Tensor]
    /// The first unit the backward pass reaches (0: all of them).
    let firstUnit: Int
    /// The global step (0-based, counted over the whole run) at which SGD starts from fresh momentum buffers.
    let freshOptimizerStep: Int
    let clipping: GradientClipping?

    /// The plan of `epoch`, or nil when the run has no such epoch (past the recipe's last, or past stage 2's).
    init?(epoch: Int, training: TrainingConfig, fear: FearSchedule?, allTrainable: [Parameters.Tensor]) {
        let last = fear?.lastEpoch(recipeEpochs: training.epochs) ?? training.epochs
        guard epoch <= last else { return nil }
        self.epoch = epoch
        if let fear, fear.isStage2(epoch) {
            batchSize = fear.config.stage2BatchSize ?? training.batchSize
            learningRate = fear.stage2LearningRate(epoch)
            trainable = fear.stage2Trainable
            firstUnit = fear.stage2FirstUnit
            freshOptimizerStep = fear.stage1End! * fear.stage1StepsPerEpoch
            clipping = GradientClipping(maxNorm: fear.config.gradientClip)
        } else {
            batchSize = training.batchSize
            learningRate = training.learningRate(epoch: epoch - 1)
            trainable = allTrainable
            firstUnit = 0
            freshOptimizerStep = 0
            clipping = nil
        }
    }
}
