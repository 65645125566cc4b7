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
    @Option(help: "Synthetic runs for the listing latency.") var runs = 2000
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

            let listing = try Archive.create(at: dir + "/listing")
            let progress = ProgressLine("synthesizing runs", total: runs)
            for i in 0..<runs {
                try SyntheticRuns.ingest(into: listing, index: i, tensorBytes: 64)
                progress.update(i + 1)
            }
            progress.finish()
            let lsSeconds = Stopwatch.best(repeats: 3) { _ = try? TidyExport.rows(of: listing) }
            print(String(format: "ls over %d runs      %7.1f ms (reads every ref, record and manifest; no index yet)", runs, lsSeconds * 1000))
        }
    }
}
