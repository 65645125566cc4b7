import Foundation

/// The outcome of a run, pointing at its checkpoints and eval log. Stored as a canonical-JSON object; the run's ref
/// (`refs/runs/<run ID>`) names the newest record, so a resumed run gains checkpoints by writing a new record.
public struct RunRecord: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Trained to the end of its schedule.
        case completed
        /// Training stopped part-way; checkpoints so far are kept, `reprise train` resumes it.
        case inProgress = "in_progress"
        /// The loss became NaN or infinite; kept as data, with the epoch in `reason`.
        case diverged
        /// Any other failure, with its reason.
        case failed
    }

    public var formatVersion: Int = 1
    public var run: ObjectID
    public var status: Status
    public var reason: String?
    /// Checkpoint records by epoch, ascending (epoch 0 = the initialisation).
    public var checkpoints: [EpochCheckpoint]
    /// The deterministic eval log (no wall-clock fields).
    public var evalLog: ObjectID?
    /// Wall-clock seconds per epoch and the host's thread count: stored, never compared.
    public var timings: ObjectID?
    /// Final metrics by name (e.g. "test_top1_error"); finite values only.
    public var metrics: [String: Double]

    public struct EpochCheckpoint: Codable, Equatable, Sendable {
        public var epoch: Int
        public var checkpoint: ObjectID
        public init(epoch: Int, checkpoint: ObjectID) { self.epoch = epoch; self.checkpoint = checkpoint }
    }

    public init(run: ObjectID, status: Status, reason: String? = nil, checkpoints: [EpochCheckpoint] = [],
                evalLog: ObjectID? = nil, timings: ObjectID? = nil, metrics: [String: Double] = [:]) {
        self.run = run
        self.status = status
        self.reason = reason
        self.checkpoints = checkpoints
        self.evalLog = evalLog
        self.timings = timings
        self.metrics = metrics
    }

    /// The part that must be identical when the same manifest is run twice (everything but timings).
    public var deterministicPart: RunRecord {
        var copy = self
        copy.timings = nil
        return copy
    }

    /// Every object this record references, for fsck, gc and bundles (not the checkpoints' tensors).
    public var referencedObjects: [ObjectID] {
        [run] + checkpoints.map(\.checkpoint) + [evalLog, timings].compactMap { $0 }
    }
}
