import Archive
import Foundation
import Kernels

/// Re-creates an archived run from its manifest alone, in a scratch archive, and compares it with the original
/// epoch by epoch: eval-log entries (every field) and checkpoint digests; at the first differing checkpoint, the first
/// differing tensor and its largest absolute difference.
public struct Replayer {
    public struct EpochComparison: Sendable {
        public var epoch: Int
        public var logMatches: Bool
        public var checkpointMatches: Bool
        public var archivedCheckpoint: ObjectID?
        public var replayedCheckpoint: ObjectID?
    }

    public struct Report: Sendable {
        public var run: ObjectID
        public var epochs: [EpochComparison]
        /// First differing tensor: name and max |archived − replayed|.
        public var firstDifference: (epoch: Int, tensor: String, maxAbsoluteDifference: Double)?
        /// The replayed manifest (whose digest includes the dataset's) names the same run: false when the data changed.
        public var datasetDigestMatches: Bool
        public var isBitwiseIdentical: Bool { datasetDigestMatches && epochs.allSatisfy { $0.logMatches && $0.checkpointMatches } }
    }

    public let archive: Archive
    public let workers: Workers
    public var progress: ((_ epoch: Int, _ step: Int, _ stepsPerEpoch: Int) -> Void)?

    public init(archive: Archive, workers: Workers) { self.archive = archive; self.workers = workers }

    /// What replaying a run found, by the run's kind.
    public enum Outcome {
        /// A training run: retrained and compared epoch by epoch.
        case training(Report)
        /// A zero-cost proxy run: its scores recomputed and compared bit for bit (ProxyRun.replay).
        case proxies(ProxyRun.Comparison)
    }

    /// Replays a run of any kind Replay re-creates: `train` (`replay(_:)`) or `proxies` (`ProxyRun.replay`). The one
    /// place that dispatches on the run's kind; a `synthetic` run throws `ReplayError`.
    public func replayAnyKind(_ run: ObjectID) throws -> Outcome {
        switch try archive.manifest(run).kind {
        case .train: return .training(try replay(run))
        case .proxies: return .proxies(try ProxyRun.replay(run, in: archive))
        case .synthetic: throw ReplayError.notReplayable(run, .synthetic)
        }
    }

    /// Retrains a `train` run and compares it with the archive (any other kind throws `ReplayError`).
    public func replay(_ run: ObjectID) throws -> Report {
        let manifest = try archive.manifest(run)
        guard manifest.kind == .train else { throw ReplayError.notReplayable(run, manifest.kind) }
        guard let original = try archive.record(of: run) else { throw ArchiveError.unknownRun(run.hex) }
        // The comparison is by object ID, so the archived objects must be what their IDs say: read and re-hash every
        // checkpoint record, tensor and the eval log first (a damaged one throws `corruptObject`, exit 1), rather
        // than report "bitwise identical" for a run whose stored bits are gone.
        for entry in original.checkpoints {
            for tensor in try archive.getJSON(CheckpointRecord.self, entry.checkpoint).tensors { _ = try archive.objects.get(tensor.object) }
        }
        if let log = original.evalLog { _ = try archive.objects.get(log) }
        let spec = try RunSpec(manifest: manifest)
        let scratchPath = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-replay-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratchPath) }
        let scratch = try Archive.create(at: scratchPath)
        let trainer = Trainer(spec: spec, workers: workers)
        trainer.progress = progress
        let lastEpoch = original.checkpoints.last?.epoch ?? 0
        if original.status == .inProgress { trainer.stopAfterEpoch = max(1, lastEpoch) }
        let replayed = try trainer.run(in: scratch)

        let originalLog = try original.evalLog.map { try archive.getJSON(EvalLog.self, $0) } ?? EvalLog()
        let replayedLog = try replayed.record.evalLog.map { try scratch.getJSON(EvalLog.self, $0) } ?? EvalLog()
        var epochs: [EpochComparison] = []
        var firstDifference: (Int, String, Double)?
        for entry in original.checkpoints {
            let other = replayed.record.checkpoints.first { $0.epoch == entry.epoch }
            let a = originalLog.epochs.first { $0.epoch == entry.epoch }, b = replayedLog.epochs.first { $0.epoch == entry.epoch }
            let comparison = EpochComparison(epoch: entry.epoch, logMatches: a == b, checkpointMatches: other?.checkpoint == entry.checkpoint,
                                             archivedCheckpoint: entry.checkpoint, replayedCheckpoint: other?.checkpoint)
            epochs.append(comparison)
            if firstDifference == nil, !comparison.checkpointMatches, let other {
                let x = try archive.getJSON(CheckpointRecord.self, entry.checkpoint), y = try scratch.getJSON(CheckpointRecord.self, other.checkpoint)
                for (t, u) in zip(x.tensors, y.tensors) where t.object != u.object || t.name != u.name {
                    let va = try archive.getTensor(t.object, count: t.elementCount), vb = try scratch.getTensor(u.object, count: u.elementCount)
                    let diff = zip(va, vb).reduce(0.0) { max($0, abs(Double($1.0) - Double($1.1))) }
                    firstDifference = (entry.epoch, t.name, diff)
                    break
                }
            }
        }
        return Report(run: run, epochs: epochs, firstDifference: firstDifference.map { ($0.0, $0.1, $0.2) },
                      datasetDigestMatches: replayed.run == run)
    }
}
