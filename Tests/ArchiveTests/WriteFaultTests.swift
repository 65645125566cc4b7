import Archive
import Foundation
import Testing
import TestSupport

/// Faults while writing, injected for real in a child `reprise` process: a file-size limit (writes fail with EFBIG,
/// as a full disk fails with ENOSPC) and a directory nobody may write into (immutable, which binds root too). Each must
/// give one error line naming the file, exit status 3, and leave what was already stored intact.
@Suite(.serialized) struct WriteFaultTests {
    /// Runs `reprise` under bash with `setup` first (e.g. a ulimit); returns exit status and stderr.
    func reprise(_ arguments: [String], setup: String = "") throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let quoted = ([builtProduct("reprise")] + arguments).map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-c", "\(setup) exec \(quoted)"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    func assertIntact(_ t: TemporaryArchive, runs: Int) throws {
        let archive = try Archive.open(at: t.path)
        #expect(try archive.runIDs().count == runs)
        let report = archive.fsck()
        #expect(report.isClean, "\(report.problems)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: t.path + "/tmp").isEmpty, "no temporary file left behind")
    }

    @Test func aWriteThatCannotCompleteFailsCleanly() throws {
        let t = try TemporaryArchive()
        #expect(try reprise(["synthesize", "--archive", t.path, "--runs", "2", "--tensor-bytes", "1000"]).status == 0)
        // 512 KiB per file at most, SIGXFSZ ignored: the 4 MB tensor's write fails part-way.
        let (status, stderr) = try reprise(["synthesize", "--archive", t.path, "--runs", "1", "--start", "5", "--tensor-bytes", "4000000"],
                                           setup: "ulimit -f 512; trap '' XFSZ;")
        #expect(status == 3)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("reprise: error: \(t.path)/objects/") && lines[0].contains("File too large"), "\(stderr)")
        try assertIntact(t, runs: 2)
    }

    static var canMakeImmutable: Bool {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-chattr-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil else { return false }
        let set = Process(), unset = Process()
        set.executableURL = URL(fileURLWithPath: "/usr/bin/chattr"); set.arguments = ["+i", dir]
        unset.executableURL = URL(fileURLWithPath: "/usr/bin/chattr"); unset.arguments = ["-i", dir]
        guard (try? set.run()) != nil else { return false }
        set.waitUntilExit()
        defer { try? unset.run(); unset.waitUntilExit() }
        return set.terminationStatus == 0 && !FileManager.default.createFile(atPath: dir + "/x", contents: Data())
    }

    /// Skipped (and reported as skipped) where chattr +i is not available.
    @Test(.enabled(if: canMakeImmutable)) func anUnwritableArchiveFailsCleanly() throws {
        let t = try TemporaryArchive()
        #expect(try reprise(["synthesize", "--archive", t.path, "--runs", "2", "--tensor-bytes", "1000"]).status == 0)
        func chattr(_ flag: String) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/chattr"); p.arguments = [flag, t.path + "/tmp"]
            try p.run(); p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        try chattr("+i")
        let (status, stderr) = try reprise(["synthesize", "--archive", t.path, "--runs", "1", "--start", "5", "--tensor-bytes", "1000"])
        try chattr("-i")
        #expect(status == 3)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("reprise: error: \(t.path)/tmp/") && lines[0].contains("not permitted"), "\(stderr)")
        try assertIntact(t, runs: 2)
    }
}
