import Archive
import Foundation

/// A study's test errors read from the archive alone: the plan (`StudyRecord`) and each pair's run record.
///
/// error(architecture, dataset) = mean over the study's seeds of the completed runs' final `test_top1_error` (percent).
/// Runs not yet trained, in progress or diverged leave the cell missing; they are counted so reports can say so.
public struct StudyErrors: Sendable {
    public let study: StudyRecord
    /// By dataset label, one entry per architecture (nil = missing).
    public let errors: [String: [Double?]]
    /// Test top-5 error (%), the same way (App. B.4); missing where a record has no `test_top5_error`.
    public let top5Errors: [String: [Double?]]
    /// Per seed, by dataset label, per architecture (for training-noise estimates; App. B.3).
    public let errorsBySeed: [Int64: [String: [Double?]]]
    public let completed: Int
    public let missing: Int
    public let diverged: Int
    /// The runs whose records were read (every pair with a record), for derivation records.
    public let inputRuns: [ObjectID]

    public init(study: StudyRecord, archive: Archive) throws {
        self.study = study
        let n = study.architectures.count
        var sums: [String: [(Double, Int)]] = [:], top5Sums: [String: [(Double, Int)]] = [:], bySeed: [Int64: [String: [Double?]]] = [:]
        for d in study.datasets { sums[d.label] = Array(repeating: (0, 0), count: n); top5Sums[d.label] = sums[d.label] }
        var completed = 0, missing = 0, diverged = 0, inputs: [ObjectID] = []
        for pair in study.pairs {
            guard let record = try archive.record(of: pair.run) else { missing += 1; continue }
            inputs.append(pair.run)
            switch record.status {
            case .completed:
                guard let e = record.metrics["test_top1_error"] else { missing += 1; continue }
                completed += 1
                sums[pair.dataset]![pair.architecture].0 += e
                sums[pair.dataset]![pair.architecture].1 += 1
                if let e5 = record.metrics["test_top5_error"] {
                    top5Sums[pair.dataset]![pair.architecture].0 += e5
                    top5Sums[pair.dataset]![pair.architecture].1 += 1
                }
                bySeed[pair.seed, default: [:]][pair.dataset, default: Array(repeating: nil, count: n)][pair.architecture] = e
            case .diverged: diverged += 1
            case .inProgress, .failed: missing += 1
            }
        }
        errors = sums.mapValues { $0.map { $0.1 > 0 ? $0.0 / Double($0.1) : nil } }
        top5Errors = top5Sums.mapValues { $0.map { $0.1 > 0 ? $0.0 / Double($0.1) : nil } }
        errorsBySeed = bySeed
        inputRuns = inputs
        self.completed = completed; self.missing = missing; self.diverged = diverged
    }

    /// Architectures with an error on both datasets, and those errors (pairwise-complete, in architecture order).
    public func paired(_ a: String, _ b: String) -> (x: [Double], y: [Double]) {
        var x: [Double] = [], y: [Double] = []
        for i in study.architectures.indices {
            if let u = errors[a]?[i] ?? nil, let v = errors[b]?[i] ?? nil { x.append(u); y.append(v) }
        }
        return (x, y)
    }
}
