import Foundation

/// Wall-clock timing for benchmarks: the best of `repeats` runs after one warm-up (the minimum is the least noisy
/// estimate of the cost on a shared machine).
enum Stopwatch {
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func best(repeats: Int, minimumSeconds: Double = 0.2, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        var total = 0.0
        var runs = 0
        while runs < repeats || total < minimumSeconds {
            let start = now()
            body()
            let elapsed = now() - start
            best = min(best, elapsed)
            total += elapsed
            runs += 1
            if runs >= 50 { break }
        }
        return best
    }
}
