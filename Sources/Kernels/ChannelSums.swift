/// Per-channel sums over the rows of an M × C matrix, in Double, in an order fixed by M alone.
///
/// Arithmetic: rows are cut into chunks of `chunkRows` (a constant, never the worker count); each chunk sums its rows
/// in increasing order into Double partials; the partials are then added in chunk order by one thread.
/// So the result is the same for every worker count (but differs in the last Double bits from one plain sequential sum).
enum ChannelSums {
    static let chunkRows = 512

    /// out[j] = Σ_m rowTerms(m)[j] for `width` values per row: `fill(m, partial)` adds row m's terms into the chunk's
    /// Double partials (a plain loop the compiler can vectorise).
    static func sumRows(rows: Int, width: Int, workers: Workers,
                        _ fill: (_ row: Int, _ partial: UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        sumChunks(rows: rows, width: width, workers: workers) { m0, m1, p in for m in m0..<m1 { fill(m, p) } }
    }

    /// The same sums, `fill(m0, m1, partial)` adding rows m0..<m1 (one chunk, in increasing order) at once.
    static func sumChunks(rows: Int, width: Int, workers: Workers,
                          _ fill: (_ first: Int, _ end: Int, _ partial: UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        let chunks = max(1, (rows + chunkRows - 1) / chunkRows)
        let partials = UnsafeMutablePointer<Double>.allocate(capacity: chunks * width)
        partials.initialize(repeating: 0, count: chunks * width)
        defer { partials.deallocate() }
        workers.forEach(chunks) { chunk, _ in
            fill(chunk * chunkRows, min(rows, (chunk + 1) * chunkRows), partials + chunk * width)
        }
        var out = [Double](repeating: 0, count: width)
        for chunk in 0..<chunks { for j in 0..<width { out[j] += partials[chunk * width + j] } }
        return out
    }
}
