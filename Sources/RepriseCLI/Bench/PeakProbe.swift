import CKernels
import Kernels

/// The attainable single-precision FMA rate of this machine, measured: every worker runs independent FMA chains.
enum PeakProbe {
    static func gflops(workers: Int) -> Double {
        let iterations: Int64 = 20_000_000
        var sink: Float = 0
        let seconds = Stopwatch.best(repeats: 3) {
            Workers(workers).forEach(workers) { _, _ in sink += reprise_fma_peak_probe(iterations) }
        }
        if sink.isNaN { print("") }
        return Double(iterations) * 192 * Double(workers) / seconds / 1e9
    }
}
