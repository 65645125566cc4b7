import Archive
import Foundation

/// A fresh archive in its own temporary directory (reprise-test-UUID), removed with everything in it at deinit.
public final class TemporaryArchive {
    public let path: String
    public let archive: Archive
    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-test-\(UUID().uuidString)").path
        archive = try Archive.create(at: path)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
