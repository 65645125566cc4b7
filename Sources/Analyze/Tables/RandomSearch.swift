import SplitMix

/// Random search over a study's architectures with a cheap ranking method, simulated from archived costs and scores
/// (FEAR seed 003, §4 "Random Search with FEAR": 10 trials, each visiting the same random sequence of candidates with
/// both methods; FEAR cuts off a candidate whose time to threshold exceeds c × the fastest seen so far).
///
/// Trial t visits every architecture once in the order of a Fisher–Yates shuffle driven by SplitMix64(seed + t)
/// (j = next() mod (i + 1), i from n − 1 down to 1). Then, for each method, the candidate with the best score is chosen and
/// its ground truth is the trial's final accuracy; the search time is the summed cost:
/// - shortreg: every candidate costs its seconds and is scored;
/// - FEAR with cut-off c: with f = the fastest time to threshold among candidates kept so far (∞ before the first), a
///   candidate whose time to threshold t ≤ c·f (or the first one) costs its full FEAR seconds, is scored, and updates f;
///   otherwise it is stopped at c·f seconds (cost min(c·f, its seconds)) and dropped. A candidate that never reached the
///   threshold has no score and costs min(c·f, its seconds).
/// Candidates without ground truth are skipped. NaN or ±∞ in any input is refused (throws, naming the input and row).
/// Reported: mean and sample standard deviation over trials.
public struct RandomSearchComparison: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var finalAccuracies: [Double]
        public var searchSeconds: [Double]
    }

    public var fear: Outcome
    public var shortreg: Outcome

    public init(groundTruth: [Double?], fearScores: [Double?], fearSeconds: [Double?], timeToThreshold: [Double?],
                shortregScores: [Double?], shortregSeconds: [Double?], cutoff: Double, trials: Int, seed: UInt64) throws {
        let n = groundTruth.count
        guard [fearScores.count, fearSeconds.count, timeToThreshold.count, shortregScores.count, shortregSeconds.count].allSatisfy({ $0 == n }) else {
            throw StatisticError.lengthMismatch(n, fearScores.count)
        }
        for (name, v) in [("ground truth", groundTruth), ("FEAR score", fearScores), ("FEAR seconds", fearSeconds),
                          ("time to threshold", timeToThreshold), ("shortreg score", shortregScores), ("shortreg seconds", shortregSeconds)] {
            if let i = v.firstIndex(where: { $0.map { !$0.isFinite } ?? false }) { throw StatisticError.nonFinite(which: name, index: i) }
        }
        guard trials >= 1, cutoff >= 1 else { throw StatisticError.undefined("random search needs ≥ 1 trial and a cut-off ≥ 1") }
        var fear = Outcome(finalAccuracies: [], searchSeconds: []), short = fear
        for t in 0..<trials {
            var order = Array(0..<n)
            var rng = SplitMix64(seed: seed &+ UInt64(t))
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            order = order.filter { groundTruth[$0] != nil }
            guard !order.isEmpty else { throw StatisticError.undefined("no architecture has a ground truth") }
            // shortreg
            var cost = 0.0, best: Int?
            for i in order {
                cost += shortregSeconds[i] ?? 0
                if let s = shortregScores[i], best.map({ s > shortregScores[$0]! }) ?? true { best = i }
            }
            guard let chosen = best else { throw StatisticError.undefined("no architecture has a shortreg score") }
            short.finalAccuracies.append(groundTruth[chosen]!); short.searchSeconds.append(cost)
            // FEAR with cut-off
            var fastest = Double.infinity
            cost = 0; best = nil
            for i in order {
                let full = fearSeconds[i] ?? 0
                if let score = fearScores[i], let ttt = timeToThreshold[i], fastest == .infinity || ttt <= cutoff * fastest {
                    cost += full
                    fastest = min(fastest, ttt)
                    if best.map({ score > fearScores[$0]! }) ?? true { best = i }
                } else {
                    cost += min(cutoff * fastest, full)
                }
            }
            guard let chosenFear = best else { throw StatisticError.undefined("no architecture reached the FEAR threshold") }
            fear.finalAccuracies.append(groundTruth[chosenFear]!); fear.searchSeconds.append(cost)
        }
        self.fear = fear
        self.shortreg = short
    }
}
