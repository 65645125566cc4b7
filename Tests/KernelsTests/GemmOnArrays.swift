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
