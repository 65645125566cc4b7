/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): a small, fast,
/// seedable generator, the one generator of the project's reproducible draws outside training (bootstrap resamples,
/// random-search orders, rounding probes, fsck's sample) and of its tests' inputs. Training and augmentation use Philox
/// (Replay), keyed by purpose, epoch and index.
///
/// next(): state += 0x9E3779B97F4A7C15; z = state; z = (z ^ z>>30)·0xBF58476D1CE4E5B9; z = (z ^ z>>27)·0x94D049BB133111EB;
/// return z ^ z>>31 (all mod 2⁶⁴). So the i-th output (0-based) of seed s depends only on s + (i+1)·0x9E3779B97F4A7C15.
/// First outputs for seed 0: 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F (the reference C code's;
/// pinned by a test). The Python golden scripts re-implement it to draw the same numbers.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits: (next() >> 11)·2⁻⁵³.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// An integer in 0..<n: the high 64 bits of n·next() (bias below n/2⁶⁴).
    public mutating func next(below n: Int) -> Int { Int(UInt64(n).multipliedFullWidth(by: next()).high) }
}
