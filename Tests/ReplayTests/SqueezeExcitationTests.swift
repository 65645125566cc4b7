import Archive
import Foundation
import Kernels
@testable import Replay
import Testing
import TestSupport

/// Squeeze-excitation (RegNetY): the kernel against autodiff, the counts against torchvision's published RegNetY-400MF
/// and a hand derivation, and training with SE against the determinism and replay rules every run obeys.
@Suite(.serialized) struct SqueezeExcitationTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            var name: String
            var batch: Int, height: Int, width: Int, channels: Int, squeezed: Int
            var x: [Double], w1: [Double], b1: [Double], w2: [Double], b2: [Double], dy: [Double]
            var y: [Double], dx: [Double], dw1: [Double], db1: [Double], dw2: [Double], db2: [Double]
        }
        var cases: [Case]
    }

    static let golden = try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("golden/squeeze_excitation.json")))

    /// Forward output and all five gradients against scripts/golden/squeeze_excitation.py (float64 autodiff of pycls's
    /// SE on the same float32 inputs): relative error ≤ 2e-5 of each tensor's largest magnitude; 1 and 2 workers give
    /// the same bits.
    @Test(arguments: golden.cases.map(\.name)) func kernelMatchesAutodiff(name: String) {
        let c = Self.golden.cases.first { $0.name == name }!
        let f = { (v: [Double]) in v.map(Float.init) }
        let (x, w1, b1, w2, b2, dy) = (f(c.x), f(c.w1), f(c.b1), f(c.w2), f(c.b2), f(c.dy))
        let se = SqueezeExcitation(batch: c.batch, pixels: c.height * c.width, channels: c.channels, squeezed: c.squeezed)
        func run(_ workers: Workers) -> [[Float]] {
            var y = [Float](repeating: 0, count: x.count), dx = y
            var dw1 = [Float](repeating: 0, count: w1.count), db1 = [Float](repeating: 0, count: b1.count)
            var dw2 = [Float](repeating: 0, count: w2.count), db2 = [Float](repeating: 0, count: b2.count)
            let saved = se.forward(x: x, w1: w1, b1: b1, w2: w2, b2: b2, y: &y, workers: workers)
            se.backward(x: x, dy: dy, w1: w1, w2: w2, saved: saved, dx: &dx, dw1: &dw1, db1: &db1, dw2: &dw2, db2: &db2, workers: workers)
            return [y, dx, dw1, db1, dw2, db2]
        }
        let one = run(Workers(1)), two = run(Workers(2))
        #expect(one == two)
        for (label, (got, want)) in zip(["y", "dx", "dW1", "db1", "dW2", "db2"], zip(one, [c.y, c.dx, c.dw1, c.db1, c.dw2, c.db2])) {
            let scale = max(want.map(abs).max()!, 1e-12)
            let worst = zip(got, want).map { abs(Double($0) - $1) / scale }.max()!
            #expect(worst <= 2e-5, "\(name) \(label): relative error \(worst)")
        }
    }

    /// RegNetY-400MF (depths 1, 3, 6, 6; widths 48, 104, 208, 440; group width 8; b = 1; se_r 0.25; simple stem 32; 1000
    /// classes; the stage layout scripts/golden/regnety_stages.py derives from w0 48, wa 27.89, wm 2.09, depth 16):
    /// torchvision publishes num_params 4,344,144 and 0.40 GFLOPS at 224 px (docs of torchvision.models.regnet_y_400mf).
    @Test func regNetY400MFMatchesTorchvisionsPublishedCount() {
        let spec = AnyNetSpec(stem: .simpleStemIn, stemWidth: 32, block: .resBottleneck, stages: [
            .init(depth: 1, width: 48, stride: 2, groupWidth: 8), .init(depth: 3, width: 104, stride: 2, groupWidth: 8),
            .init(depth: 6, width: 208, stride: 2, groupWidth: 8), .init(depth: 6, width: 440, stride: 2, groupWidth: 8),
        ], inputChannels: 3, classes: 1000, seRatio: 0.25)
        let cx = spec.complexity(inputSize: 224)
        #expect(cx.params == 4_344_144)
        #expect(abs(Double(cx.flops) / 1e9 - 0.40) < 0.005, "\(cx.flops) multiply-adds")
        let model = AnyNetModel(spec: spec, inputSize: 224, seed: 0)
        #expect(model.parameters.trainableElementCount == 4_344_144)
        #expect(model.parameters.position(of: "s4.b6.f.se.f_ex.2.bias") != nil)
    }

    /// One bottleneck block, w_in 8 (the stem), w = w_b = 16, se_r 0.25 → w_se = round(8 · 0.25) = 2. By hand, SE adds
    /// 16·2 + 2 (first 1×1 conv with bias) + 2·16 + 16 (second) = 82 multiply-adds and 82 parameters, and 2 + 16 acts.
    /// se_r 0.0625 → w_se = round(0.5) = 0 (half to even, as Python): no module at all.
    @Test func handDerivedCounts() {
        func spec(_ r: Double?) -> AnyNetSpec {
            AnyNetSpec(stem: .resStemCifar, stemWidth: 8, block: .resBottleneck,
                       stages: [.init(depth: 1, width: 16, stride: 1, groupWidth: 8)], inputChannels: 1, classes: 10, seRatio: r)
        }
        let plain = spec(nil).complexity(inputSize: 8), se = spec(0.25).complexity(inputSize: 8)
        #expect(se.flops - plain.flops == 82 && se.params - plain.params == 82 && se.acts - plain.acts == 18)
        #expect(spec(0.0625).complexity(inputSize: 8) == plain)
        #expect(spec(0.0625).layers(inputSize: 8) == spec(nil).layers(inputSize: 8))
        #expect(spec(0.25).layers(inputSize: 8).contains(.squeezeExcitation(name: "s1.b1.f.se", channels: 16, squeezed: 2, inHeight: 8, inWidth: 8)))
    }

    /// SE is refused where pycls would ignore it (non-bottleneck blocks) and out of range; specs without it keep their
    /// JSON (so their manifests and run IDs).
    @Test func problemsAndUnchangedManifests() throws {
        var basic = smallDigitsRun().architecture
        basic.block = .resBasic
        basic.seRatio = 0.25
        #expect(!basic.problems.isEmpty)
        var bad = smallDigitsRun()
        bad.architecture.seRatio = 2
        #expect(!bad.architecture.problems.isEmpty)
        let a = try TemporaryArchive()
        #expect(throws: ReplayError.self) { _ = try Trainer(spec: bad, workers: .serial).run(in: a.archive) }
        let json = String(decoding: try JSONEncoder().encode(smallDigitsRun().architecture), as: UTF8.self)
        #expect(!json.contains("seRatio"))
    }

    /// Two epochs of a small SE AnyNet on digits: same bits with 1 and 2 workers, learning happens, replay is bitwise.
    @Test func trainsDeterministicallyAndReplays() throws {
        var spec = smallDigitsRun()
        spec.architecture.seRatio = 0.25
        let a = try TemporaryArchive(), b = try TemporaryArchive()
        let one = try Trainer(spec: spec, workers: Workers(1)).run(in: a.archive)
        let two = try Trainer(spec: spec, workers: Workers(2)).run(in: b.archive)
        #expect(one.record.deterministicPart == two.record.deterministicPart)
        #expect(one.run != (try Trainer(spec: smallDigitsRun(), workers: .serial).run(in: a.archive)).run)
        let log = try a.archive.getJSON(EvalLog.self, #require(one.record.evalLog))
        #expect(log.epochs.last!.testTop1Error < 30, "test error \(log.epochs.last!.testTop1Error)%")
        let replay = try Replayer(archive: a.archive, workers: Workers(2)).replay(one.run)
        #expect(replay.isBitwiseIdentical)
    }
}
