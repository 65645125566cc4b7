import Foundation

extension Archive {
    /// Every object reachable from the refs: run records, their manifests, eval logs, timings, checkpoint records and
    /// the tensors those list, published tables, derivation records with their inputs and results, and study plans.
    ///
    /// Anything that cannot be read or does not hold together is reported in `problems`, never skipped silently: a
    /// ref folder that cannot be listed, a ref that does not hold an object ID, a target that is missing, damaged or
    /// not of its ref's type, a record that belongs to another run, a self-named ref (table, derivation) whose name is
    /// not its target, a study plan not filed under its spec's digest. gc refuses to run while there is any problem.
    func reachableObjects() -> (objects: Set<ObjectID>, problems: [String]) {
        var reachable = Set<ObjectID>()
        var problems: [String] = []
        func names(_ kind: String) -> [ObjectID] {
            do {
                let entries = try refDirectoryEntries(kind: kind)
                for entry in entries where entry.utf8.count != 64 || ObjectID(hex: entry) == nil {
                    problems.append("refs/\(kind)/\(entry): not a ref name (64 lowercase hex digits)")
                }
                return entries.compactMap { $0.utf8.count == 64 ? ObjectID(hex: $0) : nil }.sorted()
            } catch {
                problems.append("\(error)")
                return []
            }
        }
        for run in names("runs") {
            do {
                guard let target = try readRef(kind: "runs", name: run.hex) else { continue }
                reachable.insert(target)
                let record = try getJSON(RunRecord.self, target)
                if record.run != run {
                    problems.append("refs/runs/\(run.hex): record belongs to run \(record.run.short)")
                }
                for id in record.referencedObjects { reachable.insert(id) }
                for id in try closure(of: record) { reachable.insert(id) }
            } catch {
                problems.append("run \(run.hex): \(error)")
            }
        }
        for kind in ["tables", "derivations", "studies"] {
            for name in names(kind) {
                do {
                    guard let target = try readRef(kind: kind, name: name.hex) else { continue }
                    reachable.insert(target)
                    switch kind {
                    case "tables":
                        _ = try getJSON(PublishedTable.self, target)
                        if name != target { problems.append("refs/tables/\(name.hex): names object \(target.short), not itself") }
                    case "derivations":
                        let record = try getJSON(DerivationRecord.self, target)
                        if name != target { problems.append("refs/derivations/\(name.hex): names object \(target.short), not itself") }
                        for hex in record.inputObjects + [record.result] {
                            guard let id = ObjectID(hex: hex) else {
                                problems.append("derivation \(name.short): input \"\(hex.prefix(70))\" is not an object ID")
                                continue
                            }
                            reachable.insert(id)
                        }
                    default:
                        let study = try getJSON(StudyRecord.self, target)
                        let expected = StudyRecord.studyID(of: study.spec)
                        if name != expected { problems.append("refs/studies/\(name.hex): plan of study \(study.name) belongs under \(expected.short)") }
                    }
                } catch {
                    problems.append("refs/\(kind)/\(name.hex): \(error)")
                }
            }
        }
        return (reachable, problems)
    }
}
