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
