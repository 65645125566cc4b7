import Kernels

/// Forward and backward passes. Activations are NHWC float32 arrays; each unit records what its backward pass needs
/// on a tape, and the backward pass walks the tape in reverse, writing (not accumulating) every parameter gradient,
/// since each parameter is used once per forward pass.
extension AnyNetModel {
    struct ConvBNRecord {
        var input: [Float]
        var convOutput: [Float]
        var bn: BatchNorm.Saved
        var output: [Float]
        var batch: Int
    }

    struct SERecord {
        var input: [Float]
        var saved: SqueezeExcitation.Saved
        var batch: Int
    }

    func squeezeExcitation(_ u: SEUnit, batch: Int) -> SqueezeExcitation {
        SqueezeExcitation(batch: batch, pixels: u.height * u.width, channels: u.channels, squeezed: u.squeezed)
    }

    enum TapeEntry {
        case convBN(ConvBNRecord)
        case maxPool(argmax: [Int32], inputCount: Int)
        case block(branch: [ConvBNRecord], se: SERecord?, projection: ConvBNRecord?, output: [Float])
        case head(pooled: [Float], pixels: Int, channels: Int)
    }

    func conv(_ u: ConvBNUnit, batch: Int) -> Conv2D {
        Conv2D(batch: batch, height: u.inHeight, width: u.inWidth, inChannels: u.geometry.inChannels, outChannels: u.geometry.outChannels,
               kernel: u.geometry.kernel, stride: u.geometry.stride, padding: (u.geometry.kernel - 1) / 2, groups: u.geometry.groups)
    }

