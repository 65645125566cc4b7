import CKernels
import Kernels
import Testing
import TestSupport

@Suite struct BatchNormTests {
    /// Fast Float training forward/backward vs the plain Double reference: the Float path rounds x̂, y and dx once or
    /// twice each, so |fast − ref| ≤ 1e-5·(1 + |ref|) (≈ 100 ulp, generous for a handful of Float roundings of O(1) values).
    @Test(arguments: [(1, 1), (7, 3), (600, 5), (1030, 16)])
    func matchesDoubleReference(shape: (Int, Int)) {
        let (rows, channels) = shape
        let bn = BatchNorm(rows: rows, channels: channels)
        let x = randomFloats(rows * channels, seed: 41).map { $0 * 3 + 0.5 }
        let gamma = randomFloats(channels, seed: 42), beta = randomFloats(channels, seed: 43)
        let dy = randomFloats(rows * channels, seed: 44)
        var y = [Float](repeating: 0, count: x.count), dx = y
        var dGamma = [Float](repeating: 0, count: channels), dBeta = dGamma
        var runningMean = [Float](repeating: 0, count: channels), runningVariance = [Float](repeating: 1, count: channels)
        let saved = bn.forwardTraining(x: x, gamma: gamma, beta: beta, y: &y, runningMean: &runningMean,
                                       runningVariance: &runningVariance, workers: Workers(2))
        bn.backward(x: x, dy: dy, gamma: gamma, saved: saved, dx: &dx, dGamma: &dGamma, dBeta: &dBeta, workers: Workers(2))
        let ref = bn.reference(x: x.map(Double.init), gamma: gamma.map(Double.init), beta: beta.map(Double.init), dy: dy.map(Double.init))
        func close(_ a: [Float], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { abs(Double($0) - $1) <= 1e-5 * (1 + abs($1)) } }
        #expect(close(y, ref.y))
        #expect(close(dx, ref.dx))
        #expect(close(dGamma, ref.dGamma))
        #expect(close(dBeta, ref.dBeta))
    }

    /// The dispatched backward passes (AVX2 when C is a multiple of 8) equal the plain C loops bit for bit, with and
    /// without the fused ReLU mask (whose input has exact zeros, negatives and a NaN), on row ranges not starting at 0.
    @Test(arguments: [8, 24, 40, 13])
    func backwardPassesEqualThePlainLoops(channels: Int) {
        let rows = 37, (m0, m1) = (3, 35)
        let x = randomFloats(rows * channels, seed: 61).map { $0 * 2 + 0.25 }, dy = randomFloats(rows * channels, seed: 62)
        var reluOutput = randomFloats(rows * channels, seed: 63).map { max(0, $0) }
        reluOutput[5 * channels + 1] = .nan
        let mean = randomFloats(channels, seed: 64), inverseStd = randomFloats(channels, seed: 65).map { abs($0) + 0.5 }
        let factor = randomFloats(channels, seed: 66), sumDy = randomFloats(channels, seed: 67), sumDyXhat = randomFloats(channels, seed: 68)
        for relu in [false, true] {
            reluOutput.withUnsafeBufferPointer { r in
                let mask = relu ? r.baseAddress : nil
                var fast = [Double](repeating: 0.5, count: 2 * channels), plain = fast
                reprise_bn_backward_sums(x, dy, mask, mean, inverseStd, Int64(m0), Int64(m1), Int64(channels), &fast)
                reprise_bn_backward_sums_plain(x, dy, mask, mean, inverseStd, Int64(m0), Int64(m1), Int64(channels), &plain)
                #expect(fast.map(\.bitPattern) == plain.map(\.bitPattern), "sums C=\(channels) relu=\(relu)")
                var dxFast = [Float](repeating: .nan, count: rows * channels), dxPlain = dxFast
                reprise_bn_backward_dx(x, dy, mask, mean, inverseStd, factor, sumDy, sumDyXhat, Float(rows), Int64(m0), Int64(m1),
                                       Int64(channels), &dxFast)
                reprise_bn_backward_dx_plain(x, dy, mask, mean, inverseStd, factor, sumDy, sumDyXhat, Float(rows), Int64(m0), Int64(m1),
                                             Int64(channels), &dxPlain)
                #expect(bits(dxFast) == bits(dxPlain), "dx C=\(channels) relu=\(relu)")
            }
        }
    }

