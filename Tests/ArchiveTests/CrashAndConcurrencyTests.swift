import Archive
import SyntheticArchive
import Foundation
import Testing
import TestSupport

/// These tests run the real `reprise` binary in child processes.
@Suite(.serialized) struct CrashAndConcurrencyTests {
    /// SIGKILL in the middle of an ingest: the archive passes fsck and holds every run the process reported committed.
    /// Tensors of 1.5 MiB take the O_DIRECT path (`DirectObjectWrite`), whose last piece is padded then truncated.
    @Test func killedIngestLosesNothingCommitted() throws {
        let t = try TemporaryArchive()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: builtProduct("reprise"))
        process.arguments = ["synthesize", "--archive", t.path, "--runs", "100000", "--tensor-bytes", "1572864"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var output = Data()
        // Read until at least 30 runs are reported, then kill at an arbitrary point of the next ingest.
        while String(decoding: output, as: UTF8.self).components(separatedBy: "committed ").count <= 30 {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output.append(chunk)
        }
        // A fixed pause of 0–20 ms past the 30th report (seeded, so a failure can be rerun); where the kill lands
        // still varies with the machine's timing.
        var pause = SplitMix64(seed: 30)
        usleep(UInt32(pause.next(below: 20_001)))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        // Only lines that were complete before the kill count as reported.
        let reported = String(decoding: output, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("committed ") && $0.count == 74 }
            .compactMap { ObjectID(hex: String($0.dropFirst(10))) }
        #expect(reported.count >= 30)
        let archive = try Archive.open(at: t.path)
        let present = Set(try archive.runIDs())
        for run in reported { #expect(present.contains(run)) }
        let report = archive.fsck()
        #expect(report.isClean, "\(report.problems)")
    }

    /// Two processes write 200 runs each into one archive at the same time (overlapping on 50 runs): none is lost.
    @Test func twoConcurrentWritersLoseNothing() throws {
        let t = try TemporaryArchive()
        var processes: [Process] = []
        for start in [0, 150] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: builtProduct("reprise"))
            process.arguments = ["synthesize", "--archive", t.path, "--runs", "200", "--start", String(start), "--tensor-bytes", "1024"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            processes.append(process)
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let archive = try Archive.open(at: t.path)
        let expected = Set(try (0..<350).map { try SyntheticRuns.manifest(index: $0).runID() })
        #expect(Set(try archive.runIDs()) == expected)
        #expect(archive.fsck().isClean)
        // Both writers appended to the index journal at once: the index lists every run, once.
        #expect(try archive.indexedRuns().entries.map(\.run) == archive.runIDs())
    }
}
