import CKernels

/// Training allocates and frees the same large activation buffers every step. glibc serves blocks above 128 KiB with
/// fresh mmap pages, which the kernel must fault in and zero each time (8% of a training step, measured with perf).
/// Raising the mmap and trim thresholds keeps those blocks in the heap for reuse. Affects speed only, never values.
public enum MemoryPolicy {
    public static func keepLargeBlocksInHeap() { reprise_keep_large_blocks_in_heap() }
}
