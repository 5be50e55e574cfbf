#include "ckernels.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

int cdx_cpu_has_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    }
    return cached;
}

static inline float hsum256(__m256 v) __attribute__((target("avx2,fma")));
static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

static inline void store(float *y, float v, int accumulate) { *y = accumulate ? *y + v : v; }

// Two weight rows × four input rows per step: eight independent FMA chains kept in registers.
__attribute__((target("avx2,fma")))
static void block2x4(const float *x, int k, int ldx, const float *w0, const float *w1, float out[4][2]) {
    const int k8 = k & ~7;
    const float *x0 = x, *x1 = x + ldx, *x2 = x + 2 * (size_t)ldx, *x3 = x + 3 * (size_t)ldx;
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int i = 0; i < k8; i += 8) {
        const __m256 v0 = _mm256_loadu_ps(w0 + i), v1 = _mm256_loadu_ps(w1 + i);
        __m256 xv = _mm256_loadu_ps(x0 + i); a00 = _mm256_fmadd_ps(v0, xv, a00); a01 = _mm256_fmadd_ps(v1, xv, a01);
        xv = _mm256_loadu_ps(x1 + i); a10 = _mm256_fmadd_ps(v0, xv, a10); a11 = _mm256_fmadd_ps(v1, xv, a11);
        xv = _mm256_loadu_ps(x2 + i); a20 = _mm256_fmadd_ps(v0, xv, a20); a21 = _mm256_fmadd_ps(v1, xv, a21);
        xv = _mm256_loadu_ps(x3 + i); a30 = _mm256_fmadd_ps(v0, xv, a30); a31 = _mm256_fmadd_ps(v1, xv, a31);
    }
    out[0][0] = hsum256(a00); out[0][1] = hsum256(a01); out[1][0] = hsum256(a10); out[1][1] = hsum256(a11);
    out[2][0] = hsum256(a20); out[2][1] = hsum256(a21); out[3][0] = hsum256(a30); out[3][1] = hsum256(a31);
    for (int i = k8; i < k; i++)
        for (int q = 0; q < 4; q++) { out[q][0] += w0[i] * x[q * (size_t)ldx + i]; out[q][1] += w1[i] * x[q * (size_t)ldx + i]; }
}

// Two weight rows × one input row: the remainder rows.
__attribute__((target("avx2,fma")))
static void block2x1(const float *x, int k, const float *w0, const float *w1, float out[2]) {
    const int k8 = k & ~7;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0;
    for (int i = 0; i < k8; i += 8) {
        const __m256 xv = _mm256_loadu_ps(x + i);
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + i), xv, a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + i), xv, a1);
    }
    out[0] = hsum256(a0); out[1] = hsum256(a1);
    for (int i = k8; i < k; i++) { out[0] += w0[i] * x[i]; out[1] += w1[i] * x[i]; }
}

__attribute__((target("avx2,fma")))
static void skinny_avx2(const float *x, int m, int k, int ldx, const float *w, const float *bias,
                        int j0, int j1, float *y, int ldy, int acc) {
    for (int j = j0; j < j1; j += 2) {
        const int pair = j + 1 < j1;
        const float *w0 = w + (size_t)j * k, *w1 = pair ? w0 + k : w0;
        const float b0 = bias ? bias[j] : 0.f, b1 = bias && pair ? bias[j + 1] : 0.f;
        int r = 0;
        for (; r + 4 <= m; r += 4) {
            float out[4][2];
            block2x4(x + (size_t)r * ldx, k, ldx, w0, w1, out);
            for (int q = 0; q < 4; q++) {
                store(y + (size_t)(r + q) * ldy + j, out[q][0] + b0, acc);
                if (pair) store(y + (size_t)(r + q) * ldy + j + 1, out[q][1] + b1, acc);
            }
        }
        for (; r < m; r++) {
            float out[2];
            block2x1(x + (size_t)r * ldx, k, w0, w1, out);
            store(y + (size_t)r * ldy + j, out[0] + b0, acc);
            if (pair) store(y + (size_t)r * ldy + j + 1, out[1] + b1, acc);
        }
    }
}

static void skinny_portable(const float *x, int m, int k, int ldx, const float *w, const float *bias,
                            int j0, int j1, float *y, int ldy, int acc) {
    for (int j = j0; j < j1; j++) {
        const float *wr = w + (size_t)j * k;
        for (int r = 0; r < m; r++) {
            const float *xr = x + (size_t)r * ldx;
            float s[4] = {0, 0, 0, 0};
            int i = 0;
            for (; i + 3 < k; i += 4) for (int l = 0; l < 4; l++) s[l] += wr[i + l] * xr[i + l];
            float t = s[0] + s[1] + s[2] + s[3];
            for (; i < k; i++) t += wr[i] * xr[i];
            store(y + (size_t)r * ldy + j, t + (bias ? bias[j] : 0.f), acc);
        }
    }
}

void cdx_skinny_gemm(const float *x, int m, int k, int ldx, const float *w, const float *bias,
                     int j0, int j1, float *y, int ldy, int accumulate) {
    if (cdx_cpu_has_avx2()) skinny_avx2(x, m, k, ldx, w, bias, j0, j1, y, ldy, accumulate);
    else skinny_portable(x, m, k, ldx, w, bias, j0, j1, y, ldy, accumulate);
}

