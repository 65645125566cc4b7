#ifndef REPRISE_CKERNELS_H
#define REPRISE_CKERNELS_H
#include <stdint.h>

/// Micro-tile of the single-precision GEMM: MR rows × NR columns.
#define REPRISE_SGEMM_MR 6
#define REPRISE_SGEMM_NR 16

/// C[0..<mr, 0..<nr] (row stride ldc) := chain of fused multiply-adds over p in 0..<kc:
///     c = fma(a[p*MR + i], b[p*NR + j], c)
/// starting from c = C[i][j] if load_c != 0, else from +0.0. `a` is an MR-row packed panel, `b` an NR-column packed panel,
/// both zero-padded to full MR/NR. mr ≤ MR and nr ≤ NR select the part of the tile that is stored.
void reprise_sgemm_microkernel(int64_t kc, const float *a, const float *b,
                               float *c, int64_t ldc, int load_c, int64_t mr, int64_t nr);

/// The same contract, computed with scalar fmaf only (the portable path; also the reference the SIMD path is tested against).
void reprise_sgemm_microkernel_portable(int64_t kc, const float *a, const float *b,
                                        float *c, int64_t ldc, int load_c, int64_t mr, int64_t nr);

/// Packs rows of a row-major A (row stride `row_stride`) into an MR-tall panel (sgemm_pack.c):
///     panel[p*MR + i] = src[i*row_stride + p] for i < height ≤ MR, p < depth; 0 for height ≤ i < MR.
/// AVX2 block transposes when available; `_plain` is the one-float-at-a-time loop the tests hold it to.
void reprise_sgemm_pack_a(const float *src, int64_t row_stride, int64_t height, int64_t depth, float *panel);
void reprise_sgemm_pack_a_plain(const float *src, int64_t row_stride, int64_t height, int64_t depth, float *panel);
/// The same panel from an A with unit row stride: panel[p*MR + i] = src[p*column_stride + i].
void reprise_sgemm_pack_a_columns(const float *src, int64_t column_stride, int64_t height, int64_t depth, float *panel);

/// The same chains for a full-height tile (MR rows) whose A is read in place, A[i][p] = a[i*a_row_stride + p*a_column_stride],
/// instead of from a packed panel (for narrow products, where packing A costs more than it saves). nr ≤ NR.
void reprise_sgemm_microkernel_unpacked(int64_t kc, const float *a, int64_t a_row_stride, int64_t a_column_stride,
                                        const float *b, float *c, int64_t ldc, int load_c, int64_t nr);
void reprise_sgemm_microkernel_unpacked_portable(int64_t kc, const float *a, int64_t a_row_stride, int64_t a_column_stride,
                                                 const float *b, float *c, int64_t ldc, int load_c, int64_t nr);

/// 1 when the AVX2/FMA micro-kernel is in use on this CPU.
int reprise_sgemm_uses_avx2(void);

/// Runs `iterations` rounds of 12 independent 8-wide FMA chains (AVX2 only; returns 0 elsewhere), for measuring the
/// machine's attainable single-precision FMA peak: FLOP = iterations × 192.
float reprise_fma_peak_probe(int64_t iterations);

/// glibc: serve large allocations from the heap and keep freed memory for reuse (speed only; no effect on values).
void reprise_keep_large_blocks_in_heap(void);

/// Direct grouped convolution, NHWC, images n0..<n1 (see grouped_conv.c for the exact arithmetic). AVX2/FMA only:
/// callers check reprise_sgemm_uses_avx2() and that K/G (forward) or C/G (backward-data) is a multiple of 8.
/// wt is the forward weight repacked as [g][kh][kw][c][o]; w is the ordinary [K][kh][kw][C/G] layout.
void reprise_grouped_conv_forward_avx2(const float *x, const float *wt, float *y, int64_t n0, int64_t n1,
                                       int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                       int64_t OH, int64_t OW, int64_t G);
