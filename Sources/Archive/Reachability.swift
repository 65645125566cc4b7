import Foundation

extension Archive {
    /// Every object reachable from the refs: run records, their manifests, eval logs, timings, checkpoint records and
    /// the tensors those list, published tables and derivation records. Unreadable records are reported in `problems`.
    func reachableObjects() -> (objects: Set<ObjectID>, problems: [String]) {
        var reachable = Set<ObjectID>()
        var problems: [String] = []
        for run in (try? runIDs()) ?? [] {
            do {
                guard let target = try readRef(kind: "runs", name: run.hex) else { continue }
                reachable.insert(target)
                let record = try getJSON(RunRecord.self, target)
                if record.run != run {
                    problems.append("refs/runs/\(run.hex): record belongs to run \(record.run.short)")
                }
                for id in record.referencedObjects { reachable.insert(id) }
                for entry in record.checkpoints {
                    let checkpoint = try getJSON(CheckpointRecord.self, entry.checkpoint)
                    for tensor in checkpoint.tensors { reachable.insert(tensor.object) }
                }
            } catch {
                problems.append("run \(run.hex): \(error)")
            }
        }
        for kind in ["tables", "derivations", "studies"] {
            for name in (try? refNames(kind: kind)) ?? [] {
                do {
                    if let target = try readRef(kind: kind, name: name.hex) {
                        reachable.insert(target)
                        if kind == "derivations" {
                            let record = try getJSON(JSONValue.self, target)
                            if case .array(let inputs)? = record["inputObjects"] {
                                for case .string(let hex) in inputs { if let id = ObjectID(hex: hex) { reachable.insert(id) } }
                            }
                            if let hex = record["result"]?.stringValue, let id = ObjectID(hex: hex) { reachable.insert(id) }
                        }
                    }
                } catch {
                    problems.append("refs/\(kind)/\(name.hex): \(error)")
                }
            }
        }
        return (reachable, problems)
    }
}
