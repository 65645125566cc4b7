// Direct grouped convolution kernels (NHWC), for group widths that are multiples of 8: no im2col, no packing.
//
// Arithmetic: exactly the chains of Sources/Kernels/Conv2D.swift, so results are bitwise equal to the GEMM path and
// to the references:
//   forward        y[m, g·Kg+o] = fma chain over in-image taps (kh, kw, c) in that order, from +0
//                  (padding taps skipped: fma(0, w, acc) = acc exactly);
//   backward-data  for m in order, for (kh, kw): dcol = fma chain over o of dy[m, g·Kg+o]·w[g·Kg+o, kh, kw, c] from +0;
//                  dx[in-image pixel, g·Cg+c] += dcol (plain addition); dx zeroed first. Each dx element receives its
//                  additions in (m, kh, kw) order, as col2im does.
//   backward-weights  dW[g·Kg+o, kh, kw, c] = fma chain over m = (n, oh, ow) in order of dy·x, from +0, skipping rows
//                  whose tap falls in the padding (see the comment above reprise_grouped_conv_backward_weights_avx2).
// The AVX2 kernels are vectorised over 8 output channels (forward, backward-weights) or 8 input channels
// (backward-data), one FMA per lane per step. Scalar versions of the three, with the same chains, serve any group
// width (and CPUs without AVX2); they are at the end of the file.

#include "CKernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// B output pixels j0 .. j0+B-1 of one row: B independent chains per 8 output channels, so the FMAs of one step do not
// wait on each other and one weight load serves B pixels. Each chain is its pixel's chain over in-image taps
// (kh, kw, c) in order: for a tap (kh, kw) outside the image for some of the pixels (near the left or right edge),
// those pixels' accumulators are left exactly as they were (blend), which is the same as skipping the tap; their x
// pointer is clamped into the image so nothing is read out of bounds. Taps valid for every pixel take the plain path.
// (Which taps are inside the image, and where each pixel's input starts, depend only on the pixels and the tap, so
// they are worked out once per block, before the loops over groups and output channels.)
__attribute__((target("avx2,fma"), always_inline))
static inline void forward_pixels(const float *x, const float *wt, float *y, int64_t n, int64_t i, int64_t j0, const int B,
                                  int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                  int64_t OH, int64_t OW, int64_t G) {
    const int64_t Cg = C / G, Kg = K / G, T = k * k;
    float *out = y + ((n * OH + i) * OW + j0) * K;
    int64_t offset[T * 8];            // offset[t*8 + q]: start of pixel q's input for tap t (clamped into the row)
    int32_t keepBits[T * 8];          // -1 where tap t is inside the image for pixel q, else 0
    unsigned char all[T], any[T];
    for (int64_t kh = 0; kh < k; kh++)
    for (int64_t kw = 0; kw < k; kw++) {
        const int64_t t = kh * k + kw, ih = i * s - p + kh;
        all[t] = ih >= 0 && ih < H; any[t] = 0;
        for (int q = 0; q < B; q++) {
            int64_t iw = (j0 + q) * s - p + kw;
            const int valid = ih >= 0 && ih < H && iw >= 0 && iw < W;
            all[t] &= valid; any[t] |= valid;
            keepBits[t * 8 + q] = valid ? -1 : 0;
            iw = iw < 0 ? 0 : (iw >= W ? W - 1 : iw);
            offset[t * 8 + q] = ((n * H + (ih < 0 ? 0 : (ih >= H ? H - 1 : ih))) * W + iw) * C;
        }
    }
    for (int64_t g = 0; g < G; g++)
    for (int64_t ob = 0; ob < Kg; ob += 8) {
        __m256 acc[8];
        for (int q = 0; q < B; q++) acc[q] = _mm256_setzero_ps();
        for (int64_t t = 0; t < T; t++) {
            if (!any[t]) continue;
            const float *xin[8];
            for (int q = 0; q < B; q++) xin[q] = x + offset[t * 8 + q] + g * Cg;
            // wt layout: [g][kh][kw][c][o] (o contiguous, Kg per c)
            const float *wrow = wt + ((g * T + t) * Cg) * Kg + ob;
            if (all[t]) {
                for (int64_t c = 0; c < Cg; c++) {
                    const __m256 wv = _mm256_loadu_ps(wrow + c * Kg);
                    for (int q = 0; q < B; q++) acc[q] = _mm256_fmadd_ps(_mm256_broadcast_ss(xin[q] + c), wv, acc[q]);
                }
            } else {
                __m256 keep[8];
                for (int q = 0; q < B; q++) keep[q] = _mm256_castsi256_ps(_mm256_set1_epi32(keepBits[t * 8 + q]));
                for (int64_t c = 0; c < Cg; c++) {
                    const __m256 wv = _mm256_loadu_ps(wrow + c * Kg);
                    for (int q = 0; q < B; q++)
                        acc[q] = _mm256_blendv_ps(acc[q], _mm256_fmadd_ps(_mm256_broadcast_ss(xin[q] + c), wv, acc[q]), keep[q]);
                }
            }
        }
        for (int q = 0; q < B; q++) _mm256_storeu_ps(out + q * K + g * Kg + ob, acc[q]);
    }
}