void reprise_grouped_conv_backward_data_avx2(const float *dy, const float *w, float *dx, int64_t n0, int64_t n1,
                                             int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                             int64_t OH, int64_t OW, int64_t G);
void reprise_grouped_conv_backward_weights_avx2(const float *x, const float *dy, float *dw, int64_t g, int64_t kh,
                                                int64_t N, int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s,
                                                int64_t p, int64_t OH, int64_t OW, int64_t G);
/// The same three, scalar (one fused multiply-add per step), for any group width; same layouts except that the
/// forward kernel takes w in its ordinary layout.
void reprise_grouped_conv_forward_scalar(const float *x, const float *w, float *y, int64_t n0, int64_t n1,
                                         int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                         int64_t OH, int64_t OW, int64_t G);
void reprise_grouped_conv_backward_data_scalar(const float *dy, const float *w, float *dx, int64_t n0, int64_t n1,
                                               int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                               int64_t OH, int64_t OW, int64_t G);
void reprise_grouped_conv_backward_weights_scalar(const float *x, const float *dy, float *dw, int64_t g, int64_t kh,
                                                  int64_t N, int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s,
                                                  int64_t p, int64_t OH, int64_t OW, int64_t G);

/// Batch-norm training forward over rows m0..<m1 (batch_norm.c; the arithmetic stated in BatchNorm.swift):
/// with mean == NULL adds each row's x into partial[0..<C] (Double, rows in order), else adds (Double(x) − mean)²;
/// normalize writes y = γ·((x − μ)·s) + β, then ReLU when relu != 0 (y > 0 or NaN kept, else +0). `_plain`: the loops
/// the AVX2 versions (C a multiple of 8) are tested against bit for bit.
void reprise_bn_forward_sums(const float *x, const double *mean, int64_t m0, int64_t m1, int64_t C, double *partial);
void reprise_bn_forward_sums_plain(const float *x, const double *mean, int64_t m0, int64_t m1, int64_t C, double *partial);
void reprise_bn_forward_normalize(const float *x, const float *mean, const float *inverse_std, const float *gamma,
                                  const float *beta, int relu, int64_t m0, int64_t m1, int64_t C, float *y);
void reprise_bn_forward_normalize_plain(const float *x, const float *mean, const float *inverse_std, const float *gamma,
                                        const float *beta, int relu, int64_t m0, int64_t m1, int64_t C, float *y);

/// Batch-norm backward over rows m0..<m1 (see batch_norm.c; the arithmetic of BatchNorm.swift): adds each row's
/// dy and dy·x̂ into partial[0..<C] and partial[C..<2C] (Double, rows in order), or writes dx. relu_output may be NULL;
/// when given, dy is masked to 0 where relu_output ≤ 0 (as ReLU.backward).
void reprise_bn_backward_sums(const float *x, const float *dy, const float *relu_output, const float *mean,
                              const float *inverse_std, int64_t m0, int64_t m1, int64_t C, double *partial);
void reprise_bn_backward_dx(const float *x, const float *dy, const float *relu_output, const float *mean,
                            const float *inverse_std, const float *factor, const float *sum_dy, const float *sum_dy_xhat,
                            float rows, int64_t m0, int64_t m1, int64_t C, float *dx);
/// The plain loops the two above dispatch to when C is not a multiple of 8 or AVX2 is missing (the AVX2 versions are
/// tested bit for bit against them).
void reprise_bn_backward_sums_plain(const float *x, const float *dy, const float *relu_output, const float *mean,
                                    const float *inverse_std, int64_t m0, int64_t m1, int64_t C, double *partial);
void reprise_bn_backward_dx_plain(const float *x, const float *dy, const float *relu_output, const float *mean,
                                  const float *inverse_std, const float *factor, const float *sum_dy, const float *sum_dy_xhat,
                                  float rows, int64_t m0, int64_t m1, int64_t C, float *dx);

#endif
