import Archive
import SyntheticArchive
import Foundation
import Testing
import TestSupport

/// What `reprise` promises scripts (README, `reprise --help`): 0 success, 1 a check failed, 2 bad input or usage,
/// 3 an I/O error; one line on stderr for an error, and no crash when stderr or stdout cannot be written.
@Suite(.serialized) struct ExitStatusTests {
    struct Outcome { var status: Int32; var reason: Process.TerminationReason; var stdout: String; var stderr: String }

    /// Runs the built `reprise` with `arguments`; `stdoutPath`/`closeStderr` redirect or close its streams.
    func reprise(_ arguments: [String], stdoutPath: String? = nil, closeStderr: Bool = false) throws -> Outcome {
        let process = Process()
        if closeStderr {
            // Foundation's Process cannot close a descriptor; a shell can (2>&-).
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec \"$0\" \"$@\" 2>&-", builtProduct("reprise")] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: builtProduct("reprise"))
            process.arguments = arguments
        }
        let out = Pipe(), err = Pipe()
        if let stdoutPath { process.standardOutput = FileHandle(forWritingAtPath: stdoutPath) } else { process.standardOutput = out }
        if !closeStderr { process.standardError = err }
        try process.run()
        let outData = stdoutPath == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let errData = closeStderr ? Data() : err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, reason: process.terminationReason,
                       stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// ArgumentParser's own status for usage and validation errors is 64; ours is 2, for every command.
    @Test(arguments: [["ls", "--no-such-option"], ["gc", "--grace", "abc"], ["gc", "--grace", "nan"], ["gc", "--grace", "-1"],
                      ["fsck", "--sample", "0"], ["no-such-command"], ["show"], ["export", "--wide", "extra-argument"]])
    func usageErrorsExit2(arguments: [String]) throws {
        let t = try TemporaryArchive()
        let outcome = try reprise(arguments + (arguments.first == "no-such-command" ? [] : ["--archive", t.path]))
        #expect(outcome.reason == .exit && outcome.status == 2, "\(arguments): \(outcome.status) \(outcome.stderr)")
        #expect(!outcome.stderr.isEmpty)
    }

    @Test func helpAndVersionExit0() throws {
        #expect(try reprise(["--help"]).status == 0)
        #expect(try reprise(["gc", "--help"]).status == 0)
        #expect(try reprise(["--version"]).status == 0)
    }

    /// A full disk behind stdout (/dev/full gives ENOSPC) is an I/O error, not a silent success.
    @Test func aFailedWriteToStandardOutputExits3() throws {
        let t = try TemporaryArchive()
        for i in 0..<3 { try SyntheticRuns.ingest(into: t.archive, index: i, tensorBytes: 16) }
        for command in [["export"], ["ls"], ["export", "--wide"]] {
            let outcome = try reprise(command + ["--archive", t.path], stdoutPath: "/dev/full")
            #expect(outcome.reason == .exit && outcome.status == 3, "\(command): \(outcome.status)")
            #expect(outcome.stderr.contains("standard output") && outcome.stderr.contains("No space left"))
        }
    }

    /// An error reported while stderr is closed: the documented status, not a trap.
    @Test func anErrorWithStderrClosedStillExitsWithItsStatus() throws {
        #expect(try reprise(["ls", "--archive", "/nonexistent-\(UUID().uuidString)"], closeStderr: true).status == 2)
        #expect(try reprise(["ls", "--bogus"], closeStderr: true).status == 2)
    }

    /// Damage found by fsck is exit 1; a merge conflict is exit 1.
    @Test func checksThatFailExit1() throws {
        let t = try TemporaryArchive()
        let run = try SyntheticRuns.ingest(into: t.archive, index: 1, tensorBytes: 16)
        unlink(t.archive.objects.path(of: run))
        let outcome = try reprise(["fsck", "--archive", t.path])
        #expect(outcome.status == 1)
    }
}