__attribute__((target("avx2,fma")))
void reprise_grouped_conv_forward_avx2(const float *x, const float *wt, float *y, int64_t n0, int64_t n1,
                                       int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                       int64_t OH, int64_t OW, int64_t G) {
    for (int64_t n = n0; n < n1; n++)
    for (int64_t i = 0; i < OH; i++) {
        int64_t j = 0;
        for (; j + 8 <= OW; j += 8) forward_pixels(x, wt, y, n, i, j, 8, H, W, C, K, k, s, p, OH, OW, G);
        for (; j + 4 <= OW; j += 4) forward_pixels(x, wt, y, n, i, j, 4, H, W, C, K, k, s, p, OH, OW, G);
        for (; j < OW; j++) forward_pixels(x, wt, y, n, i, j, 1, H, W, C, K, k, s, p, OH, OW, G);
    }
}

// Group width 8 in, kernel at most 3×3: all k·k taps' dcol chains of one (pixel, group) advance together (up to 9
// independent accumulators), then are added into dx in (kh, kw) order. Each dcol value is still its chain over o from
// +0, and each dx element still receives its additions in (m, kh, kw) order.
__attribute__((target("avx2,fma")))
static void backward_data_c8(const float *dy, const float *w, float *dx, int64_t n0, int64_t n1,
                             int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                             int64_t OH, int64_t OW, int64_t G) {
    const int64_t Kg = K / G, T = k * k;
    for (int64_t n = n0; n < n1; n++)
    for (int64_t i = 0; i < OH; i++)
    for (int64_t j = 0; j < OW; j++) {
        const float *d = dy + ((n * OH + i) * OW + j) * K;
        for (int64_t g = 0; g < G; g++) {
            __m256 acc[9];
            for (int t = 0; t < 9; t++) acc[t] = _mm256_setzero_ps();
            // w[(g·Kg + o)][t][c]: tap t's 8 channels are one vector
            const float *wg = w + g * Kg * T * 8;
            if (T == 9) {
                for (int64_t o = 0; o < Kg; o++) {
                    const __m256 dv = _mm256_broadcast_ss(d + g * Kg + o);
                    const float *wo = wg + o * 72;
                    for (int t = 0; t < 9; t++) acc[t] = _mm256_fmadd_ps(dv, _mm256_loadu_ps(wo + t * 8), acc[t]);
                }
            } else {
                for (int64_t o = 0; o < Kg; o++) {
                    const __m256 dv = _mm256_broadcast_ss(d + g * Kg + o);
                    const float *wo = wg + o * T * 8;
                    for (int64_t t = 0; t < T; t++) acc[t] = _mm256_fmadd_ps(dv, _mm256_loadu_ps(wo + t * 8), acc[t]);
                }
            }
            for (int64_t kh = 0; kh < k; kh++) {
                const int64_t ih = i * s - p + kh;
                if (ih < 0 || ih >= H) continue;
                for (int64_t kw = 0; kw < k; kw++) {
                    const int64_t iw = j * s - p + kw;
                    if (iw < 0 || iw >= W) continue;   // dcol of a padding tap is never added
                    float *target = dx + ((n * H + ih) * W + iw) * C + g * 8;
                    _mm256_storeu_ps(target, _mm256_add_ps(_mm256_loadu_ps(target), acc[kh * k + kw]));
                }
            }
        }
    }
}