    /// The dispatched training-forward passes equal the plain C loops bit for bit (sums, squared deviations, normalise
    /// with and without ReLU, a NaN input included).
    @Test(arguments: [8, 24, 40, 13])
    func forwardPassesEqualThePlainLoops(channels: Int) {
        let rows = 37, (m0, m1) = (3, 35)
        var x = randomFloats(rows * channels, seed: 71).map { $0 * 2 + 0.25 }
        x[4 * channels + 2] = .nan
        let meanD = randomFloats(channels, seed: 72).map(Double.init)
        let mean = randomFloats(channels, seed: 73), inverseStd = randomFloats(channels, seed: 74).map { abs($0) + 0.5 }
        let gamma = randomFloats(channels, seed: 75), beta = randomFloats(channels, seed: 76)
        for deviations in [false, true] {
            meanD.withUnsafeBufferPointer { mu in
                let centre = deviations ? mu.baseAddress : nil
                var fast = [Double](repeating: 0.25, count: channels), plain = fast
                reprise_bn_forward_sums(x, centre, Int64(m0), Int64(m1), Int64(channels), &fast)
                reprise_bn_forward_sums_plain(x, centre, Int64(m0), Int64(m1), Int64(channels), &plain)
                #expect(fast.map(\.bitPattern) == plain.map(\.bitPattern), "sums C=\(channels) deviations=\(deviations)")
            }
        }
        for relu in [0, 1] as [Int32] {
            var fast = [Float](repeating: 7, count: rows * channels), plain = fast
            reprise_bn_forward_normalize(x, mean, inverseStd, gamma, beta, relu, Int64(m0), Int64(m1), Int64(channels), &fast)
            reprise_bn_forward_normalize_plain(x, mean, inverseStd, gamma, beta, relu, Int64(m0), Int64(m1), Int64(channels), &plain)
            #expect(bits(fast) == bits(plain), "normalize C=\(channels) relu=\(relu)")
            #expect(fast.contains { $0.isNaN } && (relu == 0 || fast.contains { $0 == 0 }))   // the cases are exercised
        }
    }

