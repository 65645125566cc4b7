import Foundation

extension Archive {
    /// What `merge(from:)` did.
    public struct MergeReport: Sendable {
        public var objectsCopied = 0
        public var runsAdded = 0
        /// Runs whose record here was unfinished and the other archive's was further along.
        public var runsAdvanced = 0
        /// Runs whose record here was further along than the other archive's unfinished copy (kept).
        public var runsKept = 0
        public var refsAdded = 0
    }

    /// Unions `other` into this archive, all or nothing.
    ///
    /// 1. Plan: every ref of `other` is read and checked (a damaged archive stops the merge); each run is decided by
    ///    `RunAdoption` (add, same, advance, keep or conflict); tables, derivations and studies are added when absent,
    ///    and the same name with another target is a conflict.
    /// 2. Any conflict throws `ArchiveError.conflict` naming every one, before anything is written.
    /// 3. Every object the adopted runs and refs reach that is missing here is read from `other` and verified
    ///    (decompressed and re-hashed) before anything is stored: a damaged `other` changes nothing.
    /// 4. Apply, in one write transaction: those objects are stored (read and verified again), records committed, refs
    ///    written. Nothing a kept or unchanged run reaches is copied. A crash part-way leaves only unreferenced
    ///    objects and refs that each point at complete data; running the merge again finishes it.
    public func merge(from other: Archive) throws -> MergeReport {
        var report = MergeReport()
        let (_, problems) = other.reachableObjects()
        if let problem = problems.first {
            throw ArchiveError.damaged(path: other.root, reason: "cannot merge a damaged archive: \(problem) (run `reprise fsck`)")
        }
        // Planning and applying run in one write transaction (gc cannot remove what the plan counted on).
        return try transaction {
            var commits: [RunRecord] = []
            var refs: [(kind: String, name: ObjectID, target: ObjectID)] = []
            var conflicts: [String] = []
            for run in try other.runIDs() {
                guard let theirs = try other.record(of: run) else { continue }
                switch RunAdoption.decide(ours: try record(of: run), theirs: theirs) {
                case .add: commits.append(theirs); report.runsAdded += 1
                case .advance: commits.append(theirs); report.runsAdvanced += 1
                case .keep: report.runsKept += 1
                case .same: break
                case .conflict(let why): conflicts.append("run \(run.hex): \(why)")
                }
            }
            for kind in ["tables", "derivations", "studies"] {
                for name in try other.refNames(kind: kind) {
                    guard let target = try other.readRef(kind: kind, name: name.hex) else { continue }
                    if let ours = try readRef(kind: kind, name: name.hex) {
                        if ours != target { conflicts.append("refs/\(kind)/\(name.hex): object \(ours.short) here, \(target.short) there") }
                    } else {
                        refs.append((kind, name, target))
                    }
                }
            }
            if !conflicts.isEmpty { throw conflictError(conflicts, source: other.root, archive: root) }
            var needed = Set<ObjectID>()
            for record in commits { needed.formUnion(try Bundle.objects(of: record.run, in: other).objects) }
            for ref in refs {
                needed.insert(ref.target)
                if ref.kind == "derivations" {
                    let derivation = try other.getJSON(DerivationRecord.self, ref.target)
                    needed.formUnion((derivation.inputObjects + [derivation.result]).compactMap(ObjectID.init(hex:)))
                }
            }
            let missing = needed.filter { !objects.contains($0) }.sorted()
            for id in missing { _ = try other.objects.get(id) }   // verify all before storing any
            for id in missing {
                let bytes = try other.objects.get(id)
                try objects.put(bytes, compression: bytes.first == UInt8(ascii: "{") ? .always : .tensor)
                report.objectsCopied += 1
            }
            for record in commits { try commit(record) }
            for ref in refs { try writeRef(kind: ref.kind, name: ref.name.hex, target: ref.target) }
            report.refsAdded = refs.count
            return report
        }
    }
}
