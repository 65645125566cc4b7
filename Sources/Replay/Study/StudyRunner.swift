import Archive
import Foundation
import Kernels

/// Trains a study's pairs into an archive, skipping every run already completed there.
///
/// Resumable by construction: each run is committed epoch by epoch by `Trainer` (an interrupted run resumes from its
/// last checkpoint, bitwise identical to an uninterrupted one), and the plan is stored before any training, so
/// killing the process loses at most the epochs in progress. Callbacks are serialised (never called concurrently).
public final class StudyRunner {
    public let plan: StudyPlan
    public let archive: Archive
    public let workers: Workers
    /// Called before each pair starts training: (position in the plan, pairs started before it, pairs to do, fraction
    /// of the cost of the finished pairs). With several concurrent runs, "started" counts pairs still training too.
    public var willTrain: ((_ pair: Int, _ started: Int, _ total: Int, _ costDone: Double) -> Void)?
    /// Called after each pair with its record and the fraction of the cost done.
    public var didTrain: ((_ pair: Int, _ record: RunRecord, _ costDone: Double) -> Void)?
    /// Called during training with the step within the run.
    public var stepProgress: ((_ pair: Int, _ epoch: Int, _ step: Int, _ stepsPerEpoch: Int) -> Void)?

    public init(plan: StudyPlan, archive: Archive, workers: Workers) { self.plan = plan; self.archive = archive; self.workers = workers }

    public struct Summary: Sendable {
        public var trained = 0
        public var resumed = 0
        public var alreadyDone = 0
        public var diverged = 0
    }

    /// Trains the pairs at `positions` (all pairs when nil), `concurrentRuns` at a time (default: one per thread),
    /// with `workers` split among them as `ConcurrentRuns` defines; the bits are the same for any split. Runs start
    /// in plan order.
    public func run(positions: [Int]? = nil, concurrentRuns: Int? = nil) throws -> Summary {
        try archive.putStudy(plan.record)
        let todo = positions ?? Array(plan.runs.indices)
        var summary = Summary()
        var pending: [Int] = []
        for p in todo {
            if let r = try archive.record(of: plan.record.pairs[p].run), r.status != .inProgress {
                summary.alreadyDone += 1
                if r.status == .diverged { summary.diverged += 1 }
            } else {
                pending.append(p)
            }
        }
        let totalCost = pending.map { plan.costs[$0] }.reduce(0, +)
        let lock = NSLock()
        var started = 0, doneCost = 0.0
        let schedule = ConcurrentRuns(threads: workers, concurrentRuns: concurrentRuns, jobs: pending.count)
        try schedule.forEach(starting: { job in
            lock.lock(); defer { lock.unlock() }
            willTrain?(pending[job], started, pending.count, totalCost > 0 ? doneCost / totalCost : 0)
            started += 1
        }) { job, laneWorkers in
            let p = pending[job]
            let trainer = Trainer(spec: plan.runs[p], workers: laneWorkers)
            trainer.data = plan.data[plan.record.pairs[p].dataset]
            trainer.progress = { [weak self] e, s, steps in
                guard let self, let report = self.stepProgress else { return }
                lock.lock(); defer { lock.unlock() }
                report(p, e, s, steps)
            }
            let outcome = try trainer.run(in: archive)
            guard outcome.run == plan.record.pairs[p].run else {
                throw StudyError("internal: pair \(p) trained as run \(outcome.run.short), planned as \(plan.record.pairs[p].run.short)")
            }
            lock.lock()
            if outcome.resumedFrom != nil { summary.resumed += 1 } else { summary.trained += 1 }
            if outcome.record.status == .diverged { summary.diverged += 1 }
            doneCost += plan.costs[p]
            didTrain?(p, outcome.record, totalCost > 0 ? doneCost / totalCost : 1)
            lock.unlock()
        }
        return summary
    }
}
