// Batch-norm passes over rows m0..<m1 of an M × C matrix (NHWC), the arithmetic of Sources/Kernels/BatchNorm.swift
// exactly: the training-forward passes (Σx, Σ(x − μ)² in Double, normalise with optional ReLU) and the two backward
// passes (with or without the ReLU mask). Each has a plain scalar C version (compiled with -ffp-contract=off, so no
// fused operations) and, for C a multiple of 8, an AVX2 version that performs the same IEEE operations per element in
// the same order; tests hold the two together bit for bit. Why C: see README.md.
#include "CKernels.h"

// Forward passes (training): per-channel Σx and Σ(x − μ)² in Double over rows m0..<m1 in order, and the normalisation
// y = γ·((x − μ)·s) + β (Float, no fused operations), optionally followed by ReLU (y > 0 or NaN keeps y, else +0).
void reprise_bn_forward_sums_plain(const float *restrict x, const double *restrict mean, int64_t m0, int64_t m1,
                                   int64_t C, double *restrict partial) {
    for (int64_t m = m0; m < m1; m++) {
        const float *xr = x + m * C;
        if (mean) {
            for (int64_t c = 0; c < C; c++) { const double d = (double)xr[c] - mean[c]; partial[c] += d * d; }
        } else {
            for (int64_t c = 0; c < C; c++) partial[c] += (double)xr[c];
        }
    }
}

void reprise_bn_forward_normalize_plain(const float *restrict x, const float *restrict mean, const float *restrict inverse_std,
                                        const float *restrict gamma, const float *restrict beta, int relu,
                                        int64_t m0, int64_t m1, int64_t C, float *restrict y) {
    for (int64_t m = m0; m < m1; m++) {
        const float *xr = x + m * C;
        float *yr = y + m * C;
        for (int64_t c = 0; c < C; c++) {
            const float v = gamma[c] * ((xr[c] - mean[c]) * inverse_std[c]) + beta[c];
            yr[c] = (!relu || v > 0.0f || v != v) ? v : 0.0f;
        }
    }
}

void reprise_bn_backward_sums_plain(const float *restrict x, const float *restrict dy, const float *restrict relu_output,
                              const float *restrict mean, const float *restrict inverse_std,
                              int64_t m0, int64_t m1, int64_t C, double *restrict partial) {
    for (int64_t m = m0; m < m1; m++) {
        const float *xr = x + m * C, *dr = dy + m * C;
        if (relu_output) {
            const float *yr = relu_output + m * C;
            for (int64_t c = 0; c < C; c++) {
                const float g = yr[c] > 0.0f ? dr[c] : 0.0f;
                const float xhat = (xr[c] - mean[c]) * inverse_std[c];
                partial[c] += (double)g;
                partial[C + c] += (double)g * (double)xhat;
            }
        } else {
            for (int64_t c = 0; c < C; c++) {
                const float xhat = (xr[c] - mean[c]) * inverse_std[c];
                partial[c] += (double)dr[c];
                partial[C + c] += (double)dr[c] * (double)xhat;
            }
        }
    }
}

void reprise_bn_backward_dx_plain(const float *restrict x, const float *restrict dy, const float *restrict relu_output,
                            const float *restrict mean, const float *restrict inverse_std, const float *restrict factor,
                            const float *restrict sum_dy, const float *restrict sum_dy_xhat, float rows,
                            int64_t m0, int64_t m1, int64_t C, float *restrict dx) {
    for (int64_t m = m0; m < m1; m++) {
        const float *xr = x + m * C, *dr = dy + m * C;
        float *out = dx + m * C;
        if (relu_output) {
            const float *yr = relu_output + m * C;
            for (int64_t c = 0; c < C; c++) {
                const float xhat = (xr[c] - mean[c]) * inverse_std[c];
                const float g = yr[c] > 0.0f ? dr[c] : 0.0f;
                out[c] = factor[c] * (rows * g - sum_dy[c] - xhat * sum_dy_xhat[c]);
            }
        } else {
            for (int64_t c = 0; c < C; c++) {
                const float xhat = (xr[c] - mean[c]) * inverse_std[c];
                out[c] = factor[c] * (rows * dr[c] - sum_dy[c] - xhat * sum_dy_xhat[c]);
            }
        }
    }
}

