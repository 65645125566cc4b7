import Foundation

/// Spearman ρ and Kendall τ-b (with p-values) for every pair of columns, each pair over the keys both columns have,
/// in sorted key order (as `PairedColumns`; each column's keys are sorted once and pairs are joined by a merge); nil where a statistic is undefined (fewer than 3 shared keys, a constant side). Pairs are spread
/// over `threads`; each result depends only on its pair, so the matrix does not depend on the thread count.
public struct AllPairsCorrelations: Sendable {
    public struct Entry: Sendable {
        public var first: Int, second: Int
        public var n: Int
        public var spearman: Correlation?
        public var kendall: Correlation?
    }
    public let entries: [Entry]

    public init(columns: [[String: Double]], threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        var pairs: [(Int, Int)] = []
        for i in columns.indices { for j in (i + 1)..<columns.count { pairs.append((i, j)) } }
        let sorted = columns.map { column in column.sorted { $0.key < $1.key } }
        let results = UnsafeMutableBufferPointer<Entry>.allocate(capacity: pairs.count)
        defer { results.deallocate() }
        let lanes = max(1, min(threads, pairs.count))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for k in stride(from: lane, to: pairs.count, by: lanes) {
                let (i, j) = pairs[k]
                let (a, b) = (sorted[i], sorted[j])
                var x: [Double] = [], y: [Double] = []
                var u = 0, v = 0
                while u < a.count && v < b.count {
                    if a[u].key < b[v].key { u += 1 } else if b[v].key < a[u].key { v += 1 } else {
                        x.append(a[u].value); y.append(b[v].value); u += 1; v += 1
                    }
                }
                (results.baseAddress! + k).initialize(to: Entry(first: i, second: j, n: x.count,
                                                                spearman: try? spearman(x, y), kendall: try? kendallTauB(x, y)))
            }
        }
        entries = Array(results)
    }
}
