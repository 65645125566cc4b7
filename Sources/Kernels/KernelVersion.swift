/// The version of the kernels' arithmetic: every run manifest records it, so a run is replayed bit for bit only by
/// kernels that compute the same chains.
///
/// Bump it whenever any kernel's order of operations changes (a GEMM chain, a reduction's chunking, a convolution's
/// tap order, an element-wise formula): results of older runs are then not reproducible bit for bit, and their run
/// IDs must differ. `Tests/ReplayTests/PinnedBitsTests.swift` pins the bits of a tiny fixed-seed run, so a changed
/// chain fails a test until this version is bumped and the pinned digests are renewed.
public enum KernelVersion {
    public static let current = "kernels-1"
}
