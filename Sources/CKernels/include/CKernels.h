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

/// 1 when the AVX2/FMA micro-kernel is in use on this CPU.
int reprise_sgemm_uses_avx2(void);

/// Runs `iterations` rounds of 12 independent 8-wide FMA chains (AVX2 only; returns 0 elsewhere), for measuring the
/// machine's attainable single-precision FMA peak: FLOP = iterations × 192.
float reprise_fma_peak_probe(int64_t iterations);

#endif
