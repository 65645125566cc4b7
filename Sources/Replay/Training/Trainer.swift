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
/// - if `preciseBatchNormSamples` > 0: BN running statistics recomputed on the first min(⌊samples/batchSize⌋, steps
///   per epoch) batches of a second Philox permutation (purpose .preciseBatchNorm, epoch e), augmented as above but
///   with purpose .preciseBatchNormAugmentation (pycls iterates its shuffling, augmenting training loader again);
/// - then evaluation on the test set in inference mode (batches of 256), an eval-log entry, and a checkpoint
///   (all tensors + momentum buffers) committed to the archive with status in_progress (completed after the last epoch).
/// With a validation part (`DatasetSpec.validationCount`, held out of the training set) it is evaluated after the test
/// set and logged; with `earlyStoppingPatience` p the run completes at the first epoch e with e − best ≥ p, best being
/// the first epoch of lowest validation top-1 error so far (metrics `stopped_early`, `best_validation_epoch`).
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

    /// The first epoch with the lowest validation top-1 error in the log (nil when no epoch has one).
    static func bestValidationEpoch(_ log: EvalLog) -> Int? {
        var best: (epoch: Int, error: Double)?
        for e in log.epochs { if let v = e.validationTop1Error, best == nil || v < best!.error { best = (e.epoch, v) } }
        return best?.epoch
    }

    public func run(in archive: Archive) throws -> Outcome {
        let problems = spec.check().problems
        guard problems.isEmpty else { throw ReplayError("run spec", problems.joined(separator: "; ")) }
        let (fullTrain, test) = try data ?? spec.dataset.load()
        // The validation part (if any) is held out of training; the dataset digest covers the whole train part.
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
        let manifest = try spec.manifest(datasetDigest: DatasetSpec.digest(train: fullTrain, test: test))
        let run = try archive.putManifest(manifest)
        let model = AnyNetModel(spec: spec.architecture, inputSize: train.height, seed: UInt64(bitPattern: spec.seed))

        var record = RunRecord(run: run, status: .inProgress)
        var log = EvalLog()
        var timings = RunTimings(secondsPerEpoch: [], trainingSecondsPerEpoch: [], threads: workers.count, host: ProcessInfo.processInfo.hostName)
        var firstEpoch = 1
        var step = 0
        var resumedFrom: Int?
        if let existing = try archive.record(of: run) {
            if existing.status != .inProgress { return Outcome(run: run, record: existing, resumedFrom: nil) }
            if let last = existing.checkpoints.last {
                let checkpoint = try archive.getJSON(CheckpointRecord.self, last.checkpoint)
                try restore(model, from: checkpoint, archive: archive)
                record = existing
                log = try existing.evalLog.map { try archive.getJSON(EvalLog.self, $0) } ?? EvalLog()
                log.epochs = log.epochs.filter { $0.epoch <= last.epoch }
                record.checkpoints = existing.checkpoints.filter { $0.epoch <= last.epoch }
                if let t = existing.timings, let old = try? archive.getJSON(RunTimings.self, t) {
                    timings.secondsPerEpoch = Array(old.secondsPerEpoch.prefix(last.epoch))
                    timings.trainingSecondsPerEpoch = old.trainingSecondsPerEpoch.map { Array($0.prefix(last.epoch)) }
                }
                firstEpoch = last.epoch + 1
                step = checkpoint.step
                resumedFrom = last.epoch
            }
        }
        if record.checkpoints.isEmpty {
            // Storing a checkpoint and committing the record that reaches it is one write transaction, so a
            // concurrent gc (even with --grace 0) cannot remove the checkpoint in between (ArchiveLock).
            try archive.transaction {
                record.checkpoints = [.init(epoch: 0, checkpoint: try storeCheckpoint(model, run: run, epoch: 0, step: 0, archive: archive))]
                try archive.commit(record)
            }
        }

        let sgd = SGD(momentum: Float(spec.training.momentum), weightDecay: Float(spec.training.weightDecay), nesterov: spec.training.nesterov)
        let fear = spec.training.fear
        let stage1Steps = train.count / spec.training.batchSize
        // FEAR: the epoch that reached the threshold (from the log when resuming), and what stage 2 trains.
        var stage1End = fear.flatMap { f in log.epochs.first { 100 - $0.trainTop1Error >= f.thresholdPercent }?.epoch }
        // In model order, computed once: the tensors stage 2 steps.
        let stage2Trainable: [Parameters.Tensor] = fear.map { f in
            let blocks = spec.architecture.stages.enumerated().flatMap { si, stage in (0..<stage.depth).map { "s\(si + 1).b\($0 + 1)." } }
            let kept = blocks.suffix(f.trainableBlocks) + ["head."]
            return model.parameters.tensors.filter { t in t.trainable && kept.contains { t.name.hasPrefix($0) } }
        } ?? []
        // Stage 2's backward pass stops at the first trainable block (the units are stem, [pool], blocks…, head).
        let stage2FirstUnit = fear.map { model.units.count - 1 - min($0.trainableBlocks, model.units.count - 1) } ?? 0
        var epoch = firstEpoch
        while true {
            let stage2Start = stage1End  // stage 2 runs epochs stage1End+1 … stage1End+stage2Epochs
            if let fear, let s1 = stage2Start { if epoch > s1 + fear.stage2Epochs { break } } else if epoch > spec.training.epochs { break }
            let inStage2 = stage2Start != nil
            let start = Date()
            let batch = inStage2 ? (fear!.stage2BatchSize ?? spec.training.batchSize) : spec.training.batchSize
            let lr: Float = inStage2
                ? Float(fear!.stage2LearningRate * 0.5 * (1 + cos(Double.pi * Double(epoch - stage2Start! - 1) / Double(fear!.stage2Epochs))))
                : spec.training.learningRate(epoch: epoch - 1)
            let stepsPerEpoch = train.count / batch
            guard stepsPerEpoch >= 1 else {
                throw ReplayError(spec.dataset.name, "\(train.count) training images, fewer than one stage-2 batch of \(batch)")
            }
            let order = Philox(seed: UInt64(bitPattern: spec.seed)).permutation(train.count, purpose: .shuffle, epoch: epoch)
            var lossSum = 0.0, wrong = 0, seen = 0
            var diverged: String?
            for s in 0..<stepsPerEpoch {
                let indices = Array(order[(s * batch)..<((s + 1) * batch)])
                let images = augmentedBatch(train, indices, epoch: epoch)
                let labels = indices.map { train.labels[$0] }
                let (logits, tape) = model.forward(images: images, batch: batch, training: true, workers: workers)
                var dLogits = [Float](repeating: 0, count: logits.count)
                let loss = SoftmaxCrossEntropy.forwardBackward(logits: logits, labels: labels, batch: batch, classes: train.classes,
                                                               labelSmoothing: Float(spec.training.labelSmoothing), gradient: &dLogits)
                if !loss.loss.isFinite {
                    diverged = "loss became \(loss.loss) at epoch \(epoch), step \(step + 1)"
                    break
                }
                model.backward(tape: tape, dLogits: dLogits, batch: batch, workers: workers, firstUnit: inStage2 ? stage2FirstUnit : 0)
                if inStage2 {
                    // Fresh SGD at stage 2's first step; frozen tensors are not stepped; trainable gradients clipped.
                    let firstStep = step == stage2Start! * stage1Steps
                    let tensors = stage2Trainable
                    var squares = 0.0
                    for t in tensors { for i in 0..<t.count { squares += Double(t.gradient[i]) * Double(t.gradient[i]) } }
                    let factor = fear!.gradientClip / (squares.squareRoot() + 1e-6)
                    for t in tensors {
                        if factor < 1 { let f = Float(factor); for i in 0..<t.count { t.gradient[i] *= f } }
                        sgd.step(weights: t.values, gradient: t.gradient, buffer: t.momentum, count: t.count, learningRate: lr, firstStep: firstStep)
                    }
                } else {
                    for t in model.parameters.tensors where t.trainable {
                        sgd.step(weights: t.values, gradient: t.gradient, buffer: t.momentum, count: t.count, learningRate: lr, firstStep: step == 0)
                    }
                }
                step += 1
                lossSum += loss.loss
                wrong += loss.top1Wrong
                seen += batch
                progress?(epoch, s + 1, stepsPerEpoch)
            }
            if let diverged {
                record.status = .diverged
                record.reason = diverged
                try archive.transaction {
                    record.evalLog = try archive.putJSON(log)
                    try archive.commit(record)
                }
                return Outcome(run: run, record: record, resumedFrom: resumedFrom)
            }
            let trainingSeconds = Date().timeIntervalSince(start)
            if spec.training.preciseBatchNormSamples > 0 {
                let count = min(spec.training.preciseBatchNormSamples / batch, stepsPerEpoch)
                let order = Philox(seed: UInt64(bitPattern: spec.seed)).permutation(train.count, purpose: .preciseBatchNorm, epoch: epoch)
                let batches = (0..<count).map {
                    augmentedBatch(train, Array(order[($0 * batch)..<(($0 + 1) * batch)]), epoch: epoch, purpose: .preciseBatchNormAugmentation)
                }
                model.recomputeBatchNormStatistics(batches: batches, batch: batch, workers: workers)
            }
            let evaluation = evaluate(model, on: test)
            let validated = validation.map { evaluate(model, on: $0) }
            let trainTop1Error = 100 * Double(wrong) / Double(seen)
            log.epochs.append(.init(epoch: epoch, learningRate: Double(lr), trainLoss: lossSum / Double(stepsPerEpoch),
                                    trainTop1Error: trainTop1Error, testLoss: evaluation.loss,
                                    testTop1Error: evaluation.top1Error, testTop5Error: evaluation.top5Error,
                                    validationLoss: validated?.loss, validationTop1Error: validated?.top1Error))
            timings.secondsPerEpoch.append(Date().timeIntervalSince(start))
            if timings.trainingSecondsPerEpoch?.count == timings.secondsPerEpoch.count - 1 {
                timings.trainingSecondsPerEpoch?.append(trainingSeconds)
            } else {
                timings.trainingSecondsPerEpoch = nil  // resumed from timings that lacked it: whole epochs only
            }
            var finished = false
            try archive.transaction {   // checkpoint, log, timings and the record that reaches them: one transaction
                record.checkpoints.append(.init(epoch: epoch, checkpoint: try storeCheckpoint(model, run: run, epoch: epoch, step: step, archive: archive)))
                record.evalLog = try archive.putJSON(log)
                record.timings = try archive.putJSON(timings)
                var metrics: [String: Double] = ["test_top1_error": evaluation.top1Error, "test_top5_error": evaluation.top5Error,
                                                 "test_loss": evaluation.loss, "train_loss": lossSum / Double(stepsPerEpoch)]
                if let fear {
                    if stage1End == nil && 100 - trainTop1Error >= fear.thresholdPercent && !inStage2 { stage1End = epoch }
                    if let s1 = stage1End, epoch == s1 + fear.stage2Epochs {
                        metrics["fear_score"] = 100 - trainTop1Error
                        metrics["fear_stage1_epochs"] = Double(s1)
                        metrics["fear_reached_threshold"] = 1
                        finished = true
                    } else if stage1End == nil && epoch == spec.training.epochs {
                        metrics["fear_reached_threshold"] = 0
                        record.reason = "FEAR: running train accuracy never reached \(fear.thresholdPercent)% in \(epoch) epochs"
                        finished = true
                    }
                } else {
                    finished = epoch == spec.training.epochs
                }
                if let validated {
                    metrics["validation_top1_error"] = validated.top1Error
                    metrics["validation_loss"] = validated.loss
                }
                if let patience = spec.training.earlyStoppingPatience, let best = Self.bestValidationEpoch(log) {
                    metrics["best_validation_epoch"] = Double(best)
                    if !finished && epoch - best >= patience {
                        finished = true
                        metrics["stopped_early"] = 1
                        record.reason = "early stopping: validation top-1 error not below epoch \(best)'s for \(patience) epoch(s)"
                    }
                }
                if finished {
                    record.status = .completed
                    record.metrics = metrics
                }
                try archive.commit(record)
            }
            if finished { break }
            if let stop = stopAfterEpoch, epoch >= stop { break }
            epoch += 1
        }
        return Outcome(run: run, record: record, resumedFrom: resumedFrom)
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
