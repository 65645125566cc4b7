import Foundation
import Kernels

/// Independent runs (trainings, proxy scorings) done several at a time, with the kernel threads split among them: the
/// one scheduler of `study run` and the `rank` commands.
///
/// Lanes: `min(concurrentRuns ?? threads, jobs)`, at least 1 (default: one run per thread, since small models use
/// two cores better as two runs than as one run on two threads). Threads: lane i of L gets ⌊T/L⌋ threads, plus one
/// for the first T mod L lanes, so no thread is left idle (3 threads, 2 lanes → 2 and 1); with more lanes than
/// threads, every lane gets 1. Jobs start in index order, each taken by the next free lane; after a job throws, no
/// new job starts and the first error is rethrown once the running ones end.
///
/// Results are the same bits for any split: kernels do not depend on their thread count, and runs share nothing but
/// the archive, whose writes are atomic.
public struct ConcurrentRuns: Sendable {
    /// The workers of each lane, in lane order.
    public let lanes: [Workers]
    /// Jobs to run: `0..<jobs`.
    public let jobs: Int

    public init(threads: Workers, concurrentRuns: Int? = nil, jobs: Int) {
        let t = threads.count
        let l = Swift.max(1, Swift.min(concurrentRuns ?? t, jobs))
        lanes = (0..<l).map { i in Workers(Swift.max(1, t / l + (i < t % l ? 1 : 0))) }
        self.jobs = Swift.max(0, jobs)
    }

    /// Runs `body(job, workers)` for every job, lanes at a time; `body` is called from several threads at once when
    /// there are several lanes. `starting(job)` is called as each job is taken: one call at a time, in job order.
    public func forEach(starting: (_ job: Int) -> Void = { _ in }, _ body: (_ job: Int, _ workers: Workers) throws -> Void) throws {
        guard jobs > 0 else { return }
        let lock = NSLock()
        var next = 0
        var firstError: Error?
        try withoutActuallyEscaping(body) { body in
            try withoutActuallyEscaping(starting) { starting in
                let box = UncheckedSendable((run: body, starting: starting))
                DispatchQueue.concurrentPerform(iterations: lanes.count) { lane in
                    while true {
                        lock.lock()
                        guard firstError == nil, next < jobs else { lock.unlock(); return }
                        let job = next
                        next += 1
                        box.value.starting(job)
                        lock.unlock()
                        do { try box.value.run(job, lanes[lane]) } catch {
                            lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                        }
                    }
                }
                if let firstError { throw firstError }
            }
        }
    }
}

/// Lets the job closure cross into `concurrentPerform`; safe because callers guard shared state with their own lock.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
