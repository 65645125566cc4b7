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
    ///
    /// Safe beside concurrent writers: gc holds the archive lock exclusively (`ArchiveLock`) from computing what is
    /// reachable to the last removal, so no write transaction is between "object already stored" and its commit, and
    /// every object a writer reused has a fresh mtime. Any unreadable ref, record or listing stops gc before it removes
    /// anything. `gracePeriod` must be finite and ≥ 0.
    public func garbageCollect(gracePeriod: TimeInterval = 3600, dryRun: Bool = false) throws -> GCReport {
        guard gracePeriod.isFinite, gracePeriod >= 0 else {
            throw ArchiveError.malformed(path: root, reason: "gc grace period \(gracePeriod) s: must be a finite number of seconds ≥ 0")
        }
        return try ArchiveLock.forArchive(root).exclusive { try collect(gracePeriod: gracePeriod, dryRun: dryRun) }
    }

    private func collect(gracePeriod: TimeInterval, dryRun: Bool) throws -> GCReport {
        var report = GCReport()
        let (reachable, problems) = reachableObjects()
        guard problems.isEmpty else {
            throw ArchiveError.damaged(path: root, reason: "gc refused: \(problems.count) unreadable refs or records (run `reprise fsck`): \(problems[0])")
        }
        let now = Date()
        for id in try objects.allObjects() {
            if reachable.contains(id) { report.kept += 1; continue }
            let path = objects.path(of: id)
            var info = stat()
            guard stat(path, &info) == 0 else { throw ArchiveError.errno(path, "stat") }
            let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) * 1e-9)
            // A modification time in the future (clock skew, a copied archive) counts as recent.
            if now.timeIntervalSince(modified) < gracePeriod {
                report.skippedRecent += 1
                continue
            }
            report.bytesFreed += Int64(info.st_size)
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
