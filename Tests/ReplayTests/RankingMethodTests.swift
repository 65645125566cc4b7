@testable import Archive
import Foundation
import Kernels
@testable import Replay
import Testing
import TestSupport

/// FEAR and proxy runs are runs like any other: content-addressed, resumable, replayable bit for bit.
@Suite(.serialized) struct RankingMethodTests {
    /// The small digits run on 480 training and 120 test images (fast enough for a debug build).
    func plainRun(epochs: Int = 4) -> RunSpec {
        var spec = smallDigitsRun(epochs: epochs)
        spec.dataset.trainLimit = 480
        spec.dataset.testLimit = 120
        return spec
    }

    func fearRun(threshold: Double, epochs: Int = 4) -> RunSpec {
        var spec = plainRun(epochs: epochs)
        spec.training.fear = FearConfig(thresholdPercent: threshold, stage2Epochs: 2, trainableBlocks: 1)
        return spec
    }

    @Test func fearTrainsToTheThresholdThenOnlyTheLastBlockAndHead() throws {
        let a = try TemporaryArchive()
        let outcome = try Trainer(spec: fearRun(threshold: 40), workers: Workers(2)).run(in: a.archive)
        let record = outcome.record
        #expect(record.status == .completed)
        let s1 = Int(try #require(record.metrics["fear_stage1_epochs"]))
        let log = try a.archive.getJSON(EvalLog.self, try #require(record.evalLog))
        #expect(log.epochs.map(\.epoch) == Array(1...(s1 + 2)))
        // Stage 1 stops at the first epoch at or above the threshold.
        for e in log.epochs where e.epoch < s1 { #expect(100 - e.trainTop1Error < 40) }
        #expect(100 - log.epochs[s1 - 1].trainTop1Error >= 40)
        #expect(record.metrics["fear_score"] == 100 - log.epochs.last!.trainTop1Error)
        // Stage 1 is the plain recipe, epoch for epoch.
        let plain = try Trainer(spec: plainRun(epochs: 4), workers: Workers(2)).run(in: a.archive)
        let plainLog = try a.archive.getJSON(EvalLog.self, try #require(plain.record.evalLog))
        #expect(Array(log.epochs.prefix(s1)) == Array(plainLog.epochs.prefix(s1)))
        // Stage 2: frozen weights unchanged, the last block and the head trained, BN statistics of frozen layers updated.
        let before = try a.archive.getJSON(CheckpointRecord.self, record.checkpoints.first { $0.epoch == s1 }!.checkpoint)
        let after = try a.archive.getJSON(CheckpointRecord.self, record.checkpoints.last!.checkpoint)
        let changed = Dictionary(uniqueKeysWithValues: zip(before.tensors, after.tensors).map { ($0.0.name, $0.0.object != $0.1.object) })
        #expect(changed["stem.conv.weight"] == false)
        #expect(changed["s1.b1.f.b.conv.weight"] == false)
        #expect(changed["s2.b1.f.a.bn.weight"] == false)
        #expect(changed["stem.bn.running_mean"] == true)
        #expect(changed["s2.b2.f.b.conv.weight"] == true)
        #expect(changed["head.fc.weight"] == true)
    }

    @Test func fearReplaysAndResumesBitForBit() throws {
        let a = try TemporaryArchive(), b = try TemporaryArchive()
        let whole = try Trainer(spec: fearRun(threshold: 40), workers: Workers(1)).run(in: a.archive)
        let s1 = Int(whole.record.metrics["fear_stage1_epochs"]!)
        let interrupted = Trainer(spec: fearRun(threshold: 40), workers: Workers(2))
        interrupted.stopAfterEpoch = s1 + 1  // inside stage 2
        #expect(try interrupted.run(in: b.archive).record.status == .inProgress)
        let resumed = try Trainer(spec: fearRun(threshold: 40), workers: Workers(2)).run(in: b.archive)
        #expect(resumed.resumedFrom == s1 + 1)
        #expect(resumed.record.deterministicPart == whole.record.deterministicPart)
        #expect(try Replayer(archive: a.archive, workers: Workers(2)).replay(whole.run).isBitwiseIdentical)
    }

    @Test func fearWithoutReachingTheThresholdHasNoScore() throws {
        let a = try TemporaryArchive()
        let outcome = try Trainer(spec: fearRun(threshold: 100, epochs: 2), workers: Workers(2)).run(in: a.archive)
        #expect(outcome.record.status == .completed)
        #expect(outcome.record.metrics["fear_score"] == nil)
        #expect(outcome.record.metrics["fear_reached_threshold"] == 0)
        #expect(outcome.record.reason?.contains("never reached") == true)
    }

    @Test func fearManifestsDifferFromPlainOnesAndPlainOnesAreUnchanged() throws {
        let plain = try JSONValue.from(smallDigitsRun().training).canonicalString
        #expect(!plain.contains("fear"))
        #expect(try JSONValue.from(fearRun(threshold: 40).training).canonicalString.contains("\"thresholdPercent\":40"))
        #expect(!fearRun(threshold: 200).training.validate().isEmpty)
    }

    @Test func proxyRunsAreStoredAndReplayed() throws {
        let a = try TemporaryArchive()
        let run = plainRun()
        let proxy = ProxyRun(architecture: run.architecture, dataset: run.dataset, config: .init(batchSize: 16), seed: run.seed)
        let record = try proxy.run(in: a.archive)
        #expect(record.status == .completed)
        #expect(Set(record.metrics.keys).union(record.reason == nil ? [] : ["jacob_cov"]).isSuperset(of: ["grad_norm", "snip", "grasp", "fisher", "synflow"]))
        #expect(try proxy.run(in: a.archive) == record)  // stored once, found again
        let replay = try ProxyRun.replay(record.run, in: a.archive)
        #expect(replay.identical)
        // A tampered score is caught and named.
        var tampered = record
        tampered.metrics["snip"] = record.metrics["snip"]! * (1 + 1e-15) + 1e-300
        try a.archive.forgeRecord(tampered)
        let again = try ProxyRun.replay(record.run, in: a.archive)
        #expect(!again.identical)
        #expect(again.differences.first?.hasPrefix("snip") == true)
    }

    /// Scores made by another proxy arithmetic (here: a manifest without the field, i.e. version 1, written before
    /// DoubleNetwork used Conv2D's references) are a different run, and replay refuses them rather than report a
    /// difference that is only the arithmetic's.
    @Test func proxyRunsOfAnotherArithmeticAreNotReplayed() throws {
        let a = try TemporaryArchive()
        let run = plainRun()
        let current = ProxyRun(architecture: run.architecture, dataset: run.dataset, config: .init(batchSize: 16), seed: run.seed)
        let old = ProxyRun(architecture: run.architecture, dataset: run.dataset, config: .init(batchSize: 16, arithmetic: nil), seed: run.seed)
        #expect(try JSONValue.from(current.config).canonicalString.contains("\"arithmetic\":2"))
        #expect(!(try JSONValue.from(old.config).canonicalString.contains("arithmetic")))
        let record = try old.run(in: a.archive)
        #expect(record.run != (try current.run(in: a.archive)).run)
        #expect(throws: ReplayError.self) { try ProxyRun.replay(record.run, in: a.archive) }
    }
}

extension RankingMethodTests {
    /// Proxies after an epoch score that epoch's checkpoint of the named training run, and say so when it is missing.
    @Test func proxiesAfterAnEpochScoreTheCheckpoint() throws {
        let a = try TemporaryArchive()
        let run = plainRun(epochs: 2)
        let config = ProxyRun.Config(batchSize: 16, proxies: [.snip, .gradNorm, .synflow], afterEpoch: 1, trainedWith: run.training)
        let proxy = ProxyRun(architecture: run.architecture, dataset: run.dataset, config: config, seed: run.seed)
        #expect(throws: ReplayError.self) { try proxy.run(in: a.archive) }
        let trained = try Trainer(spec: run, workers: Workers(2)).run(in: a.archive)
        let record = try proxy.run(in: a.archive)
        // The same scores by hand: restore epoch 1 into a fresh model and score the same batch.
        let (train, _) = try run.dataset.load()
        let model = AnyNetModel(spec: run.architecture, inputSize: train.height, seed: UInt64(bitPattern: run.seed))
        let checkpoint = try a.archive.getJSON(CheckpointRecord.self, trained.record.checkpoints.first { $0.epoch == 1 }!.checkpoint)
        try Trainer(spec: run, workers: .serial).restore(model, from: checkpoint, archive: a.archive)
        let chosen = Array(Philox(seed: UInt64(bitPattern: run.seed)).permutation(train.count, purpose: .proxyBatch, epoch: 0).prefix(16))
        let images = chosen.flatMap { train.images[($0 * train.imageSize)..<(($0 + 1) * train.imageSize)] }
        let expected = model.zeroCostProxies([.snip, .gradNorm, .synflow], images: images, labels: chosen.map { train.labels[$0] })
        #expect(record.metrics == Dictionary(uniqueKeysWithValues: expected.map { ($0.key.rawValue, $0.value) }))
        let atInit = try ProxyRun(architecture: run.architecture, dataset: run.dataset,
                                  config: .init(batchSize: 16, proxies: [.snip, .gradNorm, .synflow]), seed: run.seed).run(in: a.archive)
        #expect(atInit.metrics["snip"] != record.metrics["snip"])
        #expect(try ProxyRun.replay(record.run, in: a.archive).identical)
    }
}

/// The shallow learner behind FEAR's threshold: deterministic whatever the thread count, and well above chance on digits
/// (a learner at chance would make every threshold trivial).
struct ShallowLearnerTests {
    @Test func deterministicAndAboveChance() throws {
        let (train, test) = try DatasetSpec(name: "digits").load()
        let one = try ShallowLearner().fit(train: train, test: test, workers: Workers(1))
        let two = try ShallowLearner().fit(train: train, test: test, workers: Workers(2))
        #expect(one.trainAccuracy == two.trainAccuracy && one.testAccuracy == two.testAccuracy)
        #expect(one.trainAccuracy > 50 && one.testAccuracy > 50)
        var tooBig = ShallowLearner()
        tooBig.batchSize = train.count + 1
        #expect(throws: ReplayError.self) { try tooBig.fit(train: train, test: test) }
    }
}
