import Analyze
import Foundation
import Testing

@Suite struct RankingAgreementTests {
    struct Golden: Decodable {
        struct Bin: Decodable { var percent: Int; var k: Int; var spearman: Double?; var common: Double }
        struct Case: Decodable { var n: Int; var groundTruth: [Double]; var method: [Double]; var bins: [Bin] }
        var cases: [Case]
    }

    /// Against scripts/golden/ranking_agreement.py (an independent numpy/scipy implementation of the definition).
    @Test func matchesIndependentScript() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/ranking_agreement.json")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        for c in golden.cases {
            let ours = try rankingAgreement(groundTruth: c.groundTruth, method: c.method)
            #expect(ours.count == c.bins.count)
            for (a, b) in zip(ours, c.bins) {
                #expect(a.percent == b.percent && a.k == b.k)
                #expect(a.commonRatio == b.common, "n=\(c.n) x=\(b.percent)")
                if let expected = b.spearman {
                    #expect(a.spearman.map { closeRelative($0, expected) } == true, "n=\(c.n) x=\(b.percent): \(String(describing: a.spearman)) vs \(expected)")
                } else {
                    #expect(a.spearman == nil && a.spearmanUndefinedReason != nil)
                }
            }
        }
    }

    @Test func empiricalCDFByHand() throws {
        let cdf = try empiricalCDF([3, 1, 3, 2])
        #expect(cdf.map(\.value) == [1, 2, 3])
        #expect(cdf.map(\.fraction) == [0.25, 0.5, 1])
        #expect(try empiricalCDF([]).isEmpty)
    }
}

/// Pair-order accuracy and the majority vote, derived by hand.
struct PairwiseOrderTests {
    @Test func singleScoreCountsStrictAgreement() throws {
        // truth 3 > 2 > 1; score orders (0,1) right, (0,2) right, (1,2) wrong → 2/3.
        let r = try pairwiseOrderAccuracy(truth: [3, 2, 1], scores: [[10, 5, 6]])
        #expect(r.pairs == 3)
        #expect(abs(r.accuracy - 2.0 / 3.0) < 1e-15)
        // A tie in the score is never correct; a tie in the truth is not a pair.
        // (0,1): truth 3 > 2 but the score ties → wrong; (0,2): right → 1/2.
        #expect(try pairwiseOrderAccuracy(truth: [3, 2, 2], scores: [[1, 1, 0]]).accuracy == 0.5)
        #expect(try pairwiseOrderAccuracy(truth: [3, 2, 2], scores: [[1, 1, 0]]).pairs == 2)
    }

    @Test func voteNeedsTwoOfThree() throws {
        // truth: 0 > 1. Scores: A says 0 > 1, B says 0 > 1, C says 1 > 0 → the vote is right.
        #expect(try pairwiseOrderAccuracy(truth: [2, 1], scores: [[1, 0], [5, 4], [0, 1]]).accuracy == 1)
        // Only one of three agrees → wrong.
        #expect(try pairwiseOrderAccuracy(truth: [2, 1], scores: [[1, 0], [4, 5], [0, 1]]).accuracy == 0)
        // Rows with a missing score are left out; nothing left → an error, not a number.
        #expect(throws: StatisticError.self) { try pairwiseOrderAccuracy(truth: [2, 1], scores: [[1, nil]]) }
    }
}

/// Random search with FEAR's cut-off against shortreg, on a case small enough to follow by hand.
struct RandomSearchTests {
    @Test func cutOffDropsSlowCandidatesAndChargesTheCutOffTime() throws {
        // Three architectures; truth: 2 is best. FEAR: times to threshold 1, 10, 2 (full FEAR 3, 12, 4 s); scores favour 2.
        // With one trial every order is some permutation; whatever it is, architecture 1 (10 > 4 × 1 or 4 × 2) is cut
        // off once a faster one was seen, and kept only if visited first.
        let r = try RandomSearchComparison(
            groundTruth: [80, 70, 90], fearScores: [50, 60, 70], fearSeconds: [3, 12, 4], timeToThreshold: [1, 10, 2],
            shortregScores: [5, 6, 4], shortregSeconds: [2, 2, 2], cutoff: 4, trials: 20, seed: 1)
        #expect(r.fear.finalAccuracies.allSatisfy { $0 == 90 })      // 2 is never cut: 2 ≤ 4 × 1
        #expect(r.shortreg.finalAccuracies.allSatisfy { $0 == 70 })  // shortreg prefers 1
        #expect(r.shortreg.searchSeconds.allSatisfy { $0 == 6 })
        // FEAR's cost: 3 + 4 + (4 × fastest or 12): 1 first → 12 + 7 = 19 s; otherwise the cut costs 4 × 1 or 4 × 2 = 8 ≤ 12.
        for s in r.fear.searchSeconds { #expect([19.0, 11.0, 15.0].contains(s), "\(s)") }
    }

    @Test func noFearScoreIsAnError() {
        #expect(throws: StatisticError.self) {
            try RandomSearchComparison(groundTruth: [1, 2], fearScores: [nil, nil], fearSeconds: [1, 1], timeToThreshold: [1, 1],
                                       shortregScores: [1, 2], shortregSeconds: [1, 1], cutoff: 4, trials: 1, seed: 0)
        }
    }
}