    /// The reference's backward agrees with central differences of L = Σ y·r in Double (bound 1e-6·(1+|g|): the
    /// O(h²) truncation error with h = 1e-5 on O(1) curvature is ~1e-10).
    @Test func referenceGradientMatchesFiniteDifferences() {
        let bn = BatchNorm(rows: 9, channels: 2)
        let x = randomFloats(18, seed: 51).map(Double.init), gamma = [1.5, -0.5], beta = [0.1, 0.2]
        let r = randomFloats(18, seed: 52).map(Double.init)
        let analytic = bn.reference(x: x, gamma: gamma, beta: beta, dy: r)
        func loss(_ x: [Double], _ gamma: [Double], _ beta: [Double]) -> Double {
            zip(bn.reference(x: x, gamma: gamma, beta: beta, dy: r).y, r).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let h = 1e-5
        for i in x.indices {
            var p = x, m = x; p[i] += h; m[i] -= h
            let numeric = (loss(p, gamma, beta) - loss(m, gamma, beta)) / (2 * h)
            #expect(abs(numeric - analytic.dx[i]) <= 1e-6 * (1 + abs(analytic.dx[i])))
        }
        for c in 0..<2 {
            var p = gamma, m = gamma; p[c] += h; m[c] -= h
            #expect(abs((loss(x, p, beta) - loss(x, m, beta)) / (2 * h) - analytic.dGamma[c]) <= 1e-6 * (1 + abs(analytic.dGamma[c])))
        }
    }

    @Test func threadCountDoesNotChangeBits() {
        let bn = BatchNorm(rows: 5000, channels: 24)
        let x = randomFloats(5000 * 24, seed: 61), dy = randomFloats(5000 * 24, seed: 62)
        let gamma = randomFloats(24, seed: 63), beta = randomFloats(24, seed: 64)
        var outputs: [[UInt32]] = []
        for t in 1...3 {
            var y = [Float](repeating: 0, count: x.count), dx = y, dg = [Float](repeating: 0, count: 24), db = dg
            var rm = [Float](repeating: 0, count: 24), rv = [Float](repeating: 1, count: 24)
            let saved = bn.forwardTraining(x: x, gamma: gamma, beta: beta, y: &y, runningMean: &rm, runningVariance: &rv, workers: Workers(t))
            bn.backward(x: x, dy: dy, gamma: gamma, saved: saved, dx: &dx, dGamma: &dg, dBeta: &db, workers: Workers(t))
            outputs.append(bits(y) + bits(dx) + bits(dg) + bits(db) + bits(rm) + bits(rv))
        }
        #expect(outputs[0] == outputs[1] && outputs[0] == outputs[2])
    }

    /// The fused forms used by training — BN+ReLU in one pass, ReLU's mask folded into BN's backward — give the same
    /// bits as the separate passes (BN, then ReLU.forward; ReLU.backward, then BN backward), with 1 and 2 workers.
    @Test(arguments: [1, 2])
    func fusedReLUMatchesSeparatePasses(workers t: Int) {
        let (rows, channels) = (1500, 24)
        let bn = BatchNorm(rows: rows, channels: channels)
        let x = randomFloats(rows * channels, seed: 71), dOut = randomFloats(rows * channels, seed: 72)
        let gamma = randomFloats(channels, seed: 73), beta = randomFloats(channels, seed: 74)
        var rm = [Float](repeating: 0, count: channels), rv = [Float](repeating: 1, count: channels), rm2 = rm, rv2 = rv
        var separate = [Float](repeating: 0, count: x.count), fused = separate
        let saved = bn.forwardTraining(x: x, gamma: gamma, beta: beta, y: &separate, runningMean: &rm, runningVariance: &rv, workers: Workers(t))
        separate.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, $0.baseAddress!, count: $0.count) }
        _ = bn.forwardTraining(x: x, gamma: gamma, beta: beta, y: &fused, runningMean: &rm2, runningVariance: &rv2, relu: true, workers: Workers(t))
        #expect(bits(fused) == bits(separate))
        #expect(separate.contains(0) && separate.contains { $0 > 0 }, "the mask must cut somewhere")

        var masked = [Float](repeating: 0, count: x.count)
        ReLU.backward(y: separate, dy: dOut, dx: &masked, count: masked.count)
        var dx1 = masked, dg1 = gamma, db1 = gamma, dx2 = masked, dg2 = gamma, db2 = gamma
        bn.backward(x: x, dy: masked, gamma: gamma, saved: saved, dx: &dx1, dGamma: &dg1, dBeta: &db1, workers: Workers(t))
        separate.withUnsafeBufferPointer { y in
            bn.backward(x: x, dy: dOut, gamma: gamma, saved: saved, dx: &dx2, dGamma: &dg2, dBeta: &db2, reluOutput: y.baseAddress!, workers: Workers(t))
        }
        #expect(bits(dx2) == bits(dx1) && bits(dg2) == bits(dg1) && bits(db2) == bits(db1))
    }

    /// Hand derivation: x = [1, 3] in one channel: μ = 2, σ² = 1, x̂ = [−1, 1]/√(1+ε); running stats after one step
    /// from (0, 1) with momentum 0.1: mean 0.2, variance 0.9 + 0.1·2 (unbiased σ² = 2) = 1.1.
    @Test func twoValuesByHand() {
        let bn = BatchNorm(rows: 2, channels: 1)
        var y: [Float] = [0, 0], rm: [Float] = [0], rv: [Float] = [1]
        _ = bn.forwardTraining(x: [1, 3], gamma: [1], beta: [0], y: &y, runningMean: &rm, runningVariance: &rv)
        let expected = Float(1 / (1 + 1e-5).squareRoot())
        #expect(y == [-expected, expected])
        #expect(rm == [0.2])
        #expect(abs(rv[0] - 1.1) <= 1e-7)
    }
}

