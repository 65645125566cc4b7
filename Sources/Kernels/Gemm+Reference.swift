extension Gemm {
    /// The algorithmic reference of `Gemm.multiply`: three plain loops, the same contract and the same arithmetic
    /// (`Float.addingProduct` is IEEE fused multiply-add), so the two must agree bit for bit.
    public static func reference(
        m: Int, n: Int, k: Int,
        a: StridedMatrix, b: StridedMatrix,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = accumulate ? c[i * ldc + j] : 0
                for p in 0..<k {
                    sum = sum.addingProduct(a.base[i * a.rowStride + p * a.columnStride],
                                            b.base[p * b.rowStride + j * b.columnStride])
                }
                c[i * ldc + j] = sum
            }
        }
    }
}