__attribute__((target("avx2,fma")))
void reprise_grouped_conv_backward_data_avx2(const float *dy, const float *w, float *dx, int64_t n0, int64_t n1,
                                             int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                             int64_t OH, int64_t OW, int64_t G) {
    const int64_t Cg = C / G, Kg = K / G;
    memset(dx + n0 * H * W * C, 0, (size_t)((n1 - n0) * H * W * C) * sizeof(float));
    if (Cg == 8 && k <= 3) {
        backward_data_c8(dy, w, dx, n0, n1, H, W, C, K, k, s, p, OH, OW, G);
        return;
    }
    for (int64_t n = n0; n < n1; n++)
    for (int64_t i = 0; i < OH; i++)
    for (int64_t j = 0; j < OW; j++) {
        const float *d = dy + ((n * OH + i) * OW + j) * K;
        for (int64_t g = 0; g < G; g++)
        for (int64_t kh = 0; kh < k; kh++) {
            const int64_t ih = i * s - p + kh;
            for (int64_t kw = 0; kw < k; kw++) {
                const int64_t iw = j * s - p + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;   // dcol of a padding tap is never added
                float *target = dx + ((n * H + ih) * W + iw) * C + g * Cg;
                for (int64_t cb = 0; cb < Cg; cb += 8) {
                    __m256 acc = _mm256_setzero_ps();
                    for (int64_t o = 0; o < Kg; o++)
                        acc = _mm256_fmadd_ps(_mm256_broadcast_ss(d + g * Kg + o),
                                              _mm256_loadu_ps(w + (((g * Kg + o) * k + kh) * k + kw) * Cg + cb), acc);
                    _mm256_storeu_ps(target + cb, _mm256_add_ps(_mm256_loadu_ps(target + cb), acc));
                }
            }
        }
    }
}
#else
void reprise_grouped_conv_forward_avx2(const float *x, const float *wt, float *y, int64_t n0, int64_t n1,
                                       int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                       int64_t OH, int64_t OW, int64_t G) {}
void reprise_grouped_conv_backward_data_avx2(const float *dy, const float *w, float *dx, int64_t n0, int64_t n1,
                                             int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                             int64_t OH, int64_t OW, int64_t G) {}
#endif

// Backward-weights, one (group g, tap (kh, kw)) per call:
//   dW[g·Kg+o, kh, kw, c] = fma chain over m = (n, oh, ow) in order of dy[m, g·Kg+o]·x[n, ih, iw, g·Cg+c], from +0,
// skipping rows whose tap falls in the padding (their term is fma(dy, 0, acc) = acc for finite dy).
// Vectorised over 8 output channels; the Cg × Kg accumulators live in a small local buffer (L1).
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
// Group width 8 in and out (RegNet/AnyNet's narrowest groups): a tap's 8×8 accumulators fit in 8 registers, so they are
// loaded once per (image row, tap) and kept in registers across the row's pixels, instead of one load and one store
// per fused multiply-add. Loop order (n, i) → kw → j keeps every dW element's chain over m = (n, i, j) increasing.
__attribute__((target("avx2,fma")))
static void backward_weights_g8(const float *x, const float *dy, float *acc, int64_t g, int64_t kh,
                                int64_t N, int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s,
                                int64_t p, int64_t OH, int64_t OW) {
    for (int64_t n = 0; n < N; n++)
    for (int64_t i = 0; i < OH; i++) {
        const int64_t ih = i * s - p + kh;
        if (ih < 0 || ih >= H) continue;
        const float *drow = dy + (n * OH + i) * OW * K + g * 8;
        const float *xrow = x + (n * H + ih) * W * C + g * 8;
        for (int64_t kw = 0; kw < k; kw++) {
            // j with 0 <= j*s - p + kw <= W - 1
            const int64_t j0 = p - kw > 0 ? (p - kw + s - 1) / s : 0;
            const int64_t jmax = W - 1 + p - kw;
            if (jmax < 0) continue;
            const int64_t j1 = jmax / s + 1 < OW ? jmax / s + 1 : OW;
            if (j0 >= j1) continue;
            float *tap = acc + kw * 64;
            __m256 a0 = _mm256_loadu_ps(tap), a1 = _mm256_loadu_ps(tap + 8), a2 = _mm256_loadu_ps(tap + 16),
                   a3 = _mm256_loadu_ps(tap + 24), a4 = _mm256_loadu_ps(tap + 32), a5 = _mm256_loadu_ps(tap + 40),
                   a6 = _mm256_loadu_ps(tap + 48), a7 = _mm256_loadu_ps(tap + 56);
            for (int64_t j = j0; j < j1; j++) {
                const __m256 dv = _mm256_loadu_ps(drow + j * K);
                const float *xin = xrow + (j * s - p + kw) * C;
                a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(xin + 0), dv, a0);
                a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(xin + 1), dv, a1);
                a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(xin + 2), dv, a2);
                a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(xin + 3), dv, a3);
                a4 = _mm256_fmadd_ps(_mm256_broadcast_ss(xin + 4), dv, a4);
                a5 = _mm256_fmadd_ps(_mm256_broadcast_ss(xin + 5), dv, a5);
                a6 = _mm256_fmadd_ps(_mm256_broadcast_ss(xin + 6), dv, a6);
                a7 = _mm256_fmadd_ps(_mm256_broadcast_ss(xin + 7), dv, a7);
            }
            _mm256_storeu_ps(tap, a0); _mm256_storeu_ps(tap + 8, a1); _mm256_storeu_ps(tap + 16, a2);
            _mm256_storeu_ps(tap + 24, a3); _mm256_storeu_ps(tap + 32, a4); _mm256_storeu_ps(tap + 40, a5);
            _mm256_storeu_ps(tap + 48, a6); _mm256_storeu_ps(tap + 56, a7);
        }
    }
}

