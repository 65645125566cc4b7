import Archive
import Foundation
import Kernels

/// Trains one run into an archive, epoch by epoch, resumably.
///
/// Epoch e (0-based):
/// - order: Philox permutation of the training set (purpose .shuffle, epoch e); batches of `batchSize` in that order,
///   the last partial batch dropped (as pycls's training loader);
/// - augmentation per image, keyed by its dataset index i: crop row offset from (augmentation, e, 2i), crop column offset
///   from (augmentation, e, 2i+1), flip from bit 0 of the third word of (augmentation, e, 2i+1);
/// - each step: forward (BN batch statistics), label-smoothed cross-entropy, backward, SGD on every trainable tensor;
/// - the epoch's end-of-epoch policies, each in its own type: `PreciseBatchNorm` (BN running statistics recomputed),
///   then evaluation on the test set in inference mode (batches of 256) and on a validation part if any, an eval-log
///   entry, and a checkpoint (all tensors + momentum buffers) committed to the archive with status in_progress
///   (completed after the last epoch); then `EarlyStopping` (metrics `stopped_early`, `best_validation_epoch`) or
///   FEAR's `FearSchedule` (metrics `fear_score`, `fear_stage1_epochs`, `fear_reached_threshold`) decides whether the
///   run goes on. What an epoch trains (batch size, learning rate, tensors, first backward unit, fresh momentum,
///   `GradientClipping`) is its `EpochPlan`.
/// Epoch 0's checkpoint is the initialisation. A run found in_progress resumes from its last checkpoint: since every
/// random draw is keyed by (seed, purpose, epoch, index), the resumed run is bitwise identical to an uninterrupted one.
public final class Trainer {
    public let spec: RunSpec
    public let workers: Workers
    public var progress: ((_ epoch: Int, _ step: Int, _ stepsPerEpoch: Int) -> Void)?
    /// Stop (leaving the run in_progress) after this epoch: for tests of resumption.
    public var stopAfterEpoch: Int?
    /// The run's data, when the caller has already loaded it with `spec.dataset.load()` (a study shares one load among
    /// many runs); nil loads it here.
    public var data: (train: ImageDataset, test: ImageDataset)?

    public init(spec: RunSpec, workers: Workers) { self.spec = spec; self.workers = workers }

    public struct Outcome {
        public var run: ObjectID
        public var record: RunRecord
        public var resumedFrom: Int?
    }

