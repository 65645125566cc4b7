@testable import Archive
import Foundation
import Testing
import TestSupport

/// Run-index files from fuzzing (Fuzz/regressions/RunIndex/, replayed by scripts/fuzz.sh too). The index is a
/// cache: a snapshot it cannot use is rebuilt from the refs, never trusted, and never a trap.
@Suite struct RunIndexFuzzRegressionTests {
    /// Fuzz/regressions/RunIndex/negative-journal-offset: a snapshot header with a negative journal offset trapped
    /// in `indexedRuns` (`journalData[journalOffset...]`). Both the version-1 header the fuzzer found and a version-2
    /// header with a valid checksum of its (empty) body are rebuilt. The digest of the empty body is
    /// hashlib.sha256(b"").hexdigest().
    @Test(arguments: ["reprise-run-index 1 -1000\n", "reprise-run-index 2 -1000 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"])
    func negativeJournalOffsetRebuildsTheIndex(header: String) throws {
        let t = try TemporaryArchive()
        try FileManager.default.createDirectory(atPath: t.path + "/index", withIntermediateDirectories: true)
        try Data(header.utf8).write(to: URL(fileURLWithPath: t.path + "/index/runs"))
        try Data(repeating: UInt8(ascii: "x"), count: 100).write(to: URL(fileURLWithPath: t.path + "/index/journal"))
        #expect(try t.archive.indexedRuns().entries.isEmpty)
        #expect(t.archive.currentSnapshot() == nil || t.archive.fsck().isClean)
    }
}
