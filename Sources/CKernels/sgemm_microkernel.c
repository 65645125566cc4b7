// SGEMM micro-kernel, 6×16 tile.
//
// Arithmetic (both paths, bit-identical): every output is a sequential chain of IEEE fused multiply-adds,
//     c = fma(a_i[p], b_j[p], c),  p = 0, 1, …, kc-1,
// started from the stored C (load_c) or from +0.0. No other operation touches the value.
// Compiled with -ffp-contract=off.

#include "CKernels.h"
#include <math.h>
#include <string.h>

#define MR REPRISE_SGEMM_MR
#define NR REPRISE_SGEMM_NR

void reprise_sgemm_microkernel_portable(int64_t kc, const float *a, const float *b,
                                        float *c, int64_t ldc, int load_c, int64_t mr, int64_t nr) {
    float acc[MR][NR];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++)
            acc[i][j] = (load_c && i < mr && j < nr) ? c[i * ldc + j] : 0.0f;
    for (int64_t p = 0; p < kc; p++) {
        for (int i = 0; i < MR; i++) {
            const float ai = a[p * MR + i];
            for (int j = 0; j < NR; j++)
                acc[i][j] = fmaf(ai, b[p * NR + j], acc[i][j]);
        }
    }
    for (int64_t i = 0; i < mr; i++)
        for (int64_t j = 0; j < nr; j++)
            c[i * ldc + j] = acc[i][j];
}

void reprise_sgemm_microkernel_unpacked_portable(int64_t kc, const float *a, int64_t a_row_stride, int64_t a_column_stride,
                                                 const float *b, float *c, int64_t ldc, int load_c, int64_t nr) {
    float acc[MR][NR];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++)
            acc[i][j] = (load_c && j < nr) ? c[i * ldc + j] : 0.0f;
    for (int64_t p = 0; p < kc; p++) {
        for (int i = 0; i < MR; i++) {
            const float ai = a[i * a_row_stride + p * a_column_stride];
            for (int j = 0; j < NR; j++)
                acc[i][j] = fmaf(ai, b[p * NR + j], acc[i][j]);
        }
    }
    for (int64_t i = 0; i < MR; i++)
        for (int64_t j = 0; j < nr; j++)
            c[i * ldc + j] = acc[i][j];
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// The 6×16 tile with A[i][p] = a[i*rs + p*cs]: a packed panel is rs = 1, cs = MR (constants, so the compiler
// specialises that instance); A read in place is a row-major (rs = lda, cs = 1) or column-major (rs = 1, cs = lda) view.
__attribute__((target("avx2,fma"), always_inline))
static inline void microkernel_avx2_tile(int64_t kc, const float *a, const int64_t rs, const int64_t cs, const float *b,
                                         float *c, int64_t ldc, int load_c) {
    for (int i = 0; i < MR; i++) { _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0); _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0); }
    __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (load_c) {
        c00 = _mm256_loadu_ps(c + 0 * ldc); c01 = _mm256_loadu_ps(c + 0 * ldc + 8);
        c10 = _mm256_loadu_ps(c + 1 * ldc); c11 = _mm256_loadu_ps(c + 1 * ldc + 8);
        c20 = _mm256_loadu_ps(c + 2 * ldc); c21 = _mm256_loadu_ps(c + 2 * ldc + 8);
        c30 = _mm256_loadu_ps(c + 3 * ldc); c31 = _mm256_loadu_ps(c + 3 * ldc + 8);
        c40 = _mm256_loadu_ps(c + 4 * ldc); c41 = _mm256_loadu_ps(c + 4 * ldc + 8);
        c50 = _mm256_loadu_ps(c + 5 * ldc); c51 = _mm256_loadu_ps(c + 5 * ldc + 8);
    } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
    }
    const float *a0 = a, *a1 = a + rs, *a2 = a + 2 * rs, *a3 = a + 3 * rs, *a4 = a + 4 * rs, *a5 = a + 5 * rs;
    for (int64_t p = 0, q = 0; p < kc; p++, q += cs) {
        const __m256 b0 = _mm256_load_ps(b);
        const __m256 b1 = _mm256_load_ps(b + 8);
        __m256 ai;
        ai = _mm256_broadcast_ss(a0 + q); c00 = _mm256_fmadd_ps(ai, b0, c00); c01 = _mm256_fmadd_ps(ai, b1, c01);
        ai = _mm256_broadcast_ss(a1 + q); c10 = _mm256_fmadd_ps(ai, b0, c10); c11 = _mm256_fmadd_ps(ai, b1, c11);
        ai = _mm256_broadcast_ss(a2 + q); c20 = _mm256_fmadd_ps(ai, b0, c20); c21 = _mm256_fmadd_ps(ai, b1, c21);
        ai = _mm256_broadcast_ss(a3 + q); c30 = _mm256_fmadd_ps(ai, b0, c30); c31 = _mm256_fmadd_ps(ai, b1, c31);
        ai = _mm256_broadcast_ss(a4 + q); c40 = _mm256_fmadd_ps(ai, b0, c40); c41 = _mm256_fmadd_ps(ai, b1, c41);
        ai = _mm256_broadcast_ss(a5 + q); c50 = _mm256_fmadd_ps(ai, b0, c50); c51 = _mm256_fmadd_ps(ai, b1, c51);
        b += NR;
    }
    _mm256_storeu_ps(c + 0 * ldc, c00); _mm256_storeu_ps(c + 0 * ldc + 8, c01);
    _mm256_storeu_ps(c + 1 * ldc, c10); _mm256_storeu_ps(c + 1 * ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20); _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50); _mm256_storeu_ps(c + 5 * ldc + 8, c51);
}