    /// A buffer for a kernel that writes every element (no zero fill: that pass cost ~5% of a training step).
    func output(_ count: Int, _ write: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            write(buffer.baseAddress!)
            initialized = count
        }
    }

    func forward(_ u: ConvBNUnit, _ x: [Float], batch: Int, training: Bool, workers: Workers) -> ConvBNRecord {
        let c = conv(u, batch: batch)
        let y = output(c.outputCount) { c.forward(x: x, w: parameters[u.weight].values, y: $0, workers: workers) }
        let bn = BatchNorm(rows: c.rows, channels: c.outChannels, momentum: batchNormMomentum)
        var saved = BatchNorm.Saved(mean: [], inverseStd: [])
        var z: [Float]
        if training {
            // BN and its ReLU in one pass (bit for bit BN then ReLU).
            z = output(c.outputCount) { out in
                saved = bn.forwardTraining(x: y, gamma: parameters[u.gamma].values, beta: parameters[u.beta].values, y: out,
                                           runningMean: parameters[u.runningMean].values,
                                           runningVariance: parameters[u.runningVariance].values, relu: u.relu, workers: workers)
            }
        } else {
            z = output(c.outputCount) { out in
                bn.forwardInference(x: y, gamma: parameters[u.gamma].values, beta: parameters[u.beta].values,
                                    runningMean: parameters[u.runningMean].values, runningVariance: parameters[u.runningVariance].values, y: out,
                                    workers: workers)
            }
            if u.relu { z.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, $0.baseAddress!, count: $0.count, workers: workers) } }
        }
        return ConvBNRecord(input: training ? x : [], convOutput: training ? y : [], bn: saved, output: z, batch: batch)
    }

    /// ReLU's backward pass into a fresh buffer (no copy of dOut that would be overwritten at once).
    func reluGradient(output y: [Float], _ dOut: [Float], workers: Workers) -> [Float] {
        output(dOut.count) { ReLU.backward(y: y, dy: dOut, dx: $0, count: dOut.count, workers: workers) }
    }

    /// Returns dx (empty when `inputGradient` is false: nothing upstream consumes it, e.g. the stem, whose input is the
    /// image); writes the gradients of the unit's weight, γ and β. The unit's ReLU backward is folded into BN's
    /// backward passes (same bits as a separate mask pass).
    func backward(_ u: ConvBNUnit, _ record: ConvBNRecord, _ dOut: [Float], workers: Workers, inputGradient: Bool = true) -> [Float] {
        let c = conv(u, batch: record.batch)
        let dy = output(c.outputCount) { out in
            record.output.withUnsafeBufferPointer { relu in
                BatchNorm(rows: c.rows, channels: c.outChannels).backward(
                    x: record.convOutput, dy: dOut, gamma: parameters[u.gamma].values, saved: record.bn, dx: out,
                    dGamma: parameters[u.gamma].gradient, dBeta: parameters[u.beta].gradient,
                    reluOutput: u.relu ? relu.baseAddress! : nil, workers: workers)
            }
        }
        c.backwardWeights(x: record.input, dy: dy, dw: parameters[u.weight].gradient, workers: workers)
        guard inputGradient else { return [] }
        return output(c.inputCount) { c.backwardData(dy: dy, w: parameters[u.weight].values, dx: $0, workers: workers) }
    }

    /// Logits [batch][classes] for NHWC `images`; in training mode, BN uses batch statistics (and updates its running
    /// statistics) and the tape is kept for `backward`.
    func forward(images: [Float], batch: Int, training: Bool, workers: Workers) -> (logits: [Float], tape: [TapeEntry]) {
        var x = images
        var h = inputSize, w = inputSize, channels = spec.inputChannels
        var tape: [TapeEntry] = []
        for unit in units {
            switch unit {
            case .convBN(let u):
                let r = forward(u, x, batch: batch, training: training, workers: workers)
                x = r.output
                (h, w, channels) = ((u.inHeight - 1) / u.geometry.stride + 1, (u.inWidth - 1) / u.geometry.stride + 1, u.geometry.outChannels)
                if training { tape.append(.convBN(r)) }
            case .maxPool:
                let pool = MaxPool(batch: batch, height: h, width: w, channels: channels)
                var y = [Float](repeating: 0, count: pool.outputCount)
                let argmax = pool.forward(x, &y)
                if training { tape.append(.maxPool(argmax: argmax, inputCount: x.count)) }
                x = y
                (h, w) = (pool.outHeight, pool.outWidth)
            case .block(let block):
                var records: [ConvBNRecord] = []
                var seRecord: SERecord?
                var f = x
                for (position, u) in block.branch.enumerated() {
                    let r = forward(u, f, batch: batch, training: training, workers: workers)
                    f = r.output
                    records.append(training ? r : ConvBNRecord(input: [], convOutput: [], bn: r.bn, output: [], batch: batch))
                    if position == Block.seAfter, let se = block.se {
                        var saved: SqueezeExcitation.Saved?
                        let y = output(f.count) { out in
                            saved = squeezeExcitation(se, batch: batch).forward(
                                x: f, w1: parameters[se.w1].values, b1: parameters[se.b1].values,
                                w2: parameters[se.w2].values, b2: parameters[se.b2].values, y: out, workers: workers)
                        }
                        if training { seRecord = SERecord(input: f, saved: saved!, batch: batch) }
                        f = y
                    }
                }
                var projection: ConvBNRecord?
                if block.residual {
                    var shortcut = x
                    if let p = block.projection {
                        let r = forward(p, x, batch: batch, training: training, workers: workers)
                        shortcut = r.output
                        projection = r
                    }
                    f.withUnsafeMutableBufferPointer { out in
                        shortcut.withUnsafeBufferPointer { add in
                            workers.forEachRange(out.count) { range in
                                for i in range {   // sum, then ReLU (as ReLU.forward), in one pass
                                    let v = out[i] + add[i]
                                    out[i] = v > 0 || v.isNaN ? v : 0
                                }
                            }
                        }
                    }
                }
                let last = block.branch.last!
                (h, w, channels) = ((h - 1) / block.branch.map(\.geometry.stride).max()! + 1,
                                    (w - 1) / block.branch.map(\.geometry.stride).max()! + 1, last.geometry.outChannels)
                if training { tape.append(.block(branch: records, se: seRecord, projection: projection, output: f)) }
                x = f
            case .head(let weightIndex, let biasIndex):
                let gap = GlobalAveragePool(batch: batch, pixels: h * w, channels: channels)
                var pooled = [Float](repeating: 0, count: batch * channels)
                gap.forward(x, &pooled)
                var logits = [Float](repeating: 0, count: batch * classes)
                Linear(batch: batch, inFeatures: channels, outFeatures: classes).forward(
                    x: pooled, w: parameters[weightIndex].values, b: parameters[biasIndex].values, y: &logits, workers: workers)
                if training { tape.append(.head(pooled: pooled, pixels: h * w, channels: channels)) }
                x = logits
            }
        }
        return (x, tape)
    }

    /// Writes every trainable parameter's gradient from the gradient of the loss with respect to the logits. With
    /// `firstUnit` > 0 the pass stops after unit `firstUnit` (units before it are frozen: their gradients are not
    /// written and keep stale values, and no gradient flows into them), which is what makes FEAR's stage 2 cheap.
    func backward(tape: [TapeEntry], dLogits: [Float], batch: Int, workers: Workers, firstUnit: Int = 0) {
        var d = dLogits
        for (position, (unit, entry)) in zip(units, tape).enumerated().reversed() where position >= firstUnit {
            switch (unit, entry) {
            case (.head(let weightIndex, let biasIndex), .head(let pooled, let pixels, let channels)):
                var dPooled = [Float](repeating: 0, count: batch * channels)
                Linear(batch: batch, inFeatures: channels, outFeatures: classes).backward(
                    x: pooled, w: parameters[weightIndex].values, dy: d, dx: &dPooled,
                    dw: parameters[weightIndex].gradient, db: parameters[biasIndex].gradient, workers: workers)
                var dx = [Float](repeating: 0, count: batch * pixels * channels)
                GlobalAveragePool(batch: batch, pixels: pixels, channels: channels).backward(dy: dPooled, dx: &dx)
                d = dx
            case (.block(let block), .block(let records, let seRecord, let projection, let output)):
                let dSum = block.residual ? reluGradient(output: output, d, workers: workers) : d
                var df = dSum
                for (position, (u, r)) in zip(block.branch, records).enumerated().reversed() {
                    if position == Block.seAfter, let se = block.se, let s = seRecord {
                        let dOut = df
                        df = self.output(dOut.count) { dx in
                            squeezeExcitation(se, batch: s.batch).backward(
                                x: s.input, dy: dOut, w1: parameters[se.w1].values, w2: parameters[se.w2].values, saved: s.saved, dx: dx,
                                dw1: parameters[se.w1].gradient, db1: parameters[se.b1].gradient,
                                dw2: parameters[se.w2].gradient, db2: parameters[se.b2].gradient, workers: workers)
                        }
                    }
                    df = backward(u, r, df, workers: workers)
                }
                if block.residual {
                    let dShortcut = block.projection.map { backward($0, projection!, dSum, workers: workers) } ?? dSum
                    df.withUnsafeMutableBufferPointer { out in
                        dShortcut.withUnsafeBufferPointer { add in
                            workers.forEachRange(out.count) { range in for i in range { out[i] += add[i] } }
                        }
                    }
                }
                d = df
            case (.maxPool, .maxPool(let argmax, let inputCount)):
                var dx = [Float](repeating: 0, count: inputCount)
                dx.withUnsafeMutableBufferPointer { p in
                    p.baseAddress!.update(repeating: 0, count: inputCount)
                    for o in argmax.indices { p[Int(argmax[o])] += d[o] }
                }
                d = dx
            case (.convBN(let u), .convBN(let r)):
                d = backward(u, r, d, workers: workers, inputGradient: position > firstUnit)
            default:
                preconditionFailure("tape does not match the model's units")
            }
        }
    }
}