__attribute__((target("avx2,fma")))
void reprise_grouped_conv_backward_weights_avx2(const float *x, const float *dy, float *dw, int64_t g, int64_t kh,
                                                int64_t N, int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s,
                                                int64_t p, int64_t OH, int64_t OW, int64_t G) {
    // One item = group g, kernel row kh, all k taps of that row: one pass over dy and x serves k taps (the pass, not
    // the arithmetic, is what costs: these layers are memory-bound). Each dW element still gets one chain over m in
    // increasing order, over the m where its tap is inside the image.
    const int64_t Cg = C / G, Kg = K / G;
    float acc[k * Cg * Kg];
    memset(acc, 0, sizeof acc);
    if (Cg == 8 && Kg == 8) {
        backward_weights_g8(x, dy, acc, g, kh, N, H, W, C, K, k, s, p, OH, OW);
    } else
    for (int64_t n = 0; n < N; n++)
    for (int64_t i = 0; i < OH; i++) {
        const int64_t ih = i * s - p + kh;
        if (ih < 0 || ih >= H) continue;
        for (int64_t j = 0; j < OW; j++) {
            const float *d = dy + ((n * OH + i) * OW + j) * K + g * Kg;
            for (int64_t kw = 0; kw < k; kw++) {
                const int64_t iw = j * s - p + kw;
                if (iw < 0 || iw >= W) continue;
                const float *xin = x + ((n * H + ih) * W + iw) * C + g * Cg;
                float *tap = acc + kw * Cg * Kg;
                for (int64_t ob = 0; ob < Kg; ob += 8) {
                    const __m256 dv = _mm256_loadu_ps(d + ob);
                    for (int64_t c = 0; c < Cg; c++) {
                        float *a = tap + c * Kg + ob;
                        _mm256_storeu_ps(a, _mm256_fmadd_ps(_mm256_broadcast_ss(xin + c), dv, _mm256_loadu_ps(a)));
                    }
                }
            }
        }
    }
    for (int64_t kw = 0; kw < k; kw++)
        for (int64_t o = 0; o < Kg; o++)
            for (int64_t c = 0; c < Cg; c++)
                dw[(((g * Kg + o) * k + kh) * k + kw) * Cg + c] = acc[(kw * Cg + c) * Kg + o];
}
#else
void reprise_grouped_conv_backward_weights_avx2(const float *x, const float *dy, float *dw, int64_t g, int64_t kh,
                                                int64_t N, int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s,
                                                int64_t p, int64_t OH, int64_t OW, int64_t G) {}
#endif

