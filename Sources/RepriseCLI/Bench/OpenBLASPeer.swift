import Foundation

/// OpenBLAS's `cblas_sgemm`, the speed peer of `bench kernels`, loaded at run time with `dlopen`.
///
/// Why not linked: OpenBLAS is a benchmark peer (and, in tests, an oracle), never part of the product's arithmetic,
/// so the shipped `reprise` binary must not depend on it. `bench kernels` loads `libopenblas.so.0` (Debian's
/// `libopenblas0`, installed by scripts/setup.sh) when it runs; without it, the command says so and exits 3.
struct OpenBLASPeer {
    private typealias SGEMM = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>, Int32,
                                              UnsafePointer<Float>, Int32, Float, UnsafeMutablePointer<Float>, Int32) -> Void
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private let sgemm: SGEMM
    private let setThreads: SetThreads

    /// CBLAS enum values (cblas.h): CblasRowMajor = 101, CblasNoTrans = 111.
    private static let rowMajor: Int32 = 101, noTranspose: Int32 = 111

    /// Names tried in order: the versioned name first (present without the -dev package), then the development link.
    static let libraryNames = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"]

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        var handle: UnsafeMutableRawPointer?
        for name in Self.libraryNames where handle == nil { handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) }
        guard let handle else {
            throw Unavailable(description: "OpenBLAS not found (tried \(Self.libraryNames.joined(separator: ", "))): install it with scripts/setup.sh (apt libopenblas-dev)")
        }
        guard let g = dlsym(handle, "cblas_sgemm"), let t = dlsym(handle, "openblas_set_num_threads") else {
            throw Unavailable(description: "the loaded OpenBLAS lacks cblas_sgemm or openblas_set_num_threads")
        }
        sgemm = unsafeBitCast(g, to: SGEMM.self)
        setThreads = unsafeBitCast(t, to: SetThreads.self)
    }

    func setThreadCount(_ n: Int) { setThreads(Int32(n)) }

    /// C = A·B for row-major A (m × k), B (k × n), C (m × n).
    func multiply(m: Int, n: Int, k: Int, a: [Float], b: [Float], c: inout [Float]) {
        sgemm(Self.rowMajor, Self.noTranspose, Self.noTranspose, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
    }
}
