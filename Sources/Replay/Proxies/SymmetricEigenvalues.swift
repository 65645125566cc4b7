/// Eigenvalues of a real symmetric n×n matrix (row-major), ascending, by the cyclic Jacobi method: sweeps of plane
/// rotations over every (p, q) pair, p < q, each zeroing a[p][q] (rotation angle from t = sgn(θ)/(|θ| + √(θ² + 1)),
/// θ = (a_qq − a_pp)/(2a_pq)), until the off-diagonal sum of squares is below 1e-30 of the matrix's, or 100 sweeps.
/// Only the lower-and-upper symmetric part is read as given; the matrix is not checked for symmetry beyond using
/// a[p][q]. Deterministic (fixed sweep order). Reference for tests: numpy.linalg.eigvalsh.
func symmetricEigenvalues(_ matrix: [Double], n: Int) -> [Double] {
    precondition(matrix.count == n * n)
    var a = matrix
    let total = a.reduce(0) { $0 + $1 * $1 }
    for _ in 0..<100 {
        var off = 0.0
        for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += 2 * a[p * n + q] * a[p * n + q] } }
        if off <= 1e-30 * total || off == 0 { break }
        for p in 0..<n {
            for q in (p + 1)..<max(p + 1, n) {
                let apq = a[p * n + q]
                if apq == 0 { continue }
                let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {
                    let akp = a[k * n + p], akq = a[k * n + q]
                    a[k * n + p] = c * akp - s * akq
                    a[k * n + q] = s * akp + c * akq
                }
                for k in 0..<n {
                    let apk = a[p * n + k], aqk = a[q * n + k]
                    a[p * n + k] = c * apk - s * aqk
                    a[q * n + k] = s * apk + c * aqk
                }
            }
        }
    }
    return (0..<n).map { a[$0 * n + $0] }.sorted()
}
