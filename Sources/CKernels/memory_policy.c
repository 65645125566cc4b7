// See Sources/Kernels/MemoryPolicy.swift: keeps large freed blocks in the heap (glibc only; elsewhere a no-op).
#include "CKernels.h"
#if defined(__GLIBC__)
#include <malloc.h>
#include <limits.h>
#endif

void reprise_keep_large_blocks_in_heap(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}