@Suite struct LayerTests {
    /// Expected values from scripts/golden/cross_entropy.py (numpy, float64).
    @Test(arguments: [(Float(0), 1.3487013133673411, [-0.30332314227653984, 0.08157615701826586, 0.22174698525827388, 0.1665059099377383, 0.03715249035006758, -0.2036584002878059, 0.0004126139788785921, 0.1664603596772273, -0.166872973656106]),
                      (Float(0.1), 1.3931457578117854, [-0.28110092005431764, 0.07046504590715476, 0.21063587414716278, 0.15539479882662718, 0.02604137923895647, -0.18143617806558368, -0.010698497132232518, 0.1553492485661162, -0.1446507514338838])])
    func crossEntropyMatchesNumpy(smoothing: Float, loss: Double, gradient: [Double]) {
        let z: [Float] = [1, 2, 3, 0.5, -1, 0.25, -2, 4, 4]
        let labels: [Int32] = [0, 2, 2]
        var g = [Float](repeating: 0, count: 9)
        let result = SoftmaxCrossEntropy.forwardBackward(logits: z, labels: labels, batch: 3, classes: 3,
                                                         labelSmoothing: smoothing, gradient: &g)
        #expect(abs(result.loss - loss) <= 1e-6 * loss)  // ε = 0.1 is rounded to Float: relative error ~1e-8
        for (a, b) in zip(g, gradient) { #expect(abs(Double(a) - b) <= 1e-7) }
        // Top-1: sample 0 (label 0, logit 1 < 3) wrong; sample 1 (label 2: 0.25 < 0.5) wrong; sample 2 ties 4 = 4 with
        // class 1 < 2, so the tie counts against label 2: wrong. Top-5 with 3 classes: never wrong.
        #expect(result.top1Wrong == 3)
        #expect(result.top5Wrong == 0)
    }

    /// Hand derivation of two SGD steps, w = 1, grad = 0.5, lr 0.1, μ 0.9, wd 0.01, Nesterov:
    /// step 1: g = 0.51, buf = 0.51, u = 0.51 + 0.9·0.51 = 0.969, w = 1 − 0.0969 = 0.9031;
    /// step 2: g = 0.5 + 0.009031 = 0.509031, buf = 0.459 + 0.509031 = 0.968031, u = 0.509031 + 0.8712279 = 1.3802589,
    ///         w = 0.9031 − 0.13802589 = 0.76507411.
    @Test func sgdTwoStepsByHand() {
        let sgd = SGD(momentum: 0.9, weightDecay: 0.01, nesterov: true)
        var w: [Float] = [1], buf: [Float] = [0]
        sgd.step(weights: &w, gradient: [0.5], buffer: &buf, count: 1, learningRate: 0.1, firstStep: true)
        #expect(abs(w[0] - 0.9031) <= 1e-6)
        sgd.step(weights: &w, gradient: [0.5], buffer: &buf, count: 1, learningRate: 0.1, firstStep: false)
        #expect(abs(w[0] - 0.76507411) <= 1e-6)
        #expect(abs(buf[0] - 0.968031) <= 1e-6)
    }

    /// Hand example: 1 image 4×4, 1 channel, 3×3/2 pad 1 → 2×2; ties go to the first maximum in scan order.
    /// Windows (rows × columns inside the image): (0,0) r0–1 × c0–1 = {1,5,3,5} → 5 at index 1 (tie with index 5);
    /// (0,1) r0–1 × c1–3 → 5 at index 1 (tie with 5); (1,0) r1–3 × c0–1 = {3,5,0,2,1,1} → 5 at index 5;
    /// (1,1) r1–3 × c1–3 → 9 at index 15.
    @Test func maxPoolByHand() {
        let pool = MaxPool(batch: 1, height: 4, width: 4, channels: 1)
        let x: [Float] = [1, 5, 2, 0,
                          3, 5, 1, 1,
                          0, 2, 7, 1,
                          1, 1, 1, 9]
        var y = [Float](repeating: 0, count: 4)
        let argmax = pool.forward(x, &y)
        #expect(y == [5, 5, 5, 9])
        #expect(argmax == [1, 1, 5, 15])
        var dx = [Float](repeating: 1, count: 16)
        pool.backward(dy: [1, 2, 3, 4], argmax: argmax, dx: &dx)
        #expect(dx == [0, 3, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4])
    }

    @Test func globalAveragePoolByHand() {
        let gap = GlobalAveragePool(batch: 1, pixels: 4, channels: 2)
        var y: [Float] = [0, 0]
        gap.forward([1, 10, 2, 20, 3, 30, 6, 40], &y)
        #expect(y == [3, 25])
        var dx = [Float](repeating: 0, count: 8)
        gap.backward(dy: [4, 8], dx: &dx)
        #expect(dx == [1, 2, 1, 2, 1, 2, 1, 2])
    }

    /// Linear against plain Double loops (each value is a short FMA chain in Float: within 1e-5 relative).
    @Test func linearMatchesLoops() {
        let fc = Linear(batch: 5, inFeatures: 7, outFeatures: 3)
        let x = randomFloats(35, seed: 71), w = randomFloats(21, seed: 72), b = randomFloats(3, seed: 73), dy = randomFloats(15, seed: 74)
        var y = [Float](repeating: 0, count: 15), dx = [Float](repeating: 0, count: 35), dw = [Float](repeating: 0, count: 21), db = [Float](repeating: 0, count: 3)
        fc.forward(x: x, w: w, b: b, y: &y)
        fc.backward(x: x, w: w, dy: dy, dx: &dx, dw: &dw, db: &db)
        for n in 0..<5 { for o in 0..<3 {
            let ref = (0..<7).reduce(Double(b[o])) { $0 + Double(x[n * 7 + $1]) * Double(w[o * 7 + $1]) }
            #expect(abs(Double(y[n * 3 + o]) - ref) <= 1e-5)
        } }
        for n in 0..<5 { for i in 0..<7 {
            let ref = (0..<3).reduce(0.0) { $0 + Double(dy[n * 3 + $1]) * Double(w[$1 * 7 + i]) }
            #expect(abs(Double(dx[n * 7 + i]) - ref) <= 1e-5)
        } }
        for o in 0..<3 {
            for i in 0..<7 {
                let ref = (0..<5).reduce(0.0) { $0 + Double(dy[$1 * 3 + o]) * Double(x[$1 * 7 + i]) }
                #expect(abs(Double(dw[o * 7 + i]) - ref) <= 1e-5)
            }
            #expect(abs(Double(db[o]) - (0..<5).reduce(0.0) { $0 + Double(dy[$1 * 3 + o]) }) <= 1e-5)
        }
    }

    @Test func reluKeepsNaNAndZeroesNegatives() {
        var y = [Float](repeating: 1, count: 4)
        ReLU.forward([-1, 0, 2, .nan], &y, count: 4)
        #expect(y[0] == 0 && y[1] == 0 && y[2] == 2 && y[3].isNaN)
        var dx = [Float](repeating: 1, count: 4)
        ReLU.backward(y: y, dy: [5, 6, 7, 8], dx: &dx, count: 4)
        #expect(dx == [0, 0, 7, 0])
    }
}