    public func run(in archive: Archive) throws -> Outcome {
        let (train, validation, test, datasetDigest) = try checkedData()
        let run = try archive.putManifest(try spec.manifest(datasetDigest: datasetDigest))
        let model = AnyNetModel(spec: spec.architecture, inputSize: train.height, seed: UInt64(bitPattern: spec.seed))
        var state = try resumeOrStart(run: run, model: model, in: archive)
        if state.record.status != .inProgress { return Outcome(run: run, record: state.record, resumedFrom: nil) }

        let sgd = SGD(momentum: Float(spec.training.momentum), weightDecay: Float(spec.training.weightDecay), nesterov: spec.training.nesterov)
        let allTrainable = model.parameters.tensors.filter(\.trainable)
        var fear = spec.training.fear.map {
            FearSchedule($0, architecture: spec.architecture, model: model, log: state.log,
                         stage1StepsPerEpoch: train.count / spec.training.batchSize)
        }
        let preciseBatchNorm = PreciseBatchNorm(samples: spec.training.preciseBatchNormSamples)
        let earlyStopping = spec.training.earlyStoppingPatience.map(EarlyStopping.init)
        var epoch = state.firstEpoch
        while let plan = EpochPlan(epoch: epoch, training: spec.training, fear: fear, allTrainable: allTrainable) {
            let start = Date()
            let stepsPerEpoch = train.count / plan.batchSize
            guard stepsPerEpoch >= 1 else {
                throw ReplayError(spec.dataset.name, "\(train.count) training images, fewer than one stage-2 batch of \(plan.batchSize)")
            }
            let trained = trainSteps(plan, stepsPerEpoch: stepsPerEpoch, model: model, sgd: sgd, train: train, step: &state.step)
            if let diverged = trained.diverged {
                state.record.status = .diverged
                state.record.reason = diverged
                try archive.transaction {
                    state.record.evalLog = try archive.putJSON(state.log)
                    try archive.commit(state.record)
                }
                return Outcome(run: run, record: state.record, resumedFrom: state.resumedFrom)
            }
            let trainingSeconds = Date().timeIntervalSince(start)
            if let preciseBatchNorm {
                let batches = preciseBatchNorm.batches(trainCount: train.count, batch: plan.batchSize, stepsPerEpoch: stepsPerEpoch,
                                                       seed: spec.seed, epoch: epoch)
                    .map { augmentedBatch(train, $0, epoch: epoch, purpose: .preciseBatchNormAugmentation) }
                model.recomputeBatchNormStatistics(batches: batches, batch: plan.batchSize, workers: workers)
            }
            let evaluation = evaluate(model, on: test)
            let validated = validation.map { evaluate(model, on: $0) }
            let trainLoss = trained.lossSum / Double(stepsPerEpoch)
            let trainTop1Error = 100 * Double(trained.wrong) / Double(trained.seen)
            state.log.epochs.append(.init(epoch: epoch, learningRate: Double(plan.learningRate), trainLoss: trainLoss,
                                          trainTop1Error: trainTop1Error, testLoss: evaluation.loss,
                                          testTop1Error: evaluation.top1Error, testTop5Error: evaluation.top5Error,
                                          validationLoss: validated?.loss, validationTop1Error: validated?.top1Error))
            state.timings.secondsPerEpoch.append(Date().timeIntervalSince(start))
            if state.timings.trainingSecondsPerEpoch?.count == state.timings.secondsPerEpoch.count - 1 {
                state.timings.trainingSecondsPerEpoch?.append(trainingSeconds)
            } else {
                state.timings.trainingSecondsPerEpoch = nil  // resumed from timings that lacked it: whole epochs only
            }

            // How the run stands after this epoch: the policies decide whether it ends, and with which metrics.
            var finished = epoch == spec.training.epochs
            var metrics: [String: Double] = ["test_top1_error": evaluation.top1Error, "test_top5_error": evaluation.top5Error,
                                             "test_loss": evaluation.loss, "train_loss": trainLoss]
            if fear != nil {
                switch fear!.epochEnded(epoch, trainTop1Error: trainTop1Error, recipeEpochs: spec.training.epochs) {
                case .going:
                    finished = false
                case .scored(let score, let stage1Epochs):
                    metrics["fear_score"] = score
                    metrics["fear_stage1_epochs"] = Double(stage1Epochs)
                    metrics["fear_reached_threshold"] = 1
                    finished = true
                case .neverReached:
                    metrics["fear_reached_threshold"] = 0
                    state.record.reason = "FEAR: running train accuracy never reached \(fear!.config.thresholdPercent)% in \(epoch) epochs"
                    finished = true
                }
            }
            if let validated {
                metrics["validation_top1_error"] = validated.top1Error
                metrics["validation_loss"] = validated.loss
            }
            if let earlyStopping, let decision = earlyStopping.decision(after: epoch, log: state.log) {
                metrics["best_validation_epoch"] = Double(decision.best)
                if !finished && decision.stop {
                    finished = true
                    metrics["stopped_early"] = 1
                    state.record.reason = "early stopping: validation top-1 error not below epoch \(decision.best)'s for \(earlyStopping.patience) epoch(s)"
                }
            }
            if finished {
                state.record.status = .completed
                state.record.metrics = metrics
            }
            try archive.transaction {   // checkpoint, log, timings and the record that reaches them: one transaction
                state.record.checkpoints.append(.init(epoch: epoch, checkpoint: try storeCheckpoint(model, run: run, epoch: epoch, step: state.step, archive: archive)))
                state.record.evalLog = try archive.putJSON(state.log)
                state.record.timings = try archive.putJSON(state.timings)
                try archive.commit(state.record)
            }
            if finished { break }
            if let stop = stopAfterEpoch, epoch >= stop { break }
            epoch += 1
        }
        return Outcome(run: run, record: state.record, resumedFrom: state.resumedFrom)
    }

    /// Loads the run's data (unless given) and checks that it fits the spec: the training part without the validation
    /// part, the validation part, the test set, and the dataset digest (which covers the whole training part).
    func checkedData() throws -> (train: ImageDataset, validation: ImageDataset?, test: ImageDataset, digest: String) {
        let problems = spec.check().problems
        guard problems.isEmpty else { throw ReplayError("run spec", problems.joined(separator: "; ")) }
        let (fullTrain, test) = try data ?? spec.dataset.load()
        let (train, validation) = try spec.dataset.validationSplit(of: fullTrain)
        if spec.training.earlyStoppingPatience != nil && validation == nil {
            throw ReplayError(spec.dataset.name, "early stopping needs a validation part: set the dataset's validationCount (reprise train --validation N)")
        }
        guard train.count >= spec.training.batchSize else {
            throw ReplayError(spec.dataset.name, "\(train.count) training images, fewer than one batch of \(spec.training.batchSize)")
        }
        guard train.classes == spec.architecture.classes, train.channels == spec.architecture.inputChannels, train.height == train.width else {
            throw ReplayError(spec.dataset.name, "dataset (\(train.classes) classes, \(train.channels) channels, \(train.height)×\(train.width)) does not fit the architecture (\(spec.architecture.classes) classes, \(spec.architecture.inputChannels) channels, square input)")
        }
        return (train, validation, test, try DatasetSpec.digest(train: fullTrain, test: test))
    }

