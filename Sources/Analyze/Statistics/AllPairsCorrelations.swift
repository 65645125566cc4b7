import Foundation

/// Spearman ρ and Kendall τ-b (with p-values) for every pair of columns, each pair over the keys both columns have,
/// in sorted key order (as `PairedColumns`); nil where a statistic is undefined (fewer than 3 shared keys, a constant
/// or non-finite side), with the `StatisticError` as `undefinedReason`. Every entry is bit for bit what `spearman` and `kendallTauB` give on that pair's
/// `PairedColumns` (a test holds them together); only the work is shared:
/// - keys are interned once: each distinct key gets its position in sorted key order as an integer id, so pairs are
///   joined by a walk over ids instead of string comparisons;
/// - each column is sorted by (value, id) once; a pair's ranks then come from walking that order and skipping the ids
///   the other column lacks — average ranks over runs of equal values (the ranks `averageRanks` gives) and the tie
///   groups, in O(n), instead of sorting every pair;
/// - Kendall's (C, D) as in `concordantDiscordantPairs` (Knight 1966): the x order with each x-tie run re-sorted by y,
///   then D = strict inversions of the y sequence, counted with a Fenwick tree over y's dense ranks.
/// Pairs are spread over `threads`; each result depends only on its pair, so the matrix does not depend on the thread
/// count.
public struct AllPairsCorrelations: Sendable {
    public struct Entry: Sendable {
        public var first: Int, second: Int
        public var n: Int
        public var spearman: Correlation?
        public var kendall: Correlation?
        /// Why `spearman` and `kendall` are nil (nil when they are defined).
        public var undefinedReason: String?
    }
    public let entries: [Entry]

    /// A column over the interned ids: its value at each id (present or not) and its present ids by (value, id).
    struct InternedColumn {
        var value: [Double]
        var present: [Bool]
        var byValue: [Int32]
    }

