import Archive
import Foundation
import Kernels
@testable import Replay
import Testing
import TestSupport

/// Validation part and early stopping (Replay issue: "optional early stopping on a validation split").
@Suite(.serialized) struct EarlyStoppingTests {
    func spec(patience: Int?, validation: Int? = 60, epochs: Int = 8) -> RunSpec {
        var s = smallDigitsRun(epochs: epochs)
        s.dataset.validationCount = validation
        s.training.earlyStoppingPatience = patience
        s.training.baseLearningRate = 0.4   // noisy on purpose, so the validation error does not fall every epoch
        return s
    }

    /// The rule, checked on the log: the run ends at the first epoch e with e − best(e) ≥ patience (best = first epoch
    /// of lowest validation error up to e), or at the last epoch; every logged epoch has validation figures.
    @Test func stopsExactlyWhenThePatienceRunsOut() throws {
        let a = try TemporaryArchive()
        let patience = 1
        let outcome = try Trainer(spec: spec(patience: patience), workers: Workers(2)).run(in: a.archive)
        #expect(outcome.record.status == .completed)
        let log = try a.archive.getJSON(EvalLog.self, #require(outcome.record.evalLog))
        #expect(log.epochs.allSatisfy { $0.validationTop1Error != nil && $0.validationLoss != nil })
        func best(upTo e: Int) -> Int { EarlyStopping.bestValidationEpoch(EvalLog(epochs: Array(log.epochs.prefix(e))))! }
        let last = log.epochs.last!.epoch
        for e in 1..<last { #expect(e - best(upTo: e) < patience, "should have stopped at epoch \(e)") }
        if last < 8 {
            #expect(last - best(upTo: last) >= patience)
            #expect(outcome.record.metrics["stopped_early"] == 1)
        } else {
            #expect(outcome.record.metrics["stopped_early"] == nil)
        }
        #expect(outcome.record.metrics["best_validation_epoch"] == Double(best(upTo: last)))
        #expect(outcome.record.metrics["validation_top1_error"] == log.epochs.last!.validationTop1Error)
    }

    /// This seed and recipe do stop early (validation error 88.3% at epoch 1, 56.7% at 2, 76.7% at 3: stop after 3, so the
    /// test above exercises the stop), and stopping, resuming and
    /// replaying keep the bits: a run interrupted after epoch 1 resumes to the same record.
    @Test func stopsEarlyHereAndResumesBitwise() throws {
        let a = try TemporaryArchive(), b = try TemporaryArchive()
        let whole = try Trainer(spec: spec(patience: 1), workers: Workers(2)).run(in: a.archive)
        #expect(whole.record.metrics["stopped_early"] == 1, "this recipe should stop before epoch 8: \(whole.record.metrics)")
        #expect(whole.record.checkpoints.last?.epoch == 3 && whole.record.metrics["best_validation_epoch"] == 2)
        let first = Trainer(spec: spec(patience: 1), workers: Workers(1))
        first.stopAfterEpoch = 1
        _ = try first.run(in: b.archive)
        let resumed = try Trainer(spec: spec(patience: 1), workers: Workers(2)).run(in: b.archive)
        #expect(resumed.record.deterministicPart == whole.record.deterministicPart)
        let replay = try Replayer(archive: a.archive, workers: Workers(2)).replay(whole.run)
        #expect(replay.isBitwiseIdentical && replay.epochs.count == whole.record.checkpoints.count, "\(replay.epochs.count) epochs compared")
    }

    /// Validation images are held out of training: steps per epoch shrink accordingly; and specs without these fields
    /// keep their manifests (so their run IDs) unchanged.
    @Test func heldOutAndManifestsUnchanged() throws {
        let (train, _) = try DatasetSpec(name: "digits").load()
        var withValidation = DatasetSpec(name: "digits")
        withValidation.validationCount = 300
        let (kept, held) = try withValidation.validationSplit(of: train)
        #expect(kept.count == train.count - 300 && held?.count == 300)
        let plain = try smallDigitsRun().manifest(datasetDigest: String(repeating: "0", count: 64))
        #expect(!plain.training.canonicalString.contains("earlyStopping") && !plain.dataset.canonicalString.contains("validation"))
        #expect(throws: DatasetError.self) {
            var bad = DatasetSpec(name: "digits"); bad.validationCount = train.count
            _ = try bad.validationSplit(of: train)
        }
        let a = try TemporaryArchive()
        #expect(throws: ReplayError.self) { _ = try Trainer(spec: spec(patience: 2, validation: nil), workers: .serial).run(in: a.archive) }
    }
}
