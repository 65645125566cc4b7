import CKernels

/// Single-precision matrix multiply, the workhorse of every convolution and fully connected layer.
///
/// Contract:  C[m×n] := (accumulate ? C : 0) ⊕ A[m×k] · B[k×n]
///
/// Arithmetic (exact, independent of blocking and worker count): every output is one chain of IEEE fused multiply-adds
///     c ← (accumulate ? C[i,j] : +0);  for p in 0..<k { c ← fma(A[i,p], B[p,j], c) }
/// so `Gemm.multiply` is bitwise equal to `Gemm.reference`, and a product split along k into consecutive calls with
/// `accumulate: true` is bitwise equal to one call over the whole k.
///
/// Layout: A and B are strided views (`rowStride`, `columnStride` in elements), which gives every transpose for free;
/// C is row-major with row stride `ldc` and unit column stride.
///
/// Blocking (BLIS-style, all loops in Swift; only the 6×16 micro-kernel is C, see Sources/CKernels/README.md):
///
///     for jc in 0..<n step NC                      B block  kc×nc  packed into NR-wide panels (shared, L3)
///       for pc in 0..<k step KC
///         for ic in 0..<m step MC      [parallel]  A block  mc×kc  packed into MR-tall panels (per worker, L2)
///           for jr in 0..<nc step NR               B panel  kc×NR  (L1)
///             for ir in 0..<mc step MR             micro-kernel: 6×16 tile of C, 12 AVX2 accumulators
///
/// Work is split over (ic block × column chunk) items; since each element's chain is fixed, the split may depend on the
/// worker count without changing a bit.
public enum Gemm {
    public static let mr = Int(REPRISE_SGEMM_MR)
    public static let nr = Int(REPRISE_SGEMM_NR)
    /// Rows of A packed per block (multiple of MR): 168 × 256 × 4 B = 168 KiB, half of the 512 KiB L2 of this machine.
    public static let mc = 168
    /// Depth of one packed block: a 256 × 16 × 4 B = 16 KiB B panel stays in the 32 KiB L1.
    public static let kc = 256
    /// Columns of B packed per block (multiple of NR).
    public static let nc = 3072

    /// Multiply-adds below which one (jc, pc) block runs on one thread (≈ 0.1 ms of work).
    public static let minimumParallelWork = 1 << 21

    /// Whether the AVX2/FMA micro-kernel is in use (else the portable `fmaf` path, same bits, slower).
    public static var usesAVX2: Bool { reprise_sgemm_uses_avx2() != 0 }

    public static func multiply(
        m: Int, n: Int, k: Int,
        a: StridedMatrix, b: StridedMatrix,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, workers: Workers = .serial
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0 && ldc >= n, "Gemm: bad shape m=\(m) n=\(n) k=\(k) ldc=\(ldc)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        if m <= deepRows, n <= nc, k > kc, n > nr, workers.count > 1, m * n * k >= Gemm.minimumParallelWork * 4 {
            multiplyDeep(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, workers: workers)
            return
        }
        if workers.count > 1, n >= wideColumns, m >= mc, m * n * k >= Gemm.minimumParallelWork * 4 {
            // Wide products: each worker runs the serial blocked loop on its own contiguous share of the columns (whole
            // NR panels), packing its own B and A, with no synchronisation until the end. Each element's chain is
            // still pc-block by pc-block in increasing p inside one worker: same bits as the shared loop below.
            let panels = (n + nr - 1) / nr
            let shares = workers.count
            workers.forEach(shares) { share, _ in
                let first = share * panels / shares * nr, end = Swift.min(n, (share + 1) * panels / shares * nr)
                if first >= end { return }
                let bShare = StridedMatrix(base: b.base + first * b.columnStride, rowStride: b.rowStride, columnStride: b.columnStride)
                multiply(m: m, n: end - first, k: k, a: a, b: bShare, c: c + first, ldc: ldc, accumulate: accumulate, workers: .serial)
            }
            return
        }
        // The micro-kernel uses aligned 32-byte loads on packed B; every panel offset is a multiple of 64 bytes.
        let packedB = allocateAligned(kc * nc)
        defer { packedB.deallocate() }
        let packedA = allocateAligned(workers.count * mc * kc)
        defer { packedA.deallocate() }

