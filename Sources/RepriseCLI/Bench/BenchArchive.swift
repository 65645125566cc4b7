import Archive
import SyntheticArchive
import ArgumentParser
import Foundation

struct BenchArchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Archive ingest throughput next to SHA-256 of the same bytes, and `ls` latency.",
        discussion: """
        Ingest = hash + write + fsync + rename + read-back comparison of checkpoint-like float32 tensors (16 MiB each).
        The peer is swift-crypto's SHA-256 (BoringSSL, SHA-NI where the CPU has it) over the same bytes in the same run;
        the device peers write (and read back) the same bytes without any archive logic, so the ingest can be placed
        between what hashing and what the disk allow.
        """
    )
    @Option(help: "MiB of float32 data to ingest.") var mebibytes = 1024
    @Option(help: "Synthetic runs for the listing latency (built without fsync: ~5 min for 100,000).") var runs = 100_000
    @Option(help: "Reuse this listing archive if it exists (e.g. from an earlier run with --scratch).") var listingArchive: String?
    @Option(help: "Scratch directory (default: a temporary directory, removed afterwards).") var scratch: String?

    func validate() throws {
        try requireInteger(mebibytes, "--mebibytes", in: 1...1_048_576)
        try requireInteger(runs, "--runs", in: 1...10_000_000)
    }

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
            // Device peers on the same bytes, one file per tensor, files kept until the peer ends (as an archive keeps
            // them): the floor any durable store pays, without and with reading every byte back from the device.
            let bufferedSeconds = try devicePeer(data, directory: dir, direct: false, readBack: false) ?? .nan
            let directSeconds = try devicePeer(data, directory: dir, direct: true, readBack: false)
            let directReadSeconds = try devicePeer(data, directory: dir, direct: true, readBack: true)
            let mib = bytes / 1_048_576
            print(String(format: "data                 %.0f MiB float32 in %d tensors", mib, tensors))
            print(String(format: "SHA-256 (peer)                                 %7.0f MiB/s", mib / hashSeconds))
            print(String(format: "device: write+fsync, buffered                  %7.0f MiB/s", mib / bufferedSeconds))
            if let directSeconds, let directReadSeconds {
                print(String(format: "device: write+fsync, O_DIRECT                  %7.0f MiB/s", mib / directSeconds))
                print(String(format: "device: write+fsync+read back, O_DIRECT        %7.0f MiB/s   (what ingest does besides hashing)", mib / directReadSeconds))
            }
            print(String(format: "archive ingest                                 %7.0f MiB/s   %.2f× of hashing (goal ≥ 0.8×)",
                         mib / ingestSeconds, hashSeconds / ingestSeconds))
            if let directReadSeconds {
                print(String(format: "                                                               %.2f× of the device's write+fsync+read back", directReadSeconds / ingestSeconds))
            }
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

    /// Seconds to write every tensor to its own file and fsync it (optionally with `O_DIRECT` from a 4 KiB-aligned
    /// staging buffer, optionally reading each file back with `O_DIRECT` and comparing); nil when `O_DIRECT` is
    /// unavailable. Files are removed after the clock stops.
    func devicePeer(_ data: [[Float]], directory: String, direct: Bool, readBack: Bool) throws -> Double? {
        var flags = O_WRONLY | O_CREAT | O_TRUNC
        if direct {
            guard let flag = DirectObjectWrite.directFlag else { return nil }
            flags |= flag
        }
        let staging = AlignedBuffers.take(), back = AlignedBuffers.take()
        defer { AlignedBuffers.give(staging); AlignedBuffers.give(back) }
        var paths: [String] = []
        defer { for path in paths { unlink(path) } }
        let start = Stopwatch.now()
        for (i, tensor) in data.enumerated() {
            let path = "\(directory)/peer-\(i)"
            paths.append(path)
            let fd = open(path, flags, 0o644)
            guard fd >= 0 else { throw ValidationError("cannot create \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            try tensor.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = min(staging.count, raw.count - offset)
                    let source: UnsafeRawPointer
                    if direct { memcpy(staging.baseAddress!, raw.baseAddress! + offset, n); source = UnsafeRawPointer(staging.baseAddress!) }
                    else { source = raw.baseAddress! + offset }
                    guard pwrite(fd, source, n, off_t(offset)) == n else {
                        throw ValidationError("write to \(path) failed: \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
            fsync(fd)
            if readBack, let flag = DirectObjectWrite.directFlag {
                let readFD = open(path, O_RDONLY | flag)
                defer { close(readFD) }
                try tensor.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = min(back.count, raw.count - offset)
                        guard pread(readFD, back.baseAddress!, n, off_t(offset)) == n,
                              memcmp(back.baseAddress!, raw.baseAddress! + offset, n) == 0 else {
                            throw ValidationError("read-back of \(path) differs")
                        }
                        offset += n
                    }
                }
            }
        }
        return Stopwatch.now() - start
    }
}
