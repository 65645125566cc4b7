import Replay
import Testing

@Suite struct PhiloxTests {
    /// Random123 known-answer vectors for philox4x32_10 (Random123-1.09/tests/kat_vectors).
    @Test func knownAnswers() {
        let zero = Philox(seed: 0).block((0, 0, 0, 0))
        #expect([zero.0, zero.1, zero.2, zero.3] == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let ones = Philox(seed: 0xffff_ffff_ffff_ffff).block((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff))
        #expect([ones.0, ones.1, ones.2, ones.3] == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let pi = Philox(seed: 0x299f_31d0_a409_3822).block((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344))
        #expect([pi.0, pi.1, pi.2, pi.3] == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    @Test func drawsAreOrderFreeAndInRange() {
        let rng = Philox(seed: 42)
        let forward = (0..<1000).map { rng.uniform(purpose: .shuffle, epoch: 3, index: $0) }
        let backward = (0..<1000).reversed().map { rng.uniform(purpose: .shuffle, epoch: 3, index: $0) }.reversed()
        #expect(forward == Array(backward))
        #expect(forward.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect((0..<1000).allSatisfy { rng.integer(below: 7, purpose: .sampler, epoch: 0, index: $0) < 7 })
        // Different purposes give different streams.
        #expect(rng.uniform(purpose: .shuffle, epoch: 0, index: 0) != rng.uniform(purpose: .augmentation, epoch: 0, index: 0))
        // Mean of 100k uniforms within 5σ of 1/2 (σ = 1/√(12·10⁵) ≈ 0.00091).
        let mean = (0..<100_000).reduce(0.0) { $0 + Double(rng.uniform(purpose: .dataset, epoch: 0, index: $1)) } / 100_000
        #expect(abs(mean - 0.5) < 0.0046)
    }
}
