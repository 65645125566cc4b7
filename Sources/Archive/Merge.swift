import Foundation

extension Archive {
    /// What `merge(from:)` did and found.
    public struct MergeReport: Sendable {
        public var objectsCopied = 0
        public var runsAdded = 0
        /// Runs whose record here was in progress and the other archive's was further along.
        public var runsAdvanced = 0
        public var refsAdded = 0
        /// Run IDs (or other refs) present in both archives with different deterministic results: each one is a
        /// determinism failure (or a damaged archive). Never resolved silently: this archive keeps its own record.
        public var conflicts: [String] = []
    }

    /// Unions `other` into this archive.
    ///
    /// - Objects: every object reachable from the other archive's refs that is missing here is read (decompressed and
    ///   re-hashed, so a damaged object stops the merge before any ref is written) and stored here.
    /// - Runs: a run only there is added. A run in both: if the deterministic parts of the records (everything but
    ///   timings) are equal, nothing changes; if one is in_progress and the other's checkpoints extend it epoch for
    ///   epoch, the longer one is kept; any other difference is a conflict, reported and left as it is here.
    /// - Tables, derivations, studies: added when absent; the same name with another target is a conflict.
    public func merge(from other: Archive) throws -> MergeReport {
        var report = MergeReport()
        let (reachable, problems) = other.reachableObjects()
        if let problem = problems.first { throw ArchiveError.malformed(path: other.root, reason: "cannot merge a damaged archive: \(problem) (run `reprise fsck`)") }
        for id in reachable.sorted() where !objects.contains(id) {
            let bytes = try other.objects.get(id)
            try objects.put(bytes, compression: bytes.first == UInt8(ascii: "{") ? .always : .tensor)
            report.objectsCopied += 1
        }
        for run in try other.runIDs() {
            guard let theirs = try other.record(of: run) else { continue }
            guard let ours = try record(of: run) else {
                try commit(theirs)
                report.runsAdded += 1
                continue
            }
            if ours.deterministicPart == theirs.deterministicPart { continue }
            let prefixMatches = { (short: RunRecord, long: RunRecord) in
                short.status == .inProgress && short.checkpoints.count < long.checkpoints.count
                    && zip(short.checkpoints, long.checkpoints).allSatisfy { $0 == $1 }
            }
            if prefixMatches(ours, theirs) { try commit(theirs); report.runsAdvanced += 1; continue }
            if prefixMatches(theirs, ours) { continue }
            let firstDifference = zip(ours.checkpoints, theirs.checkpoints).first { $0.checkpoint != $1.checkpoint }
            report.conflicts.append("run \(run.hex): " + (firstDifference.map { "checkpoints differ from epoch \($0.0.epoch)" }
                ?? "records differ (status \(ours.status.rawValue) vs \(theirs.status.rawValue), metrics \(ours.metrics == theirs.metrics ? "equal" : "differ"))"))
        }
        for kind in ["tables", "derivations", "studies"] {
            for name in try other.refNames(kind: kind) {
                guard let target = try other.readRef(kind: kind, name: name.hex) else { continue }
                if let ours = try readRef(kind: kind, name: name.hex) {
                    if ours != target { report.conflicts.append("\(kind)/\(name.hex): points to \(ours.short) here and \(target.short) there") }
                } else {
                    try writeRef(kind: kind, name: name.hex, target: target)
                    report.refsAdded += 1
                }
            }
        }
        return report
    }
}
