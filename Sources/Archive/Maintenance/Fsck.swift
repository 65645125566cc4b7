import Foundation
import SplitMix

/// The result of `Archive.fsck`: counts and one line per problem.
public struct FsckReport: Sendable {
    public var objectsChecked = 0
    public var objectsTotal = 0
    public var runs = 0
    public var problems: [String] = []
    public var isClean: Bool { problems.isEmpty }
}

extension Archive {
    /// Re-hashes objects (all, or a random `samplePercent` of them, seeded) and checks that every reference resolves.
    ///
    /// Checks: each object decodes exactly (no bytes after a compressed payload) and hashes to its name; every ref of
    /// every kind (runs, tables, derivations, studies) names an existing object of its type (`reachableObjects`); each
    /// run record names its own run and only existing objects; each checkpoint's tensors exist and have the byte length
    /// their shape implies; the run index, if present, passes its checksum and agrees with the refs (`indexProblems`).
    /// A folder that cannot be listed is a problem, never an empty archive. Objects are checked in sorted order; with
    /// sampling, object i is checked iff the i-th `nextUnit()` draw of SplitMix64(seed: sampleSeed), times 100, is
    /// below P.
    public func fsck(samplePercent: Double = 100, sampleSeed: UInt64 = 0,
                     progress: ((Int, Int) -> Void)? = nil) -> FsckReport {
        var report = FsckReport()
        let all: [ObjectID]
        do { all = try objects.allObjects() } catch {
            all = []
            report.problems.append("\(error)")
        }
        report.objectsTotal = all.count
        var sample = SplitMix64(seed: sampleSeed)
        for (i, id) in all.enumerated() {
            progress?(i, all.count)
            let draw = sample.nextUnit()  // the i-th draw, taken for every object so that object i's draw is fixed
            if samplePercent < 100 && draw * 100 >= samplePercent { continue }
            report.objectsChecked += 1
            do { _ = try objects.get(id) } catch { report.problems.append("\(error)") }
        }
        let (reachable, problems) = reachableObjects()
        report.problems += problems
        for id in reachable.sorted() where !objects.contains(id) {
            report.problems.append("object \(id.hex) is referenced but missing")
        }
        let runs = (try? runIDs()) ?? []   // a listing failure is among reachableObjects' problems
        report.runs = runs.count
        for run in runs {
            guard let record = try? record(of: run) else { continue }
            for entry in record.checkpoints {
                guard let checkpoint = try? getJSON(CheckpointRecord.self, entry.checkpoint) else { continue }
                for tensor in checkpoint.tensors {
                    // Missing objects are reported above; the header's length must match the shape.
                    if let length = objects.recordedLength(of: tensor.object), length != 4 * tensor.elementCount {
                        report.problems.append("run \(run.short) epoch \(checkpoint.epoch) tensor \(tensor.name): length does not match shape \(tensor.shape)")
                    }
                }
            }
        }
        report.problems += indexProblems()
        report.problems += layoutProblems()
        return report
    }

    /// What does not belong in the archive's folders, or is missing from them: `tmp/` (every write needs it), entries
    /// of `objects/` that are not two-hex-digit folders, files in a fan-out folder that are not object names or not
    /// regular files, and entries of `refs/` other than the four ref folders. (Temporary files in `tmp/` are gc's.)
    func layoutProblems() -> [String] {
        var problems: [String] = []
        func kind(_ path: String) -> mode_t? {
            var info = stat()
            return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
        }
        if kind(root + "/tmp") != S_IFDIR { problems.append("\(root)/tmp: missing or not a folder; every write will fail (create it: mkdir \(root)/tmp)") }
        let objectsPath = root + "/objects"
        for fan in (try? DurableFile.listDirectory(objectsPath)) ?? [] {
            let fanPath = objectsPath + "/" + fan
            guard fan.utf8.count == 2, fan.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }), kind(fanPath) == S_IFDIR else {
                problems.append("\(fanPath): does not belong in objects/ (only two-hex-digit folders do)")
                continue
            }
            for name in (try? DurableFile.listDirectory(fanPath)) ?? [] {
                let path = fanPath + "/" + name
                if ObjectID(hex: fan + name) == nil { problems.append("\(path): not an object name"); continue }
                if kind(path) != S_IFREG { problems.append("\(path): an object must be a regular file") }
            }
        }
        for entry in (try? DurableFile.listDirectory(root + "/refs")) ?? [] where !["runs", "tables", "derivations", "studies"].contains(entry) {
            problems.append("\(root)/refs/\(entry): not a ref folder (runs, tables, derivations, studies)")
        }
        for kindName in ["runs", "tables", "derivations", "studies"] {
            for entry in (try? refDirectoryEntries(kind: kindName)) ?? [] {
                let path = "\(root)/refs/\(kindName)/\(entry)"
                if let k = kind(path), k != S_IFREG { problems.append("\(path): a ref must be a regular file (not a link, folder or device)") }
            }
        }
        return problems
    }
}
