import Foundation

/// One entry per epoch: the deterministic measurements of a run (no wall-clock fields, so it can be compared bit for bit).
public struct EvalLog: Codable, Equatable, Sendable {
    public struct Epoch: Codable, Equatable, Sendable {
        public var epoch: Int
        public var learningRate: Double
        public var trainLoss: Double
        /// Percent of training images misclassified during the epoch (running, with augmentation).
        public var trainTop1Error: Double
        public var testLoss: Double
        public var testTop1Error: Double
        public var testTop5Error: Double
        /// On the validation part held out of the training set, when the dataset has one (absent otherwise, so logs
        /// written before it existed keep their digests).
        public var validationLoss: Double?
        public var validationTop1Error: Double?

        public init(epoch: Int, learningRate: Double, trainLoss: Double, trainTop1Error: Double,
                    testLoss: Double, testTop1Error: Double, testTop5Error: Double,
                    validationLoss: Double? = nil, validationTop1Error: Double? = nil) {
            self.epoch = epoch; self.learningRate = learningRate; self.trainLoss = trainLoss
            self.trainTop1Error = trainTop1Error; self.testLoss = testLoss
            self.testTop1Error = testTop1Error; self.testTop5Error = testTop5Error
            self.validationLoss = validationLoss; self.validationTop1Error = validationTop1Error
        }
    }

    public var epochs: [Epoch]
    public init(epochs: [Epoch] = []) { self.epochs = epochs }
}

/// Wall-clock facts of a run: stored beside the eval log, never part of a compared digest.
public struct RunTimings: Codable, Equatable, Sendable {
    /// Whole epochs: training steps, precise BN, test evaluation and checkpointing.
    public var secondsPerEpoch: [Double]
    /// The training steps alone (what FEAR and shortreg count as cost); absent in timings written before it existed.
    public var trainingSecondsPerEpoch: [Double]?
    public var threads: Int
    public var host: String
    public init(secondsPerEpoch: [Double], trainingSecondsPerEpoch: [Double]? = nil, threads: Int, host: String) {
        self.secondsPerEpoch = secondsPerEpoch; self.trainingSecondsPerEpoch = trainingSecondsPerEpoch
        self.threads = threads; self.host = host
    }

    /// Training seconds of each epoch when recorded, else whole-epoch seconds.
    public var costPerEpoch: [Double] {
        if let t = trainingSecondsPerEpoch, t.count == secondsPerEpoch.count { return t }
        return secondsPerEpoch
    }
}