// The same three kernels for any group width, one scalar fused multiply-add per step (same chains as above and as
// the GEMM path). For group widths of 1, 2 or 4 (depthwise-like convolutions), im2col + GEMM spends far more time
// copying patches than multiplying; these direct loops skip the copy.
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("fma")))
#endif
void reprise_grouped_conv_forward_scalar(const float *x, const float *w, float *y, int64_t n0, int64_t n1,
                                         int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                         int64_t OH, int64_t OW, int64_t G) {
    // All K chains of an output pixel advance together (taps outer), so consecutive FMAs are independent; each
    // chain still runs over its in-image taps (kh, kw, c) in order. wt = w repacked as [kh][kw][g][c][o].
    const int64_t Cg = C / G, Kg = K / G, T = k * k;
    float *wt = malloc((size_t)(T * K * Cg) * sizeof(float));
    for (int64_t g = 0; g < G; g++) for (int64_t o = 0; o < Kg; o++) for (int64_t t = 0; t < T; t++) for (int64_t c = 0; c < Cg; c++)
        wt[((t * G + g) * Cg + c) * Kg + o] = w[((g * Kg + o) * T + t) * Cg + c];
    for (int64_t n = n0; n < n1; n++)
    for (int64_t i = 0; i < OH; i++)
    for (int64_t j = 0; j < OW; j++) {
        float *out = y + ((n * OH + i) * OW + j) * K;
        for (int64_t q = 0; q < K; q++) out[q] = 0.0f;
        for (int64_t kh = 0; kh < k; kh++) {
            const int64_t ih = i * s - p + kh;
            if (ih < 0 || ih >= H) continue;
            for (int64_t kw = 0; kw < k; kw++) {
                const int64_t iw = j * s - p + kw;
                if (iw < 0 || iw >= W) continue;
                const float *xin = x + ((n * H + ih) * W + iw) * C;
                const float *wtap = wt + (kh * k + kw) * K * Cg;
                for (int64_t g = 0; g < G; g++)
                for (int64_t c = 0; c < Cg; c++) {
                    const float xv = xin[g * Cg + c];
                    const float *wr = wtap + (g * Cg + c) * Kg;
                    float *acc = out + g * Kg;
                    for (int64_t o = 0; o < Kg; o++) acc[o] = __builtin_fmaf(xv, wr[o], acc[o]);
                }
            }
        }
    }
    free(wt);
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("fma")))
#endif
void reprise_grouped_conv_backward_data_scalar(const float *dy, const float *w, float *dx, int64_t n0, int64_t n1,
                                               int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s, int64_t p,
                                               int64_t OH, int64_t OW, int64_t G) {
    const int64_t Cg = C / G, Kg = K / G;
    memset(dx + n0 * H * W * C, 0, (size_t)((n1 - n0) * H * W * C) * sizeof(float));
    for (int64_t n = n0; n < n1; n++)
    for (int64_t i = 0; i < OH; i++)
    for (int64_t j = 0; j < OW; j++) {
        const float *d = dy + ((n * OH + i) * OW + j) * K;
        for (int64_t g = 0; g < G; g++)
        for (int64_t kh = 0; kh < k; kh++) {
            const int64_t ih = i * s - p + kh;
            for (int64_t kw = 0; kw < k; kw++) {
                const int64_t iw = j * s - p + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                float *target = dx + ((n * H + ih) * W + iw) * C + g * Cg;
                for (int64_t c = 0; c < Cg; c++) {
                    float acc = 0.0f;
                    for (int64_t o = 0; o < Kg; o++)
                        acc = __builtin_fmaf(d[g * Kg + o], w[(((g * Kg + o) * k + kh) * k + kw) * Cg + c], acc);
                    target[c] = target[c] + acc;
                }
            }
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("fma")))
#endif
void reprise_grouped_conv_backward_weights_scalar(const float *x, const float *dy, float *dw, int64_t g, int64_t kh,
                                                  int64_t N, int64_t H, int64_t W, int64_t C, int64_t K, int64_t k, int64_t s,
                                                  int64_t p, int64_t OH, int64_t OW, int64_t G) {
    // One item = group g, kernel row kh (all its taps), as the AVX2 kernel.
    const int64_t Cg = C / G, Kg = K / G;
    float acc[k * Cg * Kg];
    memset(acc, 0, sizeof acc);
    for (int64_t n = 0; n < N; n++)
    for (int64_t i = 0; i < OH; i++) {
        const int64_t ih = i * s - p + kh;
        if (ih < 0 || ih >= H) continue;
        for (int64_t j = 0; j < OW; j++) {
            const float *d = dy + ((n * OH + i) * OW + j) * K + g * Kg;
            for (int64_t kw = 0; kw < k; kw++) {
                const int64_t iw = j * s - p + kw;
                if (iw < 0 || iw >= W) continue;
                const float *xin = x + ((n * H + ih) * W + iw) * C + g * Cg;
                float *tap = acc + kw * Cg * Kg;
                for (int64_t c = 0; c < Cg; c++)
                    for (int64_t o = 0; o < Kg; o++) tap[c * Kg + o] = __builtin_fmaf(xin[c], d[o], tap[c * Kg + o]);
            }
        }
    }
    for (int64_t kw = 0; kw < k; kw++)
        for (int64_t o = 0; o < Kg; o++)
            for (int64_t c = 0; c < Cg; c++)
                dw[(((g * Kg + o) * k + kh) * k + kw) * Cg + c] = acc[(kw * Cg + c) * Kg + o];
}