    /// Where a run stands before its next epoch: its record, log and timings so far, and the global step.
    struct State {
        var record: RunRecord
        var log = EvalLog()
        var timings: RunTimings
        var firstEpoch = 1
        var step = 0
        var resumedFrom: Int?
    }

    /// A finished run as archived; an in-progress one restored from its last checkpoint (its log and timings cut to
    /// that epoch); or a new one, whose epoch-0 checkpoint (the initialisation) is committed here.
    func resumeOrStart(run: ObjectID, model: AnyNetModel, in archive: Archive) throws -> State {
        var state = State(record: RunRecord(run: run, status: .inProgress),
                          timings: RunTimings(secondsPerEpoch: [], trainingSecondsPerEpoch: [], threads: workers.count,
                                              host: ProcessInfo.processInfo.hostName))
        if let existing = try archive.record(of: run) {
            if existing.status != .inProgress { state.record = existing; return state }
            if let last = existing.checkpoints.last {
                let checkpoint = try archive.getJSON(CheckpointRecord.self, last.checkpoint)
                try restore(model, from: checkpoint, archive: archive)
                state.record = existing
                state.log = try existing.evalLog.map { try archive.getJSON(EvalLog.self, $0) } ?? EvalLog()
                state.log.epochs = state.log.epochs.filter { $0.epoch <= last.epoch }
                state.record.checkpoints = existing.checkpoints.filter { $0.epoch <= last.epoch }
                if let t = existing.timings, let old = try? archive.getJSON(RunTimings.self, t) {
                    state.timings.secondsPerEpoch = Array(old.secondsPerEpoch.prefix(last.epoch))
                    state.timings.trainingSecondsPerEpoch = old.trainingSecondsPerEpoch.map { Array($0.prefix(last.epoch)) }
                }
                state.firstEpoch = last.epoch + 1
                state.step = checkpoint.step
                state.resumedFrom = last.epoch
            }
        }
        if state.record.checkpoints.isEmpty {
            // Storing a checkpoint and committing the record that reaches it is one write transaction, so a
            // concurrent gc (even with --grace 0) cannot remove the checkpoint in between (ArchiveLock).
            try archive.transaction {
                state.record.checkpoints = [.init(epoch: 0, checkpoint: try storeCheckpoint(model, run: run, epoch: 0, step: 0, archive: archive))]
                try archive.commit(state.record)
            }
        }
        return state
    }

    /// One epoch's training steps as `plan` says: batches in Philox order (purpose .shuffle), forward, label-smoothed
    /// cross-entropy, backward to `plan.firstUnit`, optional clipping, SGD on `plan.trainable`. Stops at the first
    /// non-finite loss (`diverged` says where). `step` is the global step, advanced per step taken.
    func trainSteps(_ plan: EpochPlan, stepsPerEpoch: Int, model: AnyNetModel, sgd: SGD, train: ImageDataset,
                    step: inout Int) -> (lossSum: Double, wrong: Int, seen: Int, diverged: String?) {
        let batch = plan.batchSize
        let order = Philox(seed: UInt64(bitPattern: spec.seed)).permutation(train.count, purpose: .shuffle, epoch: plan.epoch)
        var lossSum = 0.0, wrong = 0, seen = 0
        for s in 0..<stepsPerEpoch {
            let indices = Array(order[(s * batch)..<((s + 1) * batch)])
            let images = augmentedBatch(train, indices, epoch: plan.epoch)
            let labels = indices.map { train.labels[$0] }
            let (logits, tape) = model.forward(images: images, batch: batch, training: true, workers: workers)
            var dLogits = [Float](repeating: 0, count: logits.count)
            let loss = SoftmaxCrossEntropy.forwardBackward(logits: logits, labels: labels, batch: batch, classes: train.classes,
                                                           labelSmoothing: Float(spec.training.labelSmoothing), gradient: &dLogits)
            if !loss.loss.isFinite {
                return (lossSum, wrong, seen, "loss became \(loss.loss) at epoch \(plan.epoch), step \(step + 1)")
            }
            model.backward(tape: tape, dLogits: dLogits, batch: batch, workers: workers, firstUnit: plan.firstUnit)
            plan.clipping?.clip(plan.trainable)
            for t in plan.trainable {
                sgd.step(weights: t.values, gradient: t.gradient, buffer: t.momentum, count: t.count,
                         learningRate: plan.learningRate, firstStep: step == plan.freshOptimizerStep)
            }
            step += 1
            lossSum += loss.loss
            wrong += loss.top1Wrong
            seen += batch
            progress?(plan.epoch, s + 1, stepsPerEpoch)
        }
        return (lossSum, wrong, seen, nil)
    }

