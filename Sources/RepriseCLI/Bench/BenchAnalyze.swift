import Analyze
import ArgumentParser
import Foundation

struct BenchAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Time the statistics against scipy doing the same work in the same run.",
        discussion: """
        Work: (1) the all-pairs Spearman ρ and Kendall τ-b (with p-values) between the top-1 columns of the eight
        timm tables in fixtures/timm-results (28 pairs, each over the rows both tables have, ~1,550); (2) a 95%
        percentile bootstrap of Spearman ρ (ImageNet vs ImageNet-R) with 10,000 paired resamples. Both use --threads
        (default 2; scipy runs on one, so --threads 1 gives the single-core ratio). Reprise's times are
        the best of --repeats runs after a warm-up; scripts/peers/analyze_peer.py times scipy the same way
        (scipy.stats.spearmanr, kendalltau, bootstrap). Without python3/scipy only Reprise's times are printed.
        """)

    @Option(help: "Folder of the timm result tables.") var fixtures = "fixtures/timm-results"
    @Option(help: "Bootstrap resamples.") var resamples = 10_000
    @Option(help: "Timed repeats (best is reported).") var repeats = 3
    @OptionGroup var threadOptions: ThreadOptions
    var threads: Int { threadOptions.threads }

    func validate() throws {
        try requireInteger(resamples, "--resamples", in: 1...10_000_000)
        try requireInteger(repeats, "--repeats", in: 1...1000)
    }

    func run() throws {
        try reporting {
            let names = try FileManager.default.contentsOfDirectory(atPath: fixtures).filter { $0.hasPrefix("results-") && $0.hasSuffix(".csv") }.sorted()
            guard names.count >= 2 else { throw CommandLineError(message: "\(fixtures): fewer than two results-*.csv tables") }
            let tables = try names.map { try CSVTable(path: "\(fixtures)/\($0)").values("top1", keyedBy: ["model", "img_size"]).values }
            var all: AllPairsCorrelations?
            let matrix = Stopwatch.best(repeats: repeats) { all = AllPairsCorrelations(columns: tables, threads: threads) }
            let pairs = all!.entries
            guard let a = names.firstIndex(of: "results-imagenet.csv"), let r = names.firstIndex(of: "results-imagenet-r.csv") else {
                throw CommandLineError(message: "\(fixtures): results-imagenet.csv and results-imagenet-r.csv are needed for the bootstrap")
            }
            let paired = PairedColumns(tables[a], tables[r])
            var interval: BootstrapInterval?
            let boot = Stopwatch.best(repeats: 1, minimumSeconds: 0) {
                interval = try? bootstrapSpearmanInterval(paired.x, paired.y, resamples: resamples, seed: 0, threads: threads)
            }
            var peer: [String: Any]?
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "scripts/peers/analyze_peer.py", fixtures, "--resamples", String(resamples), "--repeats", String(repeats)]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            if (try? process.run()) != nil {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                if process.terminationStatus == 0 { peer = try? JSONSerialization.jsonObject(with: data) as? [String: Any] }
            }
            func ratio(_ key: String, _ mine: Double) -> String {
                guard let theirs = peer?[key] as? Double else { return "scipy: not available" }
                return String(format: "scipy %.3f s → %.0f× faster", theirs, theirs / mine)
            }
            print("all-pairs Spearman + Kendall τ-b, \(pairs.count) pairs of ~\(pairs.map(\.n).max() ?? 0) rows, \(threads) thread(s): " +
                  String(format: "%.4f s; ", matrix) + ratio("matrix_seconds", matrix))
            print("bootstrap of Spearman ρ, \(resamples) resamples, n = \(paired.x.count), \(threads) thread(s): " +
                  String(format: "%.3f s; ", boot) + ratio("bootstrap_seconds", boot))
            if let interval { print(String(format: "  ρ = %.4f, 95%% CI [%.4f, %.4f]", interval.estimate, interval.lower, interval.upper)) }
            if let v = peer?["versions"] as? String { print("peer: \(v)") }
        }
    }
}
