import Kernels
import Testing
import TestSupport

/// Enumerated geometries: odd sizes, strides, padding, 1×1 (pointwise fast path), grouped and depthwise.
let convShapes: [Conv2D] = [
    Conv2D(batch: 1, height: 1, width: 1, inChannels: 1, outChannels: 1, kernel: 1),
    Conv2D(batch: 2, height: 5, width: 7, inChannels: 3, outChannels: 4, kernel: 3),
    Conv2D(batch: 2, height: 6, width: 5, inChannels: 4, outChannels: 6, kernel: 3, stride: 2),
    Conv2D(batch: 3, height: 4, width: 4, inChannels: 6, outChannels: 9, kernel: 1),
    Conv2D(batch: 2, height: 5, width: 5, inChannels: 8, outChannels: 8, kernel: 1, stride: 2, padding: 0),
    Conv2D(batch: 2, height: 7, width: 6, inChannels: 8, outChannels: 16, kernel: 3, stride: 2, groups: 4),
    Conv2D(batch: 2, height: 5, width: 5, inChannels: 6, outChannels: 6, kernel: 3, groups: 6),          // depthwise
    Conv2D(batch: 1, height: 9, width: 8, inChannels: 3, outChannels: 5, kernel: 5, stride: 3, padding: 1),
    Conv2D(batch: 1, height: 3, width: 3, inChannels: 2, outChannels: 4, kernel: 3, padding: 0),
    Conv2D(batch: 4, height: 8, width: 8, inChannels: 24, outChannels: 48, kernel: 3, stride: 2, groups: 3),
    // Group width 8 in and out (register-accumulator backward-weights), rows wide enough for the 8- and 4-pixel forward
    // blocks with edge pixels on both sides; stride 2; a 5×5 kernel; an image narrower than the kernel.
    Conv2D(batch: 2, height: 11, width: 21, inChannels: 16, outChannels: 16, kernel: 3, groups: 2),
    Conv2D(batch: 2, height: 9, width: 19, inChannels: 24, outChannels: 24, kernel: 3, stride: 2, groups: 3),
    Conv2D(batch: 1, height: 6, width: 14, inChannels: 16, outChannels: 32, kernel: 5, stride: 1, padding: 2, groups: 2),
    Conv2D(batch: 1, height: 3, width: 2, inChannels: 16, outChannels: 16, kernel: 5, stride: 1, padding: 2, groups: 2),
    // An RGB stem (ungrouped, 3 input channels, 16 outputs): direct forward, GEMM backward.
    Conv2D(batch: 2, height: 9, width: 13, inChannels: 3, outChannels: 16, kernel: 3),
]

@Suite struct Conv2DTests {
    /// Fast forward, backward-data and backward-weights are bitwise equal to the direct-loop references (same chains).
    @Test(arguments: convShapes.indices)
    func fastEqualsReferenceBitwise(index: Int) {
        let conv = convShapes[index]
        let x = randomFloats(conv.inputCount, seed: 11), w = randomFloats(conv.weightCount, seed: 12)
        let dy = randomFloats(conv.outputCount, seed: 13)
        var y = [Float](repeating: .nan, count: conv.outputCount)
        var dx = [Float](repeating: .nan, count: conv.inputCount)
        var dw = [Float](repeating: .nan, count: conv.weightCount)
        conv.forward(x: x, w: w, y: &y, workers: Workers(2))
        conv.backwardData(dy: dy, w: w, dx: &dx, workers: Workers(2))
        conv.backwardWeights(x: x, dy: dy, dw: &dw, workers: Workers(2))
        #expect(bits(y) == bits(conv.referenceForward(x: x, w: w)), "forward \(conv)")
        #expect(bits(dx) == bits(conv.referenceBackwardData(dy: dy, w: w)), "backward-data \(conv)")
        #expect(bits(dw) == bits(conv.referenceBackwardWeights(x: x, dy: dy)), "backward-weights \(conv)")
    }

    /// The references' gradients agree with central finite differences of L = Σ y·r, all in Double.
    /// Bound: |analytic − numeric| ≤ 1e-6·(1 + |analytic|); L is bilinear in (x, w), so the central difference is exact up
    /// to rounding (~1e-10 here), far inside the bound.
    @Test(arguments: [1, 5, 6, 7])
    func gradientsMatchFiniteDifferences(index: Int) {
        let conv = convShapes[index]
        let x = randomFloats(conv.inputCount, seed: 21).map(Double.init)
        let w = randomFloats(conv.weightCount, seed: 22).map(Double.init)
        let r = randomFloats(conv.outputCount, seed: 23).map(Double.init)
        func loss(_ x: [Double], _ w: [Double]) -> Double {
            zip(conv.referenceForward(x: x, w: w), r).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let dx = conv.referenceBackwardData(dy: r, w: w), dw = conv.referenceBackwardWeights(x: x, dy: r)
        let h = 1e-4
        for i in stride(from: 0, to: x.count, by: max(1, x.count / 17)) {
            var xp = x, xm = x
            xp[i] += h; xm[i] -= h
            let numeric = (loss(xp, w) - loss(xm, w)) / (2 * h)
            #expect(abs(numeric - dx[i]) <= 1e-6 * (1 + abs(dx[i])), "dx[\(i)]")
        }
        for i in stride(from: 0, to: w.count, by: max(1, w.count / 17)) {
            var wp = w, wm = w
            wp[i] += h; wm[i] -= h
            let numeric = (loss(x, wp) - loss(x, wm)) / (2 * h)
            #expect(abs(numeric - dw[i]) <= 1e-6 * (1 + abs(dw[i])), "dw[\(i)]")
        }
    }

    /// Hand derivation: a 3×3 all-ones kernel on a 3×3 all-ones image with padding 1 counts the in-image neighbours.
    @Test func onesKernelCountsNeighbours() {
        let conv = Conv2D(batch: 1, height: 3, width: 3, inChannels: 1, outChannels: 1, kernel: 3)
        var y = [Float](repeating: 0, count: 9)
        conv.forward(x: [Float](repeating: 1, count: 9), w: [Float](repeating: 1, count: 9), y: &y)
        #expect(y == [4, 6, 4, 6, 9, 6, 4, 6, 4])
    }

    @Test func threadCountDoesNotChangeBits() {
        let conv = Conv2D(batch: 8, height: 16, width: 16, inChannels: 16, outChannels: 32, kernel: 3, stride: 2, groups: 2)
        let x = randomFloats(conv.inputCount, seed: 31), w = randomFloats(conv.weightCount, seed: 32)
        let dy = randomFloats(conv.outputCount, seed: 33)
        var results: [[UInt32]] = []
        for t in 1...3 {
            var y = [Float](repeating: 0, count: conv.outputCount), dx = [Float](repeating: 0, count: conv.inputCount)
            var dw = [Float](repeating: 0, count: conv.weightCount)
            conv.forward(x: x, w: w, y: &y, workers: Workers(t))
            conv.backwardData(dy: dy, w: w, dx: &dx, workers: Workers(t))
            conv.backwardWeights(x: x, dy: dy, dw: &dw, workers: Workers(t))
            results.append(bits(y) + bits(dx) + bits(dw))
        }
        #expect(results[0] == results[1] && results[0] == results[2])
    }
}