// AVX2 versions for C a multiple of 8: the same IEEE operations per element in the same order (float subtract and
// multiply for x̂, ReLU mask as a compare-and-mask, widening to double, double multiply and add; no fused operations),
// eight channels per step. The compiler left the masked loop above scalar; these are held to it bit for bit by a test.
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2")))
static void bn_backward_sums_avx2(const float *x, const float *dy, const float *relu_output, const float *mean,
                                  const float *inverse_std, int64_t m0, int64_t m1, int64_t C, double *partial) {
    const __m256 zero = _mm256_setzero_ps();
    for (int64_t m = m0; m < m1; m++) {
        const float *xr = x + m * C, *dr = dy + m * C, *yr = relu_output ? relu_output + m * C : 0;
        for (int64_t c = 0; c < C; c += 8) {
            __m256 g = _mm256_loadu_ps(dr + c);
            if (yr) g = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(yr + c), zero, _CMP_GT_OQ), g);
            const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(mean + c)),
                                              _mm256_loadu_ps(inverse_std + c));
            const __m256d g0 = _mm256_cvtps_pd(_mm256_castps256_ps128(g)), g1 = _mm256_cvtps_pd(_mm256_extractf128_ps(g, 1));
            const __m256d h0 = _mm256_cvtps_pd(_mm256_castps256_ps128(xhat)), h1 = _mm256_cvtps_pd(_mm256_extractf128_ps(xhat, 1));
            double *ps = partial + c, *px = partial + C + c;
            _mm256_storeu_pd(ps, _mm256_add_pd(_mm256_loadu_pd(ps), g0));
            _mm256_storeu_pd(ps + 4, _mm256_add_pd(_mm256_loadu_pd(ps + 4), g1));
            _mm256_storeu_pd(px, _mm256_add_pd(_mm256_loadu_pd(px), _mm256_mul_pd(g0, h0)));
            _mm256_storeu_pd(px + 4, _mm256_add_pd(_mm256_loadu_pd(px + 4), _mm256_mul_pd(g1, h1)));
        }
    }
}

__attribute__((target("avx2")))
static void bn_backward_dx_avx2(const float *x, const float *dy, const float *relu_output, const float *mean,
                                const float *inverse_std, const float *factor, const float *sum_dy,
                                const float *sum_dy_xhat, float rows, int64_t m0, int64_t m1, int64_t C, float *dx) {
    const __m256 zero = _mm256_setzero_ps(), r = _mm256_set1_ps(rows);
    for (int64_t m = m0; m < m1; m++) {
        const float *xr = x + m * C, *dr = dy + m * C, *yr = relu_output ? relu_output + m * C : 0;
        float *out = dx + m * C;
        for (int64_t c = 0; c < C; c += 8) {
            const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(mean + c)),
                                              _mm256_loadu_ps(inverse_std + c));
            __m256 g = _mm256_loadu_ps(dr + c);
            if (yr) g = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(yr + c), zero, _CMP_GT_OQ), g);
            // factor · ((rows·g − Σdy) − x̂·Σdy·x̂), as the plain loop's expression parses
            const __m256 t = _mm256_sub_ps(_mm256_sub_ps(_mm256_mul_ps(r, g), _mm256_loadu_ps(sum_dy + c)),
                                           _mm256_mul_ps(xhat, _mm256_loadu_ps(sum_dy_xhat + c)));
            _mm256_storeu_ps(out + c, _mm256_mul_ps(_mm256_loadu_ps(factor + c), t));
        }
    }
}

