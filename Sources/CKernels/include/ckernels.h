// Small hand-written kernels that BLAS does not cover well, with AVX2/FMA/F16C paths chosen
// at run time (every machine clipdex targets has them; a portable path covers the rest).
#pragma once
#include <stddef.h>
#include <stdint.h>

/// y[r, j] (+)= dot(x[r, :k], w[j, :k]) + bias[j] for rows r < m and output columns j in [j0, j1).
/// For few rows (one text query): every weight row is read once and reused across the rows.
void cdx_skinny_gemm(const float *x, int m, int k, int ldx, const float *w, const float *bias,
                     int j0, int j1, float *y, int ldy, int accumulate);

/// dst[i] = (float)src[i] for IEEE half-precision bits.
void cdx_half_to_float(const uint16_t *src, float *dst, size_t n);

/// scores[i] = dot(q, rows[i]) for `count` fp16 rows of `dim` values (a vector-search scan).
void cdx_dot_rows_f16(const uint16_t *rows, size_t count, int dim, const float *q, float *scores);

/// 1 when the CPU has AVX2, FMA and F16C.
int cdx_cpu_has_avx2(void);

/// x[i] = x[i] · sigmoid(1.702 · x[i]) in place (CLIP's quick_gelu), vectorised exp.
void cdx_quick_gelu(float *x, size_t n);

/// Row-wise LayerNorm of `rows` × `width` values: y = (x − mean)/sqrt(var + eps) · gamma + beta.
void cdx_layer_norm(const float *x, size_t rows, int width, const float *gamma, const float *beta,
                    float eps, float *y);
