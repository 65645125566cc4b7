import CKernels
import COpenBLAS
import Kernels
import Testing
import TestSupport

@Suite struct GemmTests {
    /// Fast and reference GEMM agree bit for bit on enumerated odd shapes, every transpose, with and without accumulation.
    /// (22, 45, 10_007) is deep enough for `multiplyDeep` (few rows and columns, long k: a 1×1 weight gradient);
    /// (170, 530, 101) is wide enough to be split by columns among the workers.
    @Test(arguments: [(1, 1, 1), (5, 7, 3), (6, 16, 1), (7, 17, 9), (13, 33, 300), (170, 20, 5), (1, 200, 513), (37, 3100, 11),
                      (22, 45, 10_007), (170, 530, 101)])
    func fastEqualsReferenceBitwise(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
            for accumulate in [false, true] {
                let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2), c0 = randomFloats(m * n, seed: 3)
                var fast = c0, slow = c0
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        let av = transA ? StridedMatrix(rowMajor: ap.baseAddress!, ld: m).transposed
                                        : StridedMatrix(rowMajor: ap.baseAddress!, ld: k)
                        let bv = transB ? StridedMatrix(rowMajor: bp.baseAddress!, ld: k).transposed
                                        : StridedMatrix(rowMajor: bp.baseAddress!, ld: n)
                        Gemm.multiply(m: m, n: n, k: k, a: av, b: bv, c: &fast, ldc: n, accumulate: accumulate, workers: Workers(2))
                        Gemm.reference(m: m, n: n, k: k, a: av, b: bv, c: &slow, ldc: n, accumulate: accumulate)
                    }
                }
                #expect(bits(fast) == bits(slow), "m=\(m) n=\(n) k=\(k) transA=\(transA) transB=\(transB) acc=\(accumulate)")
            }
        }
    }

    /// The micro-kernels agree bit for bit: the dispatched (AVX2 here) and portable `fmaf` tiles, packed or with A read in
    /// place (row-major and column-major A), full and partial widths, with and without loading C.
    @Test func microKernelsAgree() {
        let (mr, nr) = (Gemm.mr, Gemm.nr)
        for kc in [1, 7, 64] {
            for width in [nr, 5] {
                for load in [0, 1] as [Int32] {
                    let rows = randomFloats(mr * 70, seed: 31), c0 = randomFloats(mr * 20, seed: 33)
                    // Packed B panels are 32-byte aligned (the kernels use aligned loads), as Gemm allocates them.
                    let b = UnsafeMutableRawPointer.allocate(byteCount: kc * nr * 4, alignment: 64).bindMemory(to: Float.self, capacity: kc * nr)
                    defer { b.deallocate() }
                    for (i, v) in randomFloats(kc * nr, seed: 32).enumerated() { b[i] = v }
                    var packed = [Float](repeating: 0, count: kc * mr)
                    for p in 0..<kc { for i in 0..<mr { packed[p * mr + i] = rows[i * 70 + p] } }
                    var columns = [Float](repeating: 0, count: kc * 9)   // A[i][p] at columns[p*9 + i]
                    for p in 0..<kc { for i in 0..<mr { columns[p * 9 + i] = rows[i * 70 + p] } }
                    var results: [[UInt32]] = []
                    var c = c0
                    reprise_sgemm_microkernel(Int64(kc), packed, b, &c, 20, load, Int64(mr), Int64(width)); results.append(bits(c))
                    c = c0
                    reprise_sgemm_microkernel_portable(Int64(kc), packed, b, &c, 20, load, Int64(mr), Int64(width)); results.append(bits(c))
                    c = c0
                    reprise_sgemm_microkernel_unpacked(Int64(kc), rows, 70, 1, b, &c, 20, load, Int64(width)); results.append(bits(c))
                    c = c0
                    reprise_sgemm_microkernel_unpacked(Int64(kc), columns, 1, 9, b, &c, 20, load, Int64(width)); results.append(bits(c))
                    c = c0
                    reprise_sgemm_microkernel_unpacked_portable(Int64(kc), rows, 70, 1, b, &c, 20, load, Int64(width)); results.append(bits(c))
                    for r in results.dropFirst() { #expect(r == results[0], "kc \(kc) width \(width) load \(load)") }
                    #expect(results[0] != bits(c0) || kc == 0)
                }
            }
        }
    }

    /// The block-transposing A packer writes exactly what the one-float-at-a-time loop writes, for every panel height
    /// (partial panels are zero-filled), depths around the 8-wide blocks, and a row stride wider than the depth.
    @Test func packingAEqualsThePlainLoop() {
        let source = randomFloats(6 * 50, seed: 9)
        source.withUnsafeBufferPointer { src in
            for height in 1...Gemm.mr {
                for depth in [0, 1, 7, 8, 9, 16, 23, 40] {
                    var fast = [Float](repeating: .nan, count: depth * Gemm.mr)
                    var plain = [Float](repeating: -.nan, count: depth * Gemm.mr)
                    reprise_sgemm_pack_a(src.baseAddress! + 3, 50, Int64(height), Int64(depth), &fast)
                    reprise_sgemm_pack_a_plain(src.baseAddress! + 3, 50, Int64(height), Int64(depth), &plain)
                    #expect(bits(fast) == bits(plain), "height \(height) depth \(depth)")
                    if depth > 1 { #expect(plain[Gemm.mr] == source[3 + 1]) }   // panel[1*MR + 0] = row 0, column 1
                }
            }
        }
    }

    /// Same bits with 1, 2 and 3 workers, on a shape that spans several blocks in every dimension.
    /// (With 2 and 3 workers the first shape is split by columns and the second takes the deep path; with 1 both take
    /// the blocked loop.)
    @Test(arguments: [(400, 3200, 600), (40, 100, 20_000)])
    func resultDoesNotDependOnWorkerCount(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let a = randomFloats(m * k, seed: 4), b = randomFloats(k * n, seed: 5)
        var outputs: [[UInt32]] = []
        for w in 1...3 {
            var c = [Float](repeating: .nan, count: m * n)
            gemm(m, n, k, a, b, &c, workers: Workers(w))
            outputs.append(bits(c))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0] == outputs[2])
    }

    /// Splitting k into consecutive accumulating calls gives the bits of one call (the contract's chain property).
    @Test func splittingDepthIsExact() {
        let (m, n, k) = (23, 45, 700)
        let a = randomFloats(m * k, seed: 6), b = randomFloats(k * n, seed: 7)
        var whole = [Float](repeating: 0, count: m * n), split = whole
        gemm(m, n, k, a, b, &whole)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                for (start, end) in [(0, 123), (123, 500), (500, 700)] {
                    Gemm.multiply(m: m, n: n, k: end - start,
                                  a: StridedMatrix(rowMajor: ap.baseAddress! + start, ld: k),
                                  b: StridedMatrix(rowMajor: bp.baseAddress! + start * n, ld: n),
                                  c: &split, ldc: n, accumulate: start > 0)
                }
            }
        }
        #expect(bits(whole) == bits(split))
    }

    /// Against OpenBLAS (a different summation order): |fast − blas| ≤ 2·k·u·Σ|a||b| per element, the standard
    /// forward-error bound γ_k·(|A||B|) for two different orders (Higham, Accuracy and Stability, §3.5), u = 2⁻²⁴.
    @Test func agreesWithOpenBLASWithinForwardErrorBound() {
        let (m, n, k) = (97, 131, 517)
        let a = randomFloats(m * k, seed: 8), b = randomFloats(k * n, seed: 9)
        var ours = [Float](repeating: 0, count: m * n), blas = ours
        gemm(m, n, k, a, b, &ours, workers: Workers(2))
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &blas, Int32(n))
        let u = Double(Float.ulpOfOne) / 2
        for i in 0..<m {
            for j in 0..<n {
                var magnitude = 0.0
                for p in 0..<k { magnitude += abs(Double(a[i * k + p]) * Double(b[p * n + j])) }
                let bound = 2 * Double(k) * u * magnitude
                #expect(abs(Double(ours[i * n + j]) - Double(blas[i * n + j])) <= bound)
            }
        }
    }

    /// An independent check of the reference itself: integer-valued inputs make every product and partial sum exact in
    /// Float, so the result equals the Int64 product (hand-derivable, order-free).
    @Test func referenceIsExactOnSmallIntegers() {
        let (m, n, k) = (9, 11, 40)
        var rng = SplitMix64(seed: 10)
        let ai = (0..<(m * k)).map { _ in Int64(rng.next() % 17) - 8 }
        let bi = (0..<(k * n)).map { _ in Int64(rng.next() % 17) - 8 }
        var c = [Float](repeating: 0, count: m * n)
        gemm(m, n, k, ai.map { Float($0) }, bi.map { Float($0) }, &c, reference: true)
        for i in 0..<m {
            for j in 0..<n {
                let exact = (0..<k).reduce(Int64(0)) { $0 + ai[i * k + $1] * bi[$1 * n + j] }
                #expect(c[i * n + j] == Float(exact))
            }
        }
    }
}
