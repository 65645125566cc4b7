/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator. Used where Analyze needs reproducible
/// randomness (bootstrap resamples, rounding probes); the Python golden scripts re-implement it to draw the same numbers.
/// next(): state += 0x9E3779B97F4A7C15; z = state; z = (z ^ z>>30)·0xBF58476D1CE4E5B9; z = (z ^ z>>27)·0x94D049BB133111EB;
/// return z ^ z>>31 (all mod 2⁶⁴).
public struct SplitMix64: Sendable {
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
