@_exported import SplitMix

/// `count` floats uniform in [-1, 1) on a 2⁻²³ grid, reproducible from `seed`: value i = (next() >> 40)·2⁻²⁴·2 − 1 of
/// SplitMix64(seed), so every value is exact in Float.
public func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in Float(Double(rng.next() >> 40) / Double(1 << 24) * 2 - 1) }
}

/// Bit patterns, so that a comparison distinguishes -0 from +0 and treats equal NaNs as equal.
public func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

/// `count` bytes from SplitMix64(seed), eight per output, low byte first.
public func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    var out: [UInt8] = []
    out.reserveCapacity(count + 7)
    while out.count < count { withUnsafeBytes(of: rng.next().littleEndian) { out.append(contentsOf: $0) } }
    return Array(out.prefix(count))
}
