import CKernels

/// 2-D convolution (cross-correlation, as in PyTorch), NHWC, with stride, zero padding and groups; no bias.
///
/// Legend: N batch, H×W input, C in-channels, K out-channels, G groups (Cg = C/G, Kg = K/G), k×k kernel, stride s,
/// padding p, OH = (H + 2p − k)/s + 1 (floor), likewise OW. Rows M = N·OH·OW.
///
/// Layouts (row-major):
///   x  [N][H][W][C]          y  [N][OH][OW][K]
///   w  [K][k][k][Cg]         — so group g's weights are a Kg × (k·k·Cg) matrix W_g
///
/// Why NHWC: with it every convolution is one GEMM with M = N·OH·OW rows (large, so it blocks and threads well);
/// a 1×1 stride-1 convolution is a GEMM on x itself (no im2col copy); grouped convolutions are column slices of
/// the same matrices; BN, ReLU and pooling then run over contiguous channels.
///
/// Arithmetic (each kernel is bitwise equal to `Conv2D.reference*`, which loops in the same order):
///   forward          y[m, g·Kg+o] = FMA chain over q = (kh, kw, c) in that order of col[m, q] · W_g[o, q], from +0
///                    (padding taps contribute fma(0, w, acc) = acc exactly, so skipping them gives the same bits);
///   backward-data    dcol[m, q] = FMA chain over o of dy[m, g·Kg+o] · W_g[o, q], from +0; then dx is zeroed and
///                    dx[n, ih, iw, g·Cg+c] += dcol[m, q] for m in (n, oh, ow) order, q in (kh, kw, c) order
///                    (plain additions, one image at a time);
///   backward-weights dW_g[o, q] = FMA chain over m = 0..<M of dy[m, g·Kg+o] · col[m, q], from +0.
/// Grouped k×k convolutions with group widths that are multiples of 8 run direct AVX2 kernels (Sources/CKernels/
/// grouped_conv.c) with the same chains, and groups of at most 8 channels in and out run scalar direct kernels (one
/// fused multiply-add per step, same chains, no im2col copy); both skip padding taps, which is exact for finite values (fma(v, 0, acc) = acc
/// since no chain from +0 ever holds −0).
/// Threads: GEMM splits output tiles; im2col/col2im and the direct forward/backward-data kernels split images; direct
/// backward-weights splits (group, kernel row) items, each holding every chain of its dW elements; none changes a chain.
public struct Conv2D: Sendable, Equatable {
    public var batch: Int, height: Int, width: Int
    public var inChannels: Int, outChannels: Int
    public var kernel: Int, stride: Int, padding: Int, groups: Int

    public init(batch: Int, height: Int, width: Int, inChannels: Int, outChannels: Int,
                kernel: Int, stride: Int = 1, padding: Int? = nil, groups: Int = 1) {
        self.batch = batch; self.height = height; self.width = width
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.padding = padding ?? (kernel - 1) / 2; self.groups = groups
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2D: groups \(groups) must divide in-channels \(inChannels) and out-channels \(outChannels)")
        precondition(kernel >= 1 && stride >= 1 && self.padding >= 0 && outHeight >= 1 && outWidth >= 1,
                     "Conv2D: bad geometry \(height)×\(width) k\(kernel) s\(stride) p\(self.padding)")
    }

    public var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    public var groupInChannels: Int { inChannels / groups }
    public var groupOutChannels: Int { outChannels / groups }
    /// Columns of one group's im2col matrix: k·k·Cg.
    public var patchSize: Int { kernel * kernel * groupInChannels }
    public var rows: Int { batch * outHeight * outWidth }
    public var inputCount: Int { batch * height * width * inChannels }
    public var outputCount: Int { rows * outChannels }
    public var weightCount: Int { outChannels * patchSize }
    /// Multiply-adds of the forward pass (pycls's "flops").
    public var multiplyAdds: Int { rows * outChannels * patchSize }

