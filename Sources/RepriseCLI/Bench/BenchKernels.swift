import ArgumentParser
import Foundation
import Kernels
import Replay

struct BenchKernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "SGEMM GFLOP/s next to OpenBLAS cblas_sgemm, with 1 and 2 threads.",
        discussion: """
        Every size is measured for Reprise and OpenBLAS in the same run on the same matrices (best of several runs).
        "of peak" is relative to the machine's attainable FMA peak, measured in the same run by a probe of 12 independent
        8-wide FMA chains on every thread (the nominal clock in /proc/cpuinfo ignores turbo, so it is not used).
        """
    )

    @Option(help: "Square sizes to measure.")
    var sizes: [Int] = [256, 512, 1024, 2048]

    @Option(help: "Thread counts to measure, each 1…1024 (results are bit-identical for any count; only the time changes).")
    var threads: [Int] = [1, 2]

    @Flag(help: "Only the AnyNet-bench model throughput (skip the GEMM table).")
    var modelOnly = false

    @Option(help: "Training steps timed per thread count for AnyNet-bench (the fastest step counts, for Reprise and PyTorch alike: this machine is a shared VM whose speed varies by 1.5x from minute to minute).")
    var steps = 5

    @Option(help: ArgumentHelp("A Python with PyTorch (e.g. /tmp/torch-venv/bin/python, see scripts/peers/pytorch_anynet_bench.py): "
                               + "measure the same model there in the same run and print the ratio.", valueName: "python"))
    var pytorch: String?

    func validate() throws {
        for n in threads { try requireInteger(n, "--threads", in: ThreadOptions.allowed, "thread counts to measure") }
        for n in sizes { try requireInteger(n, "--sizes", in: 1...8192, "square GEMM sizes") }
        try requireInteger(steps, "--steps", in: 1...10_000)
    }

    func run() throws {
        if !modelOnly { try gemmTable() }
        let ours = modelThroughput()
        if let python = pytorch { try pytorchPeer(python: python, ours: ours) }
    }

    /// Runs the PyTorch peer script (same model, batch, thread counts, steps) and prints Reprise ÷ PyTorch.
    func pytorchPeer(python: String, ours: [Int: (train: Double, infer: Double)]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["scripts/peers/pytorch_anynet_bench.py", "--threads"] + threads.map(String.init) + ["--steps", String(steps)]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw CommandLineError(message: "cannot run \(python): \(error.localizedDescription)") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CommandLineError(message: "the PyTorch peer failed (exit \(process.terminationStatus)); is torch installed in \(python)?") }
        print("")
        print("PyTorch peer (\(output.split(separator: "\n").first ?? "")), same model, batch, threads and steps, measured now:")
        print("threads   PyTorch train img/s   Reprise ÷ PyTorch   PyTorch infer img/s   Reprise ÷ PyTorch")
        for line in output.split(separator: "\n") {
            let f = line.split(separator: " ").compactMap { Double($0) }
            guard f.count == 3, let mine = ours[Int(f[0])] else { continue }
            print(String(format: "%7d %21.1f %18.2f× %21.1f %18.2f×", Int(f[0]), f[1], mine.train / f[1], f[2], mine.infer / f[2]))
        }
    }

    /// AnyNet-bench (batch 128, 32×32×3, 10 classes): training-step and inference images/s, multiply-adds, GFLOP/s.
    @discardableResult
    func modelThroughput() -> [Int: (train: Double, infer: Double)] {
        let spec = AnyNetSpec.anyNetBench()
        let cx = spec.complexity(inputSize: 32)
        let batch = 128
        let images = (0..<(batch * 32 * 32 * 3)).map { Float(($0 * 7919) % 255) / 255 - 0.5 }
        let labels = (0..<batch).map { Int32($0 % 10) }
        print("")
        print("AnyNet-bench: \(cx.flops) multiply-adds per image forward (pycls count), \(cx.params) parameters, batch \(batch) of 32×32×3")
        print("A training step costs ≈ 3× the forward multiply-adds (forward, backward-data, backward-weights).")
        print("threads   train img/s   train GFLOP/s   infer img/s   infer GFLOP/s")
        var rates: [Int: (train: Double, infer: Double)] = [:]
        for t in threads {
            let model = AnyNetModel(spec: spec, inputSize: 32, seed: 0)
            let workers = Workers(t)
            let sgd = SGD()
            model.trainingStep(images: images, labels: labels, learningRate: 0.01, sgd: sgd, firstStep: true, workers: workers)
            let train = Stopwatch.best(repeats: steps) {
                model.trainingStep(images: images, labels: labels, learningRate: 0.01, sgd: sgd, firstStep: false, workers: workers)
            }
            let infer = Stopwatch.best(repeats: steps) { _ = model.predict(images: images, batch: batch, workers: workers) }
            let trainRate = Double(batch) / train, inferRate = Double(batch) / infer
            print(String(format: "%7d %13.1f %15.2f %13.1f %15.2f", t, trainRate, trainRate * 3 * 2 * Double(cx.flops) / 1e9,
                         inferRate, inferRate * 2 * Double(cx.flops) / 1e9))
            rates[t] = (trainRate, inferRate)
        }
        return rates
    }

    func gemmTable() throws {
        let openBLAS = try OpenBLASPeer()
        print("SGEMM  C = A·B, single precision; micro-kernel: \(Gemm.usesAVX2 ? "AVX2/FMA 6×16" : "portable fmaf")")
        var peaks: [Int: Double] = [:]
        for t in threads {
            peaks[t] = PeakProbe.gflops(workers: t)
            print(String(format: "measured FMA peak with %d thread(s): %.1f GFLOP/s", t, peaks[t]!))
        }
        var shapes: [(String, Int, Int, Int)] = sizes.map { ("square \($0)", $0, $0, $0) }
        shapes += AnyNetBenchShapes.gemms
        print("")
        print("shape                              threads   Reprise GF/s  OpenBLAS GF/s   ratio   of peak")
        for t in threads {
            openBLAS.setThreadCount(t)
            let peak = peaks[t] ?? .nan
            for (name, m, n, k) in shapes {
                let a = (0..<(m * k)).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
                let b = (0..<(k * n)).map { Float(($0 * 104_729) % 1000) / 1000 - 0.5 }
                var c = [Float](repeating: 0, count: m * n)
                let flops = 2.0 * Double(m) * Double(n) * Double(k)
                let ours = a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        Stopwatch.best(repeats: 3) {
                            Gemm.multiply(m: m, n: n, k: k, a: StridedMatrix(rowMajor: ap.baseAddress!, ld: k),
                                          b: StridedMatrix(rowMajor: bp.baseAddress!, ld: n),
                                          c: &c, ldc: n, accumulate: false, workers: Workers(t))
                        }
                    }
                }
                let blas = Stopwatch.best(repeats: 3) {
                    openBLAS.multiply(m: m, n: n, k: k, a: a, b: b, c: &c)
                }
                let g1 = flops / ours / 1e9, g2 = flops / blas / 1e9
                print(String(format: "%-34@ %7d %14.1f %14.1f %7.2f× %8.0f%%", name as NSString, t, g1, g2, g1 / g2, 100 * g1 / peak))
            }
        }
    }
}

/// The GEMMs of one AnyNet-bench training step (NHWC, batch 128, 32×32 input): forward convolutions as
/// (rows = N·H·W) × (out channels) × (k·k·in channels per group). Listed: the stem and the largest per stage.
enum AnyNetBenchShapes {
    static let gemms: [(String, Int, Int, Int)] = [
        ("stem 3x3 3->24 @32", 128 * 32 * 32, 24, 27),
        ("s1 1x1 24->24 @32", 128 * 32 * 32, 24, 24),
        ("s2 1x1 48->48 @16", 128 * 16 * 16, 48, 48),
        ("s3 1x1 96->96 @8", 128 * 8 * 8, 96, 96),
        ("s4 1x1 192->192 @4", 128 * 4 * 4, 192, 192),
        ("s4 wgrad 1x1 192x192, K=N*H*W", 192, 192, 128 * 4 * 4),
    ]
}
