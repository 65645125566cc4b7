import Archive
import ArgumentParser
import Foundation

struct BenchArchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive ingest throughput next to SHA-256 of the same bytes, and `ls` latency.",
        discussion: """
        Ingest = hash + write + fsync + rename + read-back comparison of checkpoint-like float32 tensors (16 MiB each).
        The peer is swift-crypto's SHA-256 (BoringSSL, SHA-NI where the CPU has it) over the same bytes in the same run.
        """
    )
    @Option(help: "MiB of float32 data to ingest.") var mebibytes = 1024
    @Option(help: "Synthetic runs for the listing latency (built without fsync: ~5 min for 100,000).") var runs = 100_000
    @Option(help: "Reuse this listing archive if it exists (e.g. from an earlier run with --scratch).") var listingArchive: String?
    @Option(help: "Scratch directory (default: a temporary directory, removed afterwards).") var scratch: String?

    func run() throws {
        try reporting {
            let dir = scratch ?? FileManager.default.temporaryDirectory.appendingPathComponent("reprise-bench-\(UUID().uuidString)").path
            defer { if scratch == nil { try? FileManager.default.removeItem(atPath: dir) } }
            let archive = try Archive.create(at: dir + "/ingest")
            let tensorCount = 4 << 20
            let tensors = max(1, mebibytes / 16)
            var state: UInt32 = 2_463_534_242
            let data: [[Float]] = (0..<tensors).map { _ in
                (0..<tensorCount).map { _ in
                    state ^= state << 13; state ^= state >> 17; state ^= state << 5
                    return Float(Int32(bitPattern: state >> 8) - (1 << 23)) / Float(1 << 26)
                }
            }
            let bytes = Double(tensors * tensorCount * 4)
            var digestSink = 0
            let hashStart = Stopwatch.now()
            for t in data { digestSink &+= t.withUnsafeBytes { ObjectID(of: $0).hex.utf8.first.map(Int.init) ?? 0 } }
            let hashSeconds = Stopwatch.now() - hashStart
            let ingestStart = Stopwatch.now()
            for t in data { _ = try t.withUnsafeBufferPointer { try archive.putTensor($0) } }
            let ingestSeconds = Stopwatch.now() - ingestStart
            // Disk peer: plain write + fsync of the same bytes, one file per tensor (the floor any durable store pays).
            let diskStart = Stopwatch.now()
            for (i, t) in data.enumerated() {
                let path = "\(dir)/disk-\(i)"
                let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                t.withUnsafeBytes { raw in
                    var done = 0
                    while done < raw.count {
                        let n = write(fd, raw.baseAddress! + done, raw.count - done)
                        if n <= 0 { break }
                        done += n
                    }
                }
                fsync(fd); close(fd); unlink(path)
            }
            let diskSeconds = Stopwatch.now() - diskStart
            let mib = bytes / 1_048_576
            print(String(format: "data                 %.0f MiB float32 in %d tensors", mib, tensors))
            print(String(format: "SHA-256 (peer)       %7.0f MiB/s", mib / hashSeconds))
            print(String(format: "write+fsync (disk)   %7.0f MiB/s", mib / diskSeconds))
            print(String(format: "archive ingest       %7.0f MiB/s   %.2f× of hashing (goal ≥ 0.8×), %.2f× of the disk's write+fsync",
                         mib / ingestSeconds, hashSeconds / ingestSeconds, diskSeconds / ingestSeconds))
            if digestSink == -1 { print("") }

            let listingPath = listingArchive ?? dir + "/listing"
            let listing = try Archive.create(at: listingPath)
            let existing = try listing.indexedRuns().entries.count
            if existing < runs {
                Archive.fsyncEnabled = false   // a throwaway archive: speed of building it is not what is measured
                let progress = ProgressLine("synthesizing runs (no fsync)", total: runs)
                for i in existing..<runs {
                    try SyntheticRuns.ingest(into: listing, index: i, tensorBytes: 64)
                    progress.update(i + 1)
                }
                progress.finish()
                Archive.fsyncEnabled = true
            }
            _ = try listing.indexedRuns(rebuild: true)
            let filter = try MetricFilter(parsing: "test_top1_error<12")
            let (digits, completed, top1) = (RunIndexRow.Key("digits"), RunIndexRow.Key("completed"), RunIndexRow.Key("test_top1_error"))
            var matched = 0
            let querySeconds = Stopwatch.best(repeats: 5) {
                let found = (try? Archive.open(at: listingPath).queryRuns { row in
                    row.datasetIs(digits) && row.statusIs(completed) && (row.metric(top1).map(filter.matches) ?? false)
                }.entries) ?? []
                matched = found.count
            }
            let rebuildSeconds = Stopwatch.best(repeats: 1) { _ = try? listing.indexedRuns(rebuild: true) }
            let total = try listing.indexedRuns().entries.count
            print(String(format: "ls query over %d runs  %7.1f ms (dataset = digits, completed, test_top1_error < 12: %d runs; goal < 100 ms)",
                         total, querySeconds * 1000, matched))
            print(String(format: "index rebuild          %7.1f ms (reads every ref, record and manifest; what ls cost before the index)", rebuildSeconds * 1000))
        }
    }
}