    public init(columns: [[String: Double]], threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let interned = Self.intern(columns, threads: threads)
        var pairs: [(Int, Int)] = []
        for i in columns.indices { for j in (i + 1)..<columns.count { pairs.append((i, j)) } }
        let results = UnsafeMutableBufferPointer<Entry>.allocate(capacity: pairs.count)
        defer { results.deallocate() }
        let lanes = max(1, min(threads, pairs.count))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for k in stride(from: lane, to: pairs.count, by: lanes) {
                let (i, j) = pairs[k]
                let (n, rho, tau, reason) = Self.correlate(interned[i], interned[j])
                (results.baseAddress! + k).initialize(to: Entry(first: i, second: j, n: n, spearman: rho, kendall: tau, undefinedReason: reason))
            }
        }
        entries = Array(results)
    }

    /// Ids in sorted key order (String's `<`, as `PairedColumns` sorts), each column spread over them.
    static func intern(_ columns: [[String: Double]], threads: Int = 1) -> [InternedColumn] {
        // Interning by FNV-1a over the UTF-8 bytes in an open-addressing table (several times cheaper than
        // Dictionary's seeded SipHash for ~10⁴ short keys); equal hashes are confirmed by String equality.
        let capacity = columns.reduce(0) { $0 + $1.count }
        var size = 16
        while size < 2 * capacity { size *= 2 }
        var slots = [Int32](repeating: -1, count: size), slotHash = [UInt64](repeating: 0, count: size)
        var keys: [String] = []
        var entries: [[(Int, Double)]] = []
        // FNV-1a style over 8-byte words (then the tail bytes), with a final xor-shift so the low bits used for the
        // slot depend on every byte.
        func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            var i = 0
            let raw = UnsafeRawBufferPointer(bytes)
            while i + 8 <= bytes.count {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
                h ^= h >> 29
                i += 8
            }
            while i < bytes.count { h = (h ^ UInt64(bytes[i])) &* 0x100_0000_01b3; i += 1 }
            return h ^ (h >> 32)
        }
        func fnv1a(_ key: String) -> UInt64 {
            if let done = key.utf8.withContiguousStorageIfAvailable(hash) { return done }
            return Array(key.utf8).withUnsafeBufferPointer(hash)
        }
        for column in columns {
            var list: [(Int, Double)] = []
            list.reserveCapacity(column.count)
            for (key, value) in column {
                let h = fnv1a(key)
                var slot = Int(truncatingIfNeeded: h) & (size - 1)
                while true {
                    let k = Int(slots[slot])
                    if k < 0 {
                        slots[slot] = Int32(keys.count); slotHash[slot] = h
                        list.append((keys.count, value)); keys.append(key)
                        break
                    }
                    if slotHash[slot] == h && keys[k] == key { list.append((k, value)); break }
                    slot = (slot + 1) & (size - 1)
                }
            }
            entries.append(list)
        }
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        let id: [Int] = {
            var id = [Int](repeating: 0, count: keys.count)
            for (position, k) in order.enumerated() { id[k] = position }
            return id
        }()
        let results = UnsafeMutableBufferPointer<InternedColumn>.allocate(capacity: entries.count)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, entries.count))) { lane in
            for c in stride(from: lane, to: entries.count, by: max(1, min(threads, entries.count))) {
                let list = entries[c]
                var value = [Double](repeating: 0, count: keys.count), present = [Bool](repeating: false, count: keys.count)
                var byValue: [(Double, Int32)] = []
                byValue.reserveCapacity(list.count)
                for (k, v) in list { value[id[k]] = v; present[id[k]] = true; byValue.append((v, Int32(id[k]))) }
                byValue.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                (results.baseAddress! + c).initialize(to: InternedColumn(value: value, present: present, byValue: byValue.map(\.1)))
            }
        }
        return Array(results)
    }

    /// What one side of a pair yields from its ordered walk: average ranks by row, dense ranks by row, the rows in
    /// (value, id) order, the run (tie group) boundaries, and the tie group sizes ≥ 2, ascending.
    struct Side {
        var ranks: [Double], dense: [Int32], order: [Int32], runStarts: [Int32], ties: [Int]
    }

    static func side(_ column: InternedColumn, other: InternedColumn, row: [Int32], ids: [Int32]) -> Side {
        let n = ids.count
        var s = Side(ranks: [Double](repeating: 0, count: n), dense: [Int32](repeating: 0, count: n), order: [], runStarts: [], ties: [])
        s.order.reserveCapacity(n)
        for id in column.byValue where other.present[Int(id)] { s.order.append(row[Int(id)]) }
        var start = 0, group: Int32 = 0
        while start < n {
            let v = column.value[Int(ids[Int(s.order[start])])]
            var end = start
            while end + 1 < n && column.value[Int(ids[Int(s.order[end + 1])])] == v { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for k in start...end { s.ranks[Int(s.order[k])] = rank; s.dense[Int(s.order[k])] = group }
            s.runStarts.append(Int32(start))
            if end > start { s.ties.append(end - start + 1) }
            group += 1
            start = end + 1
        }
        s.ties.sort()
        return s
    }

    static func correlate(_ a: InternedColumn, _ b: InternedColumn) -> (Int, Correlation?, Correlation?, String?) {
        // Rows: the shared ids, ascending (= sorted key order).
        var row = [Int32](repeating: -1, count: a.value.count)
        var ids: [Int32] = [], x: [Double] = [], y: [Double] = []
        for id in a.value.indices where a.present[id] && b.present[id] {
            row[id] = Int32(ids.count); ids.append(Int32(id)); x.append(a.value[id]); y.append(b.value[id])
        }
        let n = ids.count
        do { try StatisticError.check(x, y, minimum: 3) } catch { return (n, nil, nil, "\(error)") }
        let sx = side(a, other: b, row: row, ids: ids), sy = side(b, other: a, row: row, ids: ids)
        return (n, try? pearson(sx.ranks, sy.ranks), kendall(sx, sy, n: n), nil)
    }

    /// Knight's count on dense ranks: x order with x-tie runs sorted by y; D = strict inversions of y (Fenwick tree);
    /// C = n₀ − n₁ − n₂ + n₃ − D.
    static func kendall(_ sx: Side, _ sy: Side, n: Int) -> Correlation {
        var sequence = sx.order
        var n3 = 0, inversions = 0
        let levels = sy.runStarts.count
        var tree = [Int32](repeating: 0, count: levels + 1)
        sequence.withUnsafeMutableBufferPointer { seq in
            sy.dense.withUnsafeBufferPointer { dense in
                // Each x-tie run: insertion sort by y's dense rank (runs are short), then count the pairs tied in y too.
                let starts = sx.runStarts
                for g in starts.indices {
                    let lo = Int(starts[g]), hi = g + 1 < starts.count ? Int(starts[g + 1]) : n
                    guard hi - lo > 1 else { continue }
                    for k in (lo + 1)..<hi {
                        let item = seq[k], key = dense[Int(item)]
                        var m = k
                        while m > lo && dense[Int(seq[m - 1])] > key { seq[m] = seq[m - 1]; m -= 1 }
                        seq[m] = item
                    }
                    var run = 1
                    for k in (lo + 1)..<hi {
                        if dense[Int(seq[k])] == dense[Int(seq[k - 1])] { run += 1 } else { n3 += run * (run - 1) / 2; run = 1 }
                    }
                    n3 += run * (run - 1) / 2
                }
                tree.withUnsafeMutableBufferPointer { tree in
                    for k in 0..<n {
                        let v = Int(dense[Int(seq[k])])
                        var atMost = 0, i = v + 1
                        while i > 0 { atMost += Int(tree[i]); i -= i & -i }
                        inversions += k - atMost
                        i = v + 1
                        while i <= levels { tree[i] += 1; i += i & -i }
                    }
                }
            }
        }
        let n1 = sx.ties.reduce(0) { $0 + $1 * ($1 - 1) / 2 }, n2 = sy.ties.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        let concordant = n * (n - 1) / 2 - n1 - n2 + n3 - inversions
        return kendallTauB(n: n, concordant: concordant, discordant: inversions, xTies: sx.ties, yTies: sy.ties)
    }
}