static float half_scalar(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1F, mant = h & 0x3FF, bits;
    if (exp == 0) {
        float v = (float)mant * (1.0f / 16777216.0f);
        return sign ? -v : v;
    }
    bits = exp == 31 ? (sign | 0x7F800000u | (mant << 13)) : (sign | ((exp + 112) << 23) | (mant << 13));
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

__attribute__((target("avx2,f16c")))
static void half_to_float_f16c(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    for (; i < n; i++) dst[i] = half_scalar(src[i]);
}

void cdx_half_to_float(const uint16_t *src, float *dst, size_t n) {
    if (cdx_cpu_has_avx2()) { half_to_float_f16c(src, dst, n); return; }
    for (size_t i = 0; i < n; i++) dst[i] = half_scalar(src[i]);
}

__attribute__((target("avx2,fma,f16c")))
static void dot_rows_f16_avx2(const uint16_t *rows, size_t count, int dim, const float *q, float *scores) {
    const int d8 = dim & ~7;
    for (size_t r = 0; r < count; r++) {
        const uint16_t *row = rows + r * (size_t)dim;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        int i = 0;
        for (; i + 16 <= d8; i += 16) {
            a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i))), _mm256_loadu_ps(q + i), a0);
            a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i + 8))), _mm256_loadu_ps(q + i + 8), a1);
        }
        for (; i < d8; i += 8)
            a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + i))), _mm256_loadu_ps(q + i), a0);
        float s = hsum256(_mm256_add_ps(a0, a1));
        for (; i < dim; i++) s += half_scalar(row[i]) * q[i];
        scores[r] = s;
    }
}

void cdx_dot_rows_f16(const uint16_t *rows, size_t count, int dim, const float *q, float *scores) {
    if (cdx_cpu_has_avx2()) { dot_rows_f16_avx2(rows, count, dim, q, scores); return; }
    for (size_t r = 0; r < count; r++) {
        float s = 0;
        for (int i = 0; i < dim; i++) s += half_scalar(rows[r * (size_t)dim + i]) * q[i];
        scores[r] = s;
    }
}

// exp(x) for AVX2: range reduction x = n·ln2 + r, a degree-6 polynomial for e^r, then 2^n.
// Relative error below 2e-7 over the float range that matters here; clamps far tails.
__attribute__((target("avx2,fma")))
static inline __m256 exp256(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

__attribute__((target("avx2,fma")))
static void quick_gelu_avx2(float *x, size_t n) {
    size_t i = 0;
    const __m256 k = _mm256_set1_ps(-1.702f), one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        _mm256_storeu_ps(x + i, _mm256_div_ps(v, _mm256_add_ps(one, exp256(_mm256_mul_ps(k, v)))));
    }
    for (; i < n; i++) x[i] = x[i] / (1.0f + expf(-1.702f * x[i]));
}

void cdx_quick_gelu(float *x, size_t n) {
    if (cdx_cpu_has_avx2()) { quick_gelu_avx2(x, n); return; }
    for (size_t i = 0; i < n; i++) x[i] = x[i] / (1.0f + expf(-1.702f * x[i]));
}

__attribute__((target("avx2,fma")))
static void layer_norm_avx2(const float *x, size_t rows, int width, const float *gamma, const float *beta,
                            float eps, float *y) {
    const int w8 = width & ~7;
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * width;
        float *yr = y + r * width;
        __m256 s8 = _mm256_setzero_ps();
        int i = 0;
        for (; i < w8; i += 8) s8 = _mm256_add_ps(s8, _mm256_loadu_ps(xr + i));
        float sum = hsum256(s8);
        for (; i < width; i++) sum += xr[i];
        const float mean = sum / width;
        const __m256 m8 = _mm256_set1_ps(mean);
        __m256 v8 = _mm256_setzero_ps();
        for (i = 0; i < w8; i += 8) { const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(xr + i), m8); v8 = _mm256_fmadd_ps(d, d, v8); }
        float var = hsum256(v8);
        for (; i < width; i++) { const float d = xr[i] - mean; var += d * d; }
        const float inv = 1.0f / sqrtf(var / width + eps);
        const __m256 i8 = _mm256_set1_ps(inv);
        for (i = 0; i < w8; i += 8) {
            const __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + i), m8), i8);
            _mm256_storeu_ps(yr + i, _mm256_fmadd_ps(d, _mm256_loadu_ps(gamma + i), _mm256_loadu_ps(beta + i)));
        }
        for (; i < width; i++) yr[i] = (xr[i] - mean) * inv * gamma[i] + beta[i];
    }
}

void cdx_layer_norm(const float *x, size_t rows, int width, const float *gamma, const float *beta,
                    float eps, float *y) {
    if (cdx_cpu_has_avx2()) { layer_norm_avx2(x, rows, width, gamma, beta, eps, y); return; }
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * width;
        float *yr = y + r * width, mean = 0, var = 0;
        for (int i = 0; i < width; i++) mean += xr[i];
        mean /= width;
        for (int i = 0; i < width; i++) { const float d = xr[i] - mean; var += d * d; }
        const float inv = 1.0f / sqrtf(var / width + eps);
        for (int i = 0; i < width; i++) yr[i] = (xr[i] - mean) * inv * gamma[i] + beta[i];
    }
}
