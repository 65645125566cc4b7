/// SplitMix64: a tiny seeded generator for test inputs (Steele, Lea & Flood 2014). First output for seed 0: 0xE220A8397B1DCDAF.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `count` floats uniform in [-1, 1), reproducible from `seed`.
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in Float(Double(rng.next() >> 40) / Double(1 << 24) * 2 - 1) }
}

/// Bit patterns, so that a comparison distinguishes -0 from +0 and treats equal NaNs as equal.
func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

import Kernels

/// Runs the fast GEMM (or the reference) on row-major arrays, keeping every pointer inside its scope
/// (an implicit array-to-pointer conversion would dangle once `StridedMatrix.init` returns).
func gemm(_ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ b: [Float], _ c: inout [Float],
          accumulate: Bool = false, workers: Workers = .serial, reference: Bool = false) {
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            let av = StridedMatrix(rowMajor: ap.baseAddress!, ld: k), bv = StridedMatrix(rowMajor: bp.baseAddress!, ld: n)
            if reference {
                Gemm.reference(m: m, n: n, k: k, a: av, b: bv, c: &c, ldc: n, accumulate: accumulate)
            } else {
                Gemm.multiply(m: m, n: n, k: k, a: av, b: bv, c: &c, ldc: n, accumulate: accumulate, workers: workers)
            }
        }
    }
}