    /// 1×1, stride 1, no padding: x is already the im2col matrix.
    var isPointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }

    /// Grouped k×k convolutions whose group widths are multiples of 8 use direct AVX2 kernels (same chains, no im2col).
    /// So do ungrouped k×k convolutions with at most 8 input channels (a stem on RGB or grey images), whose im2col copy
    /// cost more than their few multiply-adds.
    var usesDirectForward: Bool {
        !isPointwise && groupOutChannels % 8 == 0 && (groups > 1 || inChannels <= 8) && Gemm.usesAVX2
    }
    /// Backward-weights vectorises over output channels, like the forward kernel (grouped only: an ungrouped layer has
    /// only k items for the workers, so it stays a GEMM).
    var usesDirectBackwardWeights: Bool { groups > 1 && usesDirectForward }
    var usesDirectBackwardData: Bool { groups > 1 && !isPointwise && groupInChannels % 8 == 0 && Gemm.usesAVX2 }
    /// Narrow groups (at most 8 channels in and out, not served above) use scalar direct kernels: same chains, no
    /// im2col copy, which dominates when a group has 1–4 channels.
    var usesScalarDirect: Bool { groups > 1 && !isPointwise && groupInChannels <= 8 && groupOutChannels <= 8 && Gemm.usesAVX2 }

    /// y = conv(x, w).
    public func forward(x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, workers: Workers = .serial) {
        if usesDirectForward {
            // Repack w [K][k][k][Cg] as [g][kh][kw][c][o] so that 8 output channels are one vector load.
            let (kg, cg) = (groupOutChannels, groupInChannels)
            let wt = UnsafeMutablePointer<Float>.allocate(capacity: weightCount)
            defer { wt.deallocate() }
            for g in 0..<groups { for o in 0..<kg { for t in 0..<(kernel * kernel) { for c in 0..<cg {
                wt[((g * kernel * kernel + t) * cg + c) * kg + o] = w[((g * kg + o) * kernel * kernel + t) * cg + c]
            } } } }
            workers.forEach(batch) { n, _ in
                reprise_grouped_conv_forward_avx2(x, wt, y, Int64(n), Int64(n + 1), Int64(height), Int64(width), Int64(inChannels),
                                                  Int64(outChannels), Int64(kernel), Int64(stride), Int64(padding),
                                                  Int64(outHeight), Int64(outWidth), Int64(groups))
            }
            return
        }
        if usesScalarDirect {
            workers.forEach(batch) { n, _ in
                reprise_grouped_conv_forward_scalar(x, w, y, Int64(n), Int64(n + 1), Int64(height), Int64(width), Int64(inChannels),
                                                    Int64(outChannels), Int64(kernel), Int64(stride), Int64(padding),
                                                    Int64(outHeight), Int64(outWidth), Int64(groups))
            }
            return
        }
        let col = isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rows * patchSize)
        defer { col?.deallocate() }
        for g in 0..<groups {
            let a = patches(x: x, group: g, scratch: col, workers: workers)
            Gemm.multiply(m: rows, n: groupOutChannels, k: patchSize, a: a,
                          b: StridedMatrix(rowMajor: w + g * groupOutChannels * patchSize, ld: patchSize).transposed,
                          c: y + g * groupOutChannels, ldc: outChannels, accumulate: false, workers: workers)
        }
    }

    /// dx = ∂L/∂x given dy = ∂L/∂y.
    public func backwardData(dy: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, workers: Workers = .serial) {
        if usesDirectBackwardData || usesScalarDirect {
            let kernelFunction = usesDirectBackwardData ? reprise_grouped_conv_backward_data_avx2 : reprise_grouped_conv_backward_data_scalar
            workers.forEach(batch) { n, _ in
                kernelFunction(dy, w, dx, Int64(n), Int64(n + 1), Int64(height), Int64(width), Int64(inChannels),
                               Int64(outChannels), Int64(kernel), Int64(stride), Int64(padding),
                               Int64(outHeight), Int64(outWidth), Int64(groups))
            }
            return
        }
        if isPointwise {
            for g in 0..<groups {
                Gemm.multiply(m: rows, n: groupInChannels, k: groupOutChannels,
                              a: StridedMatrix(base: dy + g * groupOutChannels, rowStride: outChannels, columnStride: 1),
                              b: StridedMatrix(rowMajor: w + g * groupOutChannels * patchSize, ld: patchSize),
                              c: dx + g * groupInChannels, ldc: inChannels, accumulate: false, workers: workers)
            }
            return
        }
        let dcol = UnsafeMutablePointer<Float>.allocate(capacity: rows * patchSize)
        defer { dcol.deallocate() }
        for g in 0..<groups {
            Gemm.multiply(m: rows, n: patchSize, k: groupOutChannels,
                          a: StridedMatrix(base: dy + g * groupOutChannels, rowStride: outChannels, columnStride: 1),
                          b: StridedMatrix(rowMajor: w + g * groupOutChannels * patchSize, ld: patchSize),
                          c: dcol, ldc: patchSize, accumulate: false, workers: workers)
            col2im(dcol, group: g, into: dx, workers: workers)
        }
    }

    /// dw = ∂L/∂w given x and dy.
    public func backwardWeights(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>, workers: Workers = .serial) {
        if usesDirectBackwardWeights || usesScalarDirect {
            // One item per (group, kernel row): every dW element's chain over m runs whole inside one item, and one
            // pass over dy and x serves the row's k taps.
            let kernelFunction = usesDirectBackwardWeights ? reprise_grouped_conv_backward_weights_avx2 : reprise_grouped_conv_backward_weights_scalar
            workers.forEach(groups * kernel) { item, _ in
                let (g, kh) = (item / kernel, item % kernel)
                kernelFunction(x, dy, dw, Int64(g), Int64(kh), Int64(batch),
                               Int64(height), Int64(width), Int64(inChannels), Int64(outChannels),
                               Int64(kernel), Int64(stride), Int64(padding), Int64(outHeight),
                               Int64(outWidth), Int64(groups))
            }
            return
        }
        let col = isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rows * patchSize)
        defer { col?.deallocate() }
        for g in 0..<groups {
            let b = patches(x: x, group: g, scratch: col, workers: workers)
            Gemm.multiply(m: groupOutChannels, n: patchSize, k: rows,
                          a: StridedMatrix(base: dy + g * groupOutChannels, rowStride: 1, columnStride: outChannels),
                          b: b, c: dw + g * groupOutChannels * patchSize, ldc: patchSize, accumulate: false, workers: workers)
        }
    }

    /// Group g's patch matrix (rows × k·k·Cg): x itself for a pointwise convolution, else im2col into `scratch`.
    func patches(x: UnsafePointer<Float>, group g: Int, scratch: UnsafeMutablePointer<Float>?, workers: Workers) -> StridedMatrix {
        guard let scratch else { return StridedMatrix(base: x + g * groupInChannels, rowStride: inChannels, columnStride: 1) }
        im2col(x: x, group: g, into: scratch, workers: workers)
        return StridedMatrix(rowMajor: scratch, ld: patchSize)
    }

    /// col[m, (kh, kw, c)] = x[n, oh·s − p + kh, ow·s − p + kw, g·Cg + c], zero outside the image.
    func im2col(x: UnsafePointer<Float>, group g: Int, into col: UnsafeMutablePointer<Float>, workers: Workers) {
        let (oh, ow, cg, k) = (outHeight, outWidth, groupInChannels, kernel)
        workers.forEach(batch) { n, _ in
            for i in 0..<oh {
                for j in 0..<ow {
                    var dst = col + ((n * oh + i) * ow + j) * patchSize
                    for kh in 0..<k {
                        let ih = i * stride - padding + kh
                        for kw in 0..<k {
                            let iw = j * stride - padding + kw
                            // Inline loops, not memmove/memset: with a few channels per group the call costs more
                            // than the copy (the im2col of grouped convolutions was 18% of a study's time).
                            if ih >= 0 && ih < height && iw >= 0 && iw < width {
                                let src = x + ((n * height + ih) * width + iw) * inChannels + g * cg
                                for c in 0..<cg { dst[c] = src[c] }
                            } else {
                                for c in 0..<cg { dst[c] = 0 }
                            }
                            dst += cg
                        }
                    }
                }
            }
        }
    }

    /// dx[group g channels] = 0, then += dcol[m, (kh, kw, c)] in (m, kh, kw, c) order, per image.
    func col2im(_ dcol: UnsafePointer<Float>, group g: Int, into dx: UnsafeMutablePointer<Float>, workers: Workers) {
        let (oh, ow, cg, k) = (outHeight, outWidth, groupInChannels, kernel)
        workers.forEach(batch) { n, _ in
            for pixel in 0..<(height * width) {
                let dst = dx + (n * height * width + pixel) * inChannels + g * cg
                for c in 0..<cg { dst[c] = 0 }
            }
            for i in 0..<oh {
                for j in 0..<ow {
                    var src = dcol + ((n * oh + i) * ow + j) * patchSize
                    for kh in 0..<k {
                        let ih = i * stride - padding + kh
                        for kw in 0..<k {
                            let iw = j * stride - padding + kw
                            if ih >= 0 && ih < height && iw >= 0 && iw < width {
                                let dst = dx + ((n * height + ih) * width + iw) * inChannels + g * cg
                                for c in 0..<cg { dst[c] += src[c] }
                            }
                            src += cg
                        }
                    }
                }
            }
        }
    }
}