        for jc in stride(from: 0, to: n, by: nc) {
            let ncCur = Swift.min(nc, n - jc)
            let bPanels = (ncCur + nr - 1) / nr
            for pc in stride(from: 0, to: k, by: kc) {
                let kcCur = Swift.min(kc, k - pc)
                let load = accumulate || pc > 0
                // A block too small to share costs more in thread wake-ups than it saves: run it on the calling thread.
                // (Only wall time changes: the split never changes a bit.)
                let workers = m * ncCur * kcCur >= Gemm.minimumParallelWork ? workers : .serial
                workers.forEach(bPanels) { panel, _ in
                    packPanelB(b, row: pc, column: jc + panel * nr, depth: kcCur,
                               width: Swift.min(nr, ncCur - panel * nr), into: packedB + panel * kcCur * nr)
                }
                // Row blocks of at most MC rows, as many as a multiple of the worker count (so no worker idles at the end
                // of the loop): the height of a block only decides who computes which rows, never a bit.
                let rounds = (m + mc * workers.count - 1) / (mc * workers.count)
                let blockRows = Swift.min(mc, ((m + rounds * workers.count - 1) / (rounds * workers.count) + mr - 1) / mr * mr)
                let mBlocks = (m + blockRows - 1) / blockRows
                // Enough items for every worker: split columns only when there are few row blocks.
                let chunks = mBlocks >= 2 * workers.count ? 1 : Swift.min(bPanels, (2 * workers.count + mBlocks - 1) / mBlocks)
                let panelsPerChunk = (bPanels + chunks - 1) / chunks
                workers.forEach(mBlocks * chunks) { item, worker in
                    let ic = (item / chunks) * blockRows
                    let mcCur = Swift.min(blockRows, m - ic)
                    let firstPanel = (item % chunks) * panelsPerChunk
                    let lastPanel = Swift.min(bPanels, firstPanel + panelsPerChunk)
                    if firstPanel >= lastPanel { return }
                    let aBlock = packedA + worker * mc * kc
                    let aPanels = (mcCur + mr - 1) / mr
                    let inPlace = readsAInPlace(a, columns: ncCur)
                    packBlockA(a, row: ic, rows: mcCur, column: pc, depth: kcCur, inPlace: inPlace, into: aBlock)
                    for jp in firstPanel..<lastPanel {
                        let jr = jp * nr
                        let nrCur = Swift.min(nr, ncCur - jr)
                        let bPanel = packedB + jp * kcCur * nr
                        for ip in 0..<aPanels {
                            let ir = ip * mr
                            tile(a, row: ic + ir, column: pc, inPlace: inPlace, packed: aBlock + ip * kcCur * mr, depth: kcCur,
                                 bPanel: bPanel, c: c + (ic + ir) * ldc + jc + jr, ldc: ldc, load: load,
                                 height: Swift.min(mr, mcCur - ir), width: nrCur)
                        }
                    }
                }
            }
        }
    }

    /// Columns from which a product with several workers is split by columns (one share per worker) rather than by
    /// row blocks with a shared packed B.
    public static let wideColumns = 256

    /// Rows up to which `multiplyDeep` is used (its A block, m × KC, is packed or read in place per worker).
    static let deepRows = 512

    /// Few rows and columns, long depth (the weight gradients of 1×1 convolutions: m, n = channels, k = N·H·W): each
    /// (jc, pc) block is too small to share, so the blocked loop above would run them all on one thread. Here each worker
    /// takes a contiguous range of B panels and walks the whole depth for it (packing the A block itself, so A is packed
    /// once per worker): one synchronisation per product instead of one per KC. Each element's chain is still
    /// pc-block by pc-block in increasing p inside one item, so the bits are those of the blocked loop.
    static func multiplyDeep(m: Int, n: Int, k: Int, a: StridedMatrix, b: StridedMatrix,
                             c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, workers: Workers) {
        let bPanels = (n + nr - 1) / nr
        let items = Swift.min(bPanels, workers.count)
        let panelsPerItem = (bPanels + items - 1) / items
        let packedB = allocateAligned(workers.count * kc * panelsPerItem * nr)
        defer { packedB.deallocate() }
        let aPanels = (m + mr - 1) / mr
        let packedA = allocateAligned(workers.count * aPanels * mr * kc)
        defer { packedA.deallocate() }
        let inPlace = readsAInPlace(a, columns: n)
        workers.forEach(items) { item, worker in
            let firstPanel = item * panelsPerItem, lastPanel = Swift.min(bPanels, firstPanel + panelsPerItem)
            if firstPanel >= lastPanel { return }
            let aBlock = packedA + worker * aPanels * mr * kc, bBlock = packedB + worker * kc * panelsPerItem * nr
            for pc in stride(from: 0, to: k, by: kc) {
                let kcCur = Swift.min(kc, k - pc)
                let load = accumulate || pc > 0
                packBlockA(a, row: 0, rows: m, column: pc, depth: kcCur, inPlace: inPlace, into: aBlock)
                for jp in firstPanel..<lastPanel {
                    packPanelB(b, row: pc, column: jp * nr, depth: kcCur, width: Swift.min(nr, n - jp * nr),
                               into: bBlock + (jp - firstPanel) * kcCur * nr)
                }
                for jp in firstPanel..<lastPanel {
                    let bPanel = bBlock + (jp - firstPanel) * kcCur * nr
                    let nrCur = Swift.min(nr, n - jp * nr)
                    for ip in 0..<aPanels {
                        tile(a, row: ip * mr, column: pc, inPlace: inPlace, packed: aBlock + ip * kcCur * mr, depth: kcCur,
                             bPanel: bPanel, c: c + ip * mr * ldc + jp * nr, ldc: ldc, load: load,
                             height: Swift.min(mr, m - ip * mr), width: nrCur)
                    }
                }
            }
        }
    }

    /// Packs the MR-tall panels of A[row..<row+rows, column..<column+depth] that `tile` will read packed: all of them,
    /// or with `inPlace` only a partial last panel (full panels are then read where they are).
    @inline(__always)
    static func packBlockA(_ a: StridedMatrix, row: Int, rows: Int, column: Int, depth: Int, inPlace: Bool,
                           into block: UnsafeMutablePointer<Float>) {
        for panel in 0..<((rows + mr - 1) / mr) where !inPlace || rows - panel * mr < mr {
            packPanelA(a, row: row + panel * mr, column: column, height: Swift.min(mr, rows - panel * mr),
                       depth: depth, into: block + panel * depth * mr)
        }
    }

    /// One MR × NR tile of C from the A panel starting at (row, column): read in place when `inPlace` and the panel is
    /// full, else from its packed copy at `packed`.
    @inline(__always)
    static func tile(_ a: StridedMatrix, row: Int, column: Int, inPlace: Bool, packed: UnsafeMutablePointer<Float>, depth: Int,
                     bPanel: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool,
                     height: Int, width: Int) {
        if inPlace && height == mr {
            reprise_sgemm_microkernel_unpacked(Int64(depth), a.base + row * a.rowStride + column * a.columnStride,
                                               Int64(a.rowStride), Int64(a.columnStride), bPanel, c, Int64(ldc),
                                               load ? 1 : 0, Int64(width))
        } else {
            reprise_sgemm_microkernel(Int64(depth), packed, bPanel, c, Int64(ldc), load ? 1 : 0, Int64(height), Int64(width))
        }
    }

    /// Whether full A panels are read in place by `reprise_sgemm_microkernel_unpacked` rather than packed: when A has a
    /// unit stride in one direction and the block has at most `inPlaceColumns` columns, so each packed panel would be
    /// used by only a few B panels (the 1×1 convolutions of AnyNet-bench: 24–192 columns) and packing costs more than
    /// it saves. Wide products (square GEMMs) keep packing. Only speed depends on this: the chains are the same.
    static func readsAInPlace(_ a: StridedMatrix, columns: Int) -> Bool {
        columns <= inPlaceColumns && (a.columnStride == 1 || a.rowStride == 1)
    }
    public static let inPlaceColumns = 256

    static func allocateAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    /// Copies A[row..<row+height, column..<column+depth] into an MR-tall panel: panel[p*MR + i], zero rows below `height`.
    @inline(__always)
    static func packPanelA(_ a: StridedMatrix, row: Int, column: Int, height: Int, depth: Int,
                           into panel: UnsafeMutablePointer<Float>) {
        if a.columnStride == 1 {
            reprise_sgemm_pack_a(a.base + row * a.rowStride + column, Int64(a.rowStride), Int64(height), Int64(depth), panel)
            return
        }
        if a.rowStride == 1 {
            reprise_sgemm_pack_a_columns(a.base + column * a.columnStride + row, Int64(a.columnStride), Int64(height), Int64(depth), panel)
            return
        }
        if height < mr { panel.update(repeating: 0, count: depth * mr) }
        for p in 0..<depth {
            let src = a.base + row * a.rowStride + (column + p) * a.columnStride
            for i in 0..<height { panel[p * mr + i] = src[i * a.rowStride] }
        }
    }

    /// Copies B[row..<row+depth, column..<column+width] into an NR-wide panel: panel[p*NR + j], zero columns past `width`.
    @inline(__always)
    static func packPanelB(_ b: StridedMatrix, row: Int, column: Int, depth: Int, width: Int,
                           into panel: UnsafeMutablePointer<Float>) {
        if width < nr { panel.update(repeating: 0, count: depth * nr) }
        if b.columnStride == 1 {
            for p in 0..<depth {
                (panel + p * nr).update(from: b.base + (row + p) * b.rowStride + column, count: width)
            }
        } else {
            for j in 0..<width {
                let src = b.base + row * b.rowStride + (column + j) * b.columnStride
                for p in 0..<depth { panel[p * nr + j] = src[p * b.rowStride] }
            }
        }
    }
}

/// A read-only matrix view: element (i, j) is `base[i * rowStride + j * columnStride]`.
/// `StridedMatrix(rowMajor: p, ld: n)` is an ordinary row-major matrix; `.transposed` swaps the strides.
public struct StridedMatrix {
    public var base: UnsafePointer<Float>
    public var rowStride: Int
    public var columnStride: Int

    public init(base: UnsafePointer<Float>, rowStride: Int, columnStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    public init(rowMajor base: UnsafePointer<Float>, ld: Int) {
        self.init(base: base, rowStride: ld, columnStride: 1)
    }

    public var transposed: StridedMatrix { StridedMatrix(base: base, rowStride: columnStride, columnStride: rowStride) }
}
