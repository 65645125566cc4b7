import SplitMix
import Testing

/// The project's one seeded generator gives the reference stream. Expected values: the first outputs of the reference
/// C code for seed 0 (splitmix64.c, Vigna; also computed by the Python loop below), and nextUnit / next(below:) derived
/// from them by hand with Python integers:
///     M = 2**64 - 1; s = 0
///     for _ in range(3): s = (s + 0x9E3779B97F4A7C15) & M; z = s; z = ((z ^ z >> 30) * 0xBF58476D1CE4E5B9) & M
///                        z = ((z ^ z >> 27) * 0x94D049BB133111EB) & M; print(hex(z ^ z >> 31))
///     (0xE220A8397B1DCDAF >> 11) * 2**-53 = 0.8833108082136426;  (10 * 0x6E789E6AA1B965F4) >> 64 = 4;
///     (1000 * 0x06C45D188009454F) >> 64 = 26
struct SplitMix64Tests {
    @Test func firstOutputsOfSeedZero() {
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func derivedDraws() {
        var g = SplitMix64(seed: 0)
        #expect(g.nextUnit() == 0.8833108082136426)
        #expect(g.next(below: 10) == 4)
        #expect(g.next(below: 1000) == 26)
    }
}
