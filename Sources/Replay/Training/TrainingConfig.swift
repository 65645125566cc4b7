import Archive
import Foundation

/// A training recipe (pycls-style defaults where they exist). Part of the run manifest.
public struct TrainingConfig: Codable, Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var baseLearningRate: Double = 0.1
    /// "cos": lr_e = base·½(1 + cos(π·e/epochs)); "steps": base·0.1^(number of `steps` ≤ e).
    public var schedule: String = "cos"
    public var steps: [Int] = []
    /// Linear warm-up (pycls): for e < warmupEpochs, lr_e ·= warmupFactor·(1 − e/W) + e/W.
    public var warmupEpochs: Int = 0
    public var warmupFactor: Double = 0.1
    public var momentum: Double = 0.9
    public var nesterov: Bool = true
    public var weightDecay: Double = 5e-4
    public var labelSmoothing: Double = 0
    /// Random crop after zero padding of this many pixels per side (0 = off).
    public var cropPadding: Int = 0
    public var horizontalFlip: Bool = false
    /// pycls's "precise BN" (BN.USE_PRECISE_STATS, BN.NUM_SAMPLES_PRECISE, default 8192 there): after each epoch's
    /// training steps, BN running statistics are replaced by averages over min(⌊samples / batchSize⌋, steps per epoch)
    /// fresh training batches (see `AnyNetModel.recomputeBatchNormStatistics`). 0 = off (PyTorch's running averages
    /// only). Omitted from the manifest when 0, so recipes that predate it keep their run IDs.
    public var preciseBatchNormSamples: Int = 0
    /// FEAR's two-stage training instead of the plain schedule (see `FearConfig`); nil = plain training. Omitted from
    /// the manifest when nil.
    public var fear: FearConfig?
    /// Early stopping: training ends once the validation top-1 error (the dataset needs `validationCount`) has not
    /// fallen below its best for this many epochs; the best is the first epoch with the lowest error. nil = off;
    /// omitted from the manifest when nil.
    public var earlyStoppingPatience: Int?

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize, baseLearningRate, schedule, steps, warmupEpochs, warmupFactor, momentum, nesterov, weightDecay
        case labelSmoothing, cropPadding, horizontalFlip, preciseBatchNormSamples, fear, earlyStoppingPatience
    }

    public init(epochs: Int, batchSize: Int) { self.epochs = epochs; self.batchSize = batchSize }

    /// Decodes a recipe in which only `epochs` and `batchSize` are required; absent fields take the defaults above.
    /// (Encoding writes every field but a zero `preciseBatchNormSamples`, so manifests are unchanged.)
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(epochs: try c.decode(Int.self, forKey: .epochs), batchSize: try c.decode(Int.self, forKey: .batchSize))
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws { if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v } }
        try take(.baseLearningRate, &baseLearningRate); try take(.schedule, &schedule); try take(.steps, &steps)
        try take(.warmupEpochs, &warmupEpochs); try take(.warmupFactor, &warmupFactor); try take(.momentum, &momentum)
        try take(.nesterov, &nesterov); try take(.weightDecay, &weightDecay); try take(.labelSmoothing, &labelSmoothing)
        try take(.cropPadding, &cropPadding); try take(.horizontalFlip, &horizontalFlip)
        try take(.preciseBatchNormSamples, &preciseBatchNormSamples)
        fear = try c.decodeIfPresent(FearConfig.self, forKey: .fear)
        earlyStoppingPatience = try c.decodeIfPresent(Int.self, forKey: .earlyStoppingPatience)
    }

    /// Fields `encode(to:)` leaves out when they hold their default.
    public static let keysOmittedAtDefault = [CodingKeys.preciseBatchNormSamples.stringValue, CodingKeys.fear.stringValue,
                                              CodingKeys.earlyStoppingPatience.stringValue]

    /// Writes every field except `preciseBatchNormSamples` when it is 0.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs); try c.encode(batchSize, forKey: .batchSize)
        try c.encode(baseLearningRate, forKey: .baseLearningRate); try c.encode(schedule, forKey: .schedule)
        try c.encode(steps, forKey: .steps); try c.encode(warmupEpochs, forKey: .warmupEpochs)
        try c.encode(warmupFactor, forKey: .warmupFactor); try c.encode(momentum, forKey: .momentum)
        try c.encode(nesterov, forKey: .nesterov); try c.encode(weightDecay, forKey: .weightDecay)
        try c.encode(labelSmoothing, forKey: .labelSmoothing); try c.encode(cropPadding, forKey: .cropPadding)
        try c.encode(horizontalFlip, forKey: .horizontalFlip)
        if preciseBatchNormSamples != 0 { try c.encode(preciseBatchNormSamples, forKey: .preciseBatchNormSamples) }
        try c.encodeIfPresent(fear, forKey: .fear)
        try c.encodeIfPresent(earlyStoppingPatience, forKey: .earlyStoppingPatience)
    }

    /// The learning rate of epoch e (0-based), computed in Double and rounded once to Float.
    public func learningRate(epoch e: Int) -> Float {
        var lr: Double
        switch schedule {
        case "steps": lr = baseLearningRate * pow(0.1, Double(steps.filter { $0 <= e }.count))
        default: lr = baseLearningRate * 0.5 * (1 + cos(Double.pi * Double(e) / Double(epochs)))
        }
        if e < warmupEpochs {
            let alpha = Double(e) / Double(warmupEpochs)
            lr *= warmupFactor * (1 - alpha) + alpha
        }
        return Float(lr)
    }

    /// Problems a user must fix before training, one line each (see `check(into:at:)`).
    public func validate() -> [String] {
        var c = SpecCheck()
        check(into: &c, at: "training")
        return c.problems
    }
}
