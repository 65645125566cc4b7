// Batch-norm backward passes over rows m0..<m1 of an M × C matrix (NHWC), the arithmetic of Sources/Kernels/
// BatchNorm.swift exactly: plain scalar C (compiled with -ffp-contract=off, so no fused operations), which the
// compiler vectorises across channels without changing any element's operations or their order. Why C: see README.md.
#include "CKernels.h"

void reprise_bn_backward_sums(const float *restrict x, const float *restrict dy, const float *restrict relu_output,
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

void reprise_bn_backward_dx(const float *restrict x, const float *restrict dy, const float *restrict relu_output,
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
