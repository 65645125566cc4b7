import Foundation

public struct GCReport: Sendable {
    public var kept = 0
    public var removed = 0
    public var bytesFreed: Int64 = 0
    public var temporaryFilesRemoved = 0
    public var skippedRecent = 0
}

extension Archive {
    /// Removes objects no ref reaches, and stale temporary files.
    ///
    /// A writer stores objects before it commits the ref that reaches them, so an unreferenced object younger than
    /// `gracePeriod` seconds may belong to a commit in progress and is kept (likewise temporary files).
    /// `dryRun` counts without removing.
    public func garbageCollect(gracePeriod: TimeInterval = 3600, dryRun: Bool = false) throws -> GCReport {
        var report = GCReport()
        let (reachable, problems) = reachableObjects()
        guard problems.isEmpty else {
            throw ArchiveError.malformed(path: root, reason: "gc refused: \(problems.count) unreadable refs or records (run `reprise fsck`): \(problems[0])")
        }
        let now = Date()
        for id in try objects.allObjects() {
            if reachable.contains(id) { report.kept += 1; continue }
            let path = objects.path(of: id)
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            if let modified = attributes?[.modificationDate] as? Date, now.timeIntervalSince(modified) < gracePeriod {
                report.skippedRecent += 1
                continue
            }
            report.bytesFreed += (attributes?[.size] as? Int64) ?? Int64((attributes?[.size] as? Int) ?? 0)
            report.removed += 1
            if !dryRun { try objects.remove(id) }
        }
        let tmp = root + "/tmp"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] {
            let path = tmp + "/" + name
            if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
               now.timeIntervalSince(modified) >= gracePeriod {
                report.temporaryFilesRemoved += 1
                if !dryRun { unlink(path) }
            }
        }
        return report
    }
}
