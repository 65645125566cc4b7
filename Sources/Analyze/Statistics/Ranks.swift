/// Ranks 1…n with ties given the average of the ranks they span ("average" / fractional ranking;
/// scipy.stats.rankdata(method="average")). Example: [10, 20, 20, 5] → [2, 3.5, 3.5, 1].
/// Values must not be NaN (it has no place in an order; `spearman` refuses it before ranking); ±∞ rank as extremes.
public func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
    var ranks = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
        var end = start
        while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
        let rank = Double(start + end) / 2 + 1
        for i in start...end { ranks[order[i]] = rank }
        start = end + 1
    }
    return ranks
}
