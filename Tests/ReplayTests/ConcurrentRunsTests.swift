import Foundation
import Kernels
import Replay
import Testing

/// The one scheduler of concurrent runs: lanes and their share of the threads (hand-derived from the doc comment's
/// rule), every job once, starts in job order, and no new start after an error.
@Suite struct ConcurrentRunsTests {
    @Test func threadsAreSplitWithNoneIdle() {
        func split(_ t: Int, _ runs: Int?, _ jobs: Int) -> [Int] {
            ConcurrentRuns(threads: Workers(t), concurrentRuns: runs, jobs: jobs).lanes.map(\.count)
        }
        #expect(split(3, 2, 10) == [2, 1])        // the leftover thread goes to the first lane, not dropped
        #expect(split(2, nil, 10) == [1, 1])      // default: one run per thread
        #expect(split(2, nil, 1) == [2])          // one job: it gets every thread
        #expect(split(7, 3, 3) == [3, 2, 2])
        #expect(split(2, 4, 10) == [1, 1, 1, 1])  // more lanes than threads: one each
        #expect(split(4, 8, 0) == [4])            // no job: one (idle) lane
    }

    @Test func everyJobRunsOnceAndStartsInOrder() throws {
        let lock = NSLock()
        var ran: [Int] = [], started: [Int] = []
        try ConcurrentRuns(threads: Workers(3), concurrentRuns: 3, jobs: 50).forEach(starting: { started.append($0) }) { job, workers in
            #expect(workers.count == 1)
            lock.lock(); ran.append(job); lock.unlock()
        }
        #expect(started == Array(0..<50))
        #expect(ran.sorted() == Array(0..<50))
    }

    struct Stop: Error {}

    @Test func anErrorStopsNewStartsAndIsRethrown() {
        let lock = NSLock()
        var ran: [Int] = []
        #expect(throws: Stop.self) {
            try ConcurrentRuns(threads: Workers(1), jobs: 10).forEach { job, _ in
                lock.lock(); ran.append(job); lock.unlock()
                if job == 3 { throw Stop() }
            }
        }
        #expect(ran == [0, 1, 2, 3])
    }
}
