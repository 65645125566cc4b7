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