    /// Loss (mean over images, Double) and top-1 / top-5 error in percent, BN in inference mode.
    public func evaluate(_ model: AnyNetModel, on data: ImageDataset) -> (loss: Double, top1Error: Double, top5Error: Double) {
        var lossSum = 0.0, top1 = 0, top5 = 0
        for start in stride(from: 0, to: data.count, by: 256) {
            let n = min(256, data.count - start)
            let images = Array(data.images[(start * data.imageSize)..<((start + n) * data.imageSize)])
            let (logits, _) = model.forward(images: images, batch: n, training: false, workers: workers)
            let labels = Array(data.labels[start..<(start + n)])
            let r = SoftmaxCrossEntropy.forwardBackward(logits: logits, labels: labels, batch: n, classes: data.classes, gradient: nil)
            lossSum += r.loss * Double(n)
            top1 += r.top1Wrong
            top5 += r.top5Wrong
        }
        return (lossSum / Double(data.count), 100 * Double(top1) / Double(data.count), 100 * Double(top5) / Double(data.count))
    }

    func augmentedBatch(_ data: ImageDataset, _ indices: [Int], epoch: Int, purpose: Philox.Purpose = .augmentation) -> [Float] {
        let (h, w, c, p) = (data.height, data.width, data.channels, spec.training.cropPadding)
        var out = [Float](repeating: 0, count: indices.count * data.imageSize)
        let rng = Philox(seed: UInt64(bitPattern: spec.seed))
        for (b, i) in indices.enumerated() {
            let dy = p > 0 ? rng.integer(below: 2 * p + 1, purpose: purpose, epoch: epoch, index: 2 * i) : p
            let dx = p > 0 ? rng.integer(below: 2 * p + 1, purpose: purpose, epoch: epoch, index: 2 * i + 1) : p
            let flip = spec.training.horizontalFlip && rng.words(purpose: purpose, epoch: epoch, index: 2 * i + 1).2 & 1 == 1
            for y in 0..<h {
                let sy = y + dy - p
                guard sy >= 0 && sy < h else { continue }
                for x in 0..<w {
                    var sx = x + dx - p
                    if flip { sx = w - 1 - sx }
                    guard sx >= 0 && sx < w else { continue }
                    for ch in 0..<c { out[b * data.imageSize + (y * w + x) * c + ch] = data.images[i * data.imageSize + (sy * w + sx) * c + ch] }
                }
            }
        }
        return out
    }

    func storeCheckpoint(_ model: AnyNetModel, run: ObjectID, epoch: Int, step: Int, archive: Archive) throws -> ObjectID {
        var tensors: [CheckpointRecord.Tensor] = []
        for t in model.parameters.tensors {
            tensors.append(.init(name: t.name, shape: t.shape, object: try archive.putTensor(UnsafeBufferPointer(start: t.values, count: t.count))))
        }
        for t in model.parameters.tensors where t.trainable {
            tensors.append(.init(name: "opt." + t.name, shape: t.shape, object: try archive.putTensor(UnsafeBufferPointer(start: t.momentum, count: t.count))))
        }
        return try archive.putJSON(CheckpointRecord(run: run, epoch: epoch, step: step, tensors: tensors))
    }

    public func restore(_ model: AnyNetModel, from checkpoint: CheckpointRecord, archive: Archive) throws {
        for entry in checkpoint.tensors {
            let name = entry.name.hasPrefix("opt.") ? String(entry.name.dropFirst(4)) : entry.name
            guard let i = model.parameters.position(of: name), model.parameters[i].count == entry.elementCount else {
                throw ArchiveError.malformed(path: "checkpoint epoch \(checkpoint.epoch)", reason: "tensor \(entry.name) does not fit the model")
            }
            let values = try archive.getTensor(entry.object, count: entry.elementCount)
            let target = entry.name.hasPrefix("opt.") ? model.parameters[i].momentum : model.parameters[i].values
            target.update(from: values, count: values.count)
        }
    }
}