__attribute__((target("avx2,fma")))
static void microkernel_avx2_full(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int load_c) {
    microkernel_avx2_tile(kc, a, 1, MR, b, c, ldc, load_c);
}

__attribute__((target("avx2,fma")))
static void microkernel_avx2_unpacked(int64_t kc, const float *a, int64_t rs, int64_t cs, const float *b, float *c,
                                      int64_t ldc, int load_c) {
    microkernel_avx2_tile(kc, a, rs, cs, b, c, ldc, load_c);
}

/// Peak probe: 12 independent chains of 8-wide FMAs, `iterations` rounds. Returns a value that depends on every chain so
/// the work cannot be removed. FLOP = iterations × 12 × 8 × 2.
__attribute__((target("avx2,fma")))
static float fma_peak_probe_avx2(int64_t iterations) {
    __m256 x[12];
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) x[i] = _mm256_set1_ps((float)i);
    for (int64_t t = 0; t < iterations; t++) {
        x[0] = _mm256_fmadd_ps(x[0], a, b); x[1] = _mm256_fmadd_ps(x[1], a, b); x[2] = _mm256_fmadd_ps(x[2], a, b);
        x[3] = _mm256_fmadd_ps(x[3], a, b); x[4] = _mm256_fmadd_ps(x[4], a, b); x[5] = _mm256_fmadd_ps(x[5], a, b);
        x[6] = _mm256_fmadd_ps(x[6], a, b); x[7] = _mm256_fmadd_ps(x[7], a, b); x[8] = _mm256_fmadd_ps(x[8], a, b);
        x[9] = _mm256_fmadd_ps(x[9], a, b); x[10] = _mm256_fmadd_ps(x[10], a, b); x[11] = _mm256_fmadd_ps(x[11], a, b);
    }
    __m256 s = x[0];
    for (int i = 1; i < 12; i++) s = _mm256_add_ps(s, x[i]);
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0];
}

float reprise_fma_peak_probe(int64_t iterations) {
    if (!reprise_sgemm_uses_avx2()) return 0;
    return fma_peak_probe_avx2(iterations);
}

static int avx2_state = -1;

int reprise_sgemm_uses_avx2(void) {
    if (avx2_state < 0) {
        __builtin_cpu_init();
        avx2_state = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
    }
    return avx2_state;
}

// One tile of A[i][p] = a[i*rs + p*cs] (the packed instance when rs = 1, cs = MR). An edge tile (mr < MR or nr < NR)
// is computed whole into an aligned scratch and only its valid part stored: same arithmetic. A read in place must have
// MR rows (the caller packs partial panels).
static void run_tile(int64_t kc, const float *a, int64_t rs, int64_t cs, const float *b, float *c, int64_t ldc,
                     int load_c, int64_t mr, int64_t nr) {
    const int packed = rs == 1 && cs == MR;
    float *out = c;
    int64_t ldo = ldc;
    float tile[MR * NR] __attribute__((aligned(32)));
    if (mr != MR || nr != NR) {
        out = tile; ldo = NR;
        if (load_c) {
            memset(tile, 0, sizeof tile);
            for (int64_t i = 0; i < mr; i++)
                for (int64_t j = 0; j < nr; j++)
                    tile[i * NR + j] = c[i * ldc + j];
        }
    }
    if (packed) microkernel_avx2_full(kc, a, b, out, ldo, load_c);
    else microkernel_avx2_unpacked(kc, a, rs, cs, b, out, ldo, load_c);
    if (out == tile)
        for (int64_t i = 0; i < mr; i++)
            for (int64_t j = 0; j < nr; j++)
                c[i * ldc + j] = tile[i * NR + j];
}

void reprise_sgemm_microkernel(int64_t kc, const float *a, const float *b,
                               float *c, int64_t ldc, int load_c, int64_t mr, int64_t nr) {
    if (!reprise_sgemm_uses_avx2()) {
        reprise_sgemm_microkernel_portable(kc, a, b, c, ldc, load_c, mr, nr);
        return;
    }
    run_tile(kc, a, 1, MR, b, c, ldc, load_c, mr, nr);
}

void reprise_sgemm_microkernel_unpacked(int64_t kc, const float *a, int64_t a_row_stride, int64_t a_column_stride,
                                        const float *b, float *c, int64_t ldc, int load_c, int64_t nr) {
    if (!reprise_sgemm_uses_avx2()) {
        reprise_sgemm_microkernel_unpacked_portable(kc, a, a_row_stride, a_column_stride, b, c, ldc, load_c, nr);
        return;
    }
    run_tile(kc, a, a_row_stride, a_column_stride, b, c, ldc, load_c, MR, nr);
}

#else

void reprise_sgemm_microkernel_unpacked(int64_t kc, const float *a, int64_t a_row_stride, int64_t a_column_stride,
                                        const float *b, float *c, int64_t ldc, int load_c, int64_t nr) {
    reprise_sgemm_microkernel_unpacked_portable(kc, a, a_row_stride, a_column_stride, b, c, ldc, load_c, nr);
}

int reprise_sgemm_uses_avx2(void) { return 0; }
float reprise_fma_peak_probe(int64_t iterations) { (void)iterations; return 0; }

void reprise_sgemm_microkernel(int64_t kc, const float *a, const float *b,
                               float *c, int64_t ldc, int load_c, int64_t mr, int64_t nr) {
    reprise_sgemm_microkernel_portable(kc, a, b, c, ldc, load_c, mr, nr);
}

#endif
