// Packing of A for the SGEMM micro-kernel: pure data movement (no arithmetic), so every path gives the same bits.
// (`reprise_sgemm_pack_a_columns` is the case of an A whose columns are strided and rows contiguous, e.g. dyᵀ in a
// weight gradient: six contiguous floats per p.)
//
// panel[p*MR + i] = src[i*row_stride + p]   for i < height, p < depth
// panel[p*MR + i] = 0                        for height ≤ i < MR
//
// The plain loop stores one float at a time with a stride of MR floats; the AVX2 path transposes 6×8 blocks in
// registers and writes the panel sequentially (in an AnyNet-bench training step, packing A had taken 16% of the time:
// the 1×1 convolutions multiply a tall activation matrix by a narrow weight matrix, so A is large and used briefly).

#include "CKernels.h"

#define MR REPRISE_SGEMM_MR

static void pack_a_plain(const float *src, int64_t row_stride, int64_t height, int64_t depth, float *panel) {
    for (int64_t p = 0; p < depth; p++)
        for (int64_t i = 0; i < MR; i++)
            panel[p * MR + i] = i < height ? src[i * row_stride + p] : 0.0f;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx2")))
static void pack_a6_avx2(const float *src, int64_t row_stride, int64_t depth, float *panel) {
    const float *r0 = src, *r1 = src + row_stride, *r2 = src + 2 * row_stride;
    const float *r3 = src + 3 * row_stride, *r4 = src + 4 * row_stride, *r5 = src + 5 * row_stride;
    int64_t p = 0;
    for (; p + 8 <= depth; p += 8) {
        const __m256 a0 = _mm256_loadu_ps(r0 + p), a1 = _mm256_loadu_ps(r1 + p), a2 = _mm256_loadu_ps(r2 + p);
        const __m256 a3 = _mm256_loadu_ps(r3 + p), a4 = _mm256_loadu_ps(r4 + p), a5 = _mm256_loadu_ps(r5 + p);
        // t01lo = a0[0] a1[0] a0[1] a1[1] | a0[4] a1[4] a0[5] a1[5];  t01hi = columns 2, 3 | 6, 7 likewise.
        const __m256 t01lo = _mm256_unpacklo_ps(a0, a1), t01hi = _mm256_unpackhi_ps(a0, a1);
        const __m256 t23lo = _mm256_unpacklo_ps(a2, a3), t23hi = _mm256_unpackhi_ps(a2, a3);
        const __m256 t45lo = _mm256_unpacklo_ps(a4, a5), t45hi = _mm256_unpackhi_ps(a4, a5);
        // Rows 0–3 of column c (c, c+4 in the two 128-bit halves).
        const __m256 c0 = _mm256_shuffle_ps(t01lo, t23lo, _MM_SHUFFLE(1, 0, 1, 0));
        const __m256 c1 = _mm256_shuffle_ps(t01lo, t23lo, _MM_SHUFFLE(3, 2, 3, 2));
        const __m256 c2 = _mm256_shuffle_ps(t01hi, t23hi, _MM_SHUFFLE(1, 0, 1, 0));
        const __m256 c3 = _mm256_shuffle_ps(t01hi, t23hi, _MM_SHUFFLE(3, 2, 3, 2));
        float *out = panel + p * MR;
        const __m128 lo45a = _mm256_castps256_ps128(t45lo), hi45a = _mm256_extractf128_ps(t45lo, 1);
        const __m128 lo45b = _mm256_castps256_ps128(t45hi), hi45b = _mm256_extractf128_ps(t45hi, 1);
        _mm_storeu_ps(out + 0 * MR, _mm256_castps256_ps128(c0)); _mm_storel_pi((__m64 *)(out + 0 * MR + 4), lo45a);
        _mm_storeu_ps(out + 1 * MR, _mm256_castps256_ps128(c1)); _mm_storeh_pi((__m64 *)(out + 1 * MR + 4), lo45a);
        _mm_storeu_ps(out + 2 * MR, _mm256_castps256_ps128(c2)); _mm_storel_pi((__m64 *)(out + 2 * MR + 4), lo45b);
        _mm_storeu_ps(out + 3 * MR, _mm256_castps256_ps128(c3)); _mm_storeh_pi((__m64 *)(out + 3 * MR + 4), lo45b);
        _mm_storeu_ps(out + 4 * MR, _mm256_extractf128_ps(c0, 1)); _mm_storel_pi((__m64 *)(out + 4 * MR + 4), hi45a);
        _mm_storeu_ps(out + 5 * MR, _mm256_extractf128_ps(c1, 1)); _mm_storeh_pi((__m64 *)(out + 5 * MR + 4), hi45a);
        _mm_storeu_ps(out + 6 * MR, _mm256_extractf128_ps(c2, 1)); _mm_storel_pi((__m64 *)(out + 6 * MR + 4), hi45b);
        _mm_storeu_ps(out + 7 * MR, _mm256_extractf128_ps(c3, 1)); _mm_storeh_pi((__m64 *)(out + 7 * MR + 4), hi45b);
    }
    for (; p < depth; p++) {
        float *out = panel + p * MR;
        out[0] = r0[p]; out[1] = r1[p]; out[2] = r2[p]; out[3] = r3[p]; out[4] = r4[p]; out[5] = r5[p];
    }
}
#endif

void reprise_sgemm_pack_a_columns(const float *src, int64_t column_stride, int64_t height, int64_t depth, float *panel) {
    if (height == MR) {
        for (int64_t p = 0; p < depth; p++) {
            const float *column = src + p * column_stride;
            float *out = panel + p * MR;
            out[0] = column[0]; out[1] = column[1]; out[2] = column[2];
            out[3] = column[3]; out[4] = column[4]; out[5] = column[5];
        }
        return;
    }
    for (int64_t p = 0; p < depth; p++)
        for (int64_t i = 0; i < MR; i++)
            panel[p * MR + i] = i < height ? src[p * column_stride + i] : 0.0f;
}

void reprise_sgemm_pack_a(const float *src, int64_t row_stride, int64_t height, int64_t depth, float *panel) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (height == MR && reprise_sgemm_uses_avx2()) {
        pack_a6_avx2(src, row_stride, depth, panel);
        return;
    }
#endif
    pack_a_plain(src, row_stride, height, depth, panel);
}

void reprise_sgemm_pack_a_plain(const float *src, int64_t row_stride, int64_t height, int64_t depth, float *panel) {
    pack_a_plain(src, row_stride, height, depth, panel);
}