__attribute__((target("avx2")))
static void bn_forward_sums_avx2(const float *x, const double *mean, int64_t m0, int64_t m1, int64_t C, double *partial) {
    for (int64_t m = m0; m < m1; m++) {
        const float *xr = x + m * C;
        for (int64_t c = 0; c < C; c += 8) {
            const __m256 v = _mm256_loadu_ps(xr + c);
            __m256d v0 = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), v1 = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
            if (mean) {
                v0 = _mm256_sub_pd(v0, _mm256_loadu_pd(mean + c)); v1 = _mm256_sub_pd(v1, _mm256_loadu_pd(mean + c + 4));
                v0 = _mm256_mul_pd(v0, v0); v1 = _mm256_mul_pd(v1, v1);
            }
            _mm256_storeu_pd(partial + c, _mm256_add_pd(_mm256_loadu_pd(partial + c), v0));
            _mm256_storeu_pd(partial + c + 4, _mm256_add_pd(_mm256_loadu_pd(partial + c + 4), v1));
        }
    }
}

__attribute__((target("avx2")))
static void bn_forward_normalize_avx2(const float *x, const float *mean, const float *inverse_std, const float *gamma,
                                      const float *beta, int relu, int64_t m0, int64_t m1, int64_t C, float *y) {
    const __m256 zero = _mm256_setzero_ps();
    for (int64_t m = m0; m < m1; m++) {
        const float *xr = x + m * C;
        float *yr = y + m * C;
        for (int64_t c = 0; c < C; c += 8) {
            const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(mean + c)),
                                              _mm256_loadu_ps(inverse_std + c));
            __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(gamma + c), xhat), _mm256_loadu_ps(beta + c));
            // keep v where v > 0 or v is NaN (unordered compare with itself), else +0
            if (relu) v = _mm256_and_ps(_mm256_or_ps(_mm256_cmp_ps(v, zero, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q)), v);
            _mm256_storeu_ps(yr + c, v);
        }
    }
}
#endif

void reprise_bn_forward_sums(const float *x, const double *mean, int64_t m0, int64_t m1, int64_t C, double *partial) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (C % 8 == 0 && reprise_sgemm_uses_avx2()) { bn_forward_sums_avx2(x, mean, m0, m1, C, partial); return; }
#endif
    reprise_bn_forward_sums_plain(x, mean, m0, m1, C, partial);
}

void reprise_bn_forward_normalize(const float *x, const float *mean, const float *inverse_std, const float *gamma,
                                  const float *beta, int relu, int64_t m0, int64_t m1, int64_t C, float *y) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (C % 8 == 0 && reprise_sgemm_uses_avx2()) { bn_forward_normalize_avx2(x, mean, inverse_std, gamma, beta, relu, m0, m1, C, y); return; }
#endif
    reprise_bn_forward_normalize_plain(x, mean, inverse_std, gamma, beta, relu, m0, m1, C, y);
}

void reprise_bn_backward_sums(const float *x, const float *dy, const float *relu_output, const float *mean,
                              const float *inverse_std, int64_t m0, int64_t m1, int64_t C, double *partial) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (C % 8 == 0 && reprise_sgemm_uses_avx2()) {
        bn_backward_sums_avx2(x, dy, relu_output, mean, inverse_std, m0, m1, C, partial);
        return;
    }
#endif
    reprise_bn_backward_sums_plain(x, dy, relu_output, mean, inverse_std, m0, m1, C, partial);
}

void reprise_bn_backward_dx(const float *x, const float *dy, const float *relu_output, const float *mean,
                            const float *inverse_std, const float *factor, const float *sum_dy, const float *sum_dy_xhat,
                            float rows, int64_t m0, int64_t m1, int64_t C, float *dx) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (C % 8 == 0 && reprise_sgemm_uses_avx2()) {
        bn_backward_dx_avx2(x, dy, relu_output, mean, inverse_std, factor, sum_dy, sum_dy_xhat, rows, m0, m1, C, dx);
        return;
    }
#endif
    reprise_bn_backward_dx_plain(x, dy, relu_output, mean, inverse_std, factor, sum_dy, sum_dy_xhat, rows, m0, m1, C, dx);
}
