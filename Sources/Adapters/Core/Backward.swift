import Foundation
import Tensor

// Backward kernels for the layers Adapters trains through, each beside the forward it inverts.
// Conventions: row-major, weights [out, in] (PyTorch layout); `d…` are gradients of the loss.
// Gradients into inputs are *accumulated* (+=) where the callers sum residual branches.

// MARK: Linear

/// Backward of y[M,N] = x[M,K]·wᵀ + b (w: [N,K]).
/// dx[M,K] (+)= dy[M,N]·w[N,K]; dw[N,K] += dyᵀ·x; db[N] += Σ_rows dy. Any output may be nil.
func linearBackward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                    rows m: Int, inFeatures k: Int, outFeatures n: Int,
                    dx: UnsafeMutablePointer<Float>?, accumulateDx: Bool,
                    dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
    guard m > 0 else { return }
    if let dx {
        gemm(m: m, n: k, k: n, a: dy, lda: n, b: w, ldb: k, beta: accumulateDx ? 1 : 0, c: dx, ldc: k)
    }
    if let dw {
        gemm(transA: true, m: n, n: k, k: m, a: dy, lda: n, b: x, ldb: k, beta: 1, c: dw, ldc: k)
    }
    if let db {
        for r in 0..<m { addInPlace(db, dy + r * n, count: n) }
    }
}

// MARK: LayerNorm

/// Training-mode LayerNorm: y = (x − μ)·rstd·γ + β per row, saving μ and rstd = 1/sqrt(var + eps)
/// for the backward. x: [rows, W]; mean, rstd: [rows]. x and y may not alias.
func layerNormForward(_ x: UnsafePointer<Float>, rows: Int, width w: Int, gamma: UnsafePointer<Float>,
                      beta: UnsafePointer<Float>, eps: Float, y: UnsafeMutablePointer<Float>,
                      mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
    Threads.parallelFor(rows, minimum: max(1, 16384 / max(w, 1))) { lo, hi in
        for r in lo..<hi {
            let xr = x + r * w, yr = y + r * w
            var s: Float = 0
            for i in 0..<w { s += xr[i] }
            let mu = s / Float(w)
            var v: Float = 0
            for i in 0..<w { let d = xr[i] - mu; v += d * d }
            let rs = 1 / (v / Float(w) + eps).squareRoot()
            for i in 0..<w { yr[i] = (xr[i] - mu) * rs * gamma[i] + beta[i] }
            mean[r] = mu
            rstd[r] = rs
        }
    }
}

/// Backward of `layerNormForward`. With x̂ = (x − μ)·rstd and g = dy·γ:
/// dx += rstd·(g − mean(g) − x̂·mean(g·x̂)); dγ += Σ dy·x̂; dβ += Σ dy (when given).
func layerNormBackward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                       rstd: UnsafePointer<Float>, gamma: UnsafePointer<Float>, rows: Int, width w: Int,
                       dx: UnsafeMutablePointer<Float>,
                       dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?) {
    let inputOnly = dGamma == nil && dBeta == nil
    // dx rows are independent; parameter sums are done serially to keep them deterministic.
    Threads.parallelFor(inputOnly ? rows : 0, minimum: max(1, 16384 / max(w, 1))) { lo, hi in
        for r in lo..<hi { layerNormRowBackward(r, dy, x, mean, rstd, gamma, w, dx) }
    }
    guard !inputOnly else { return }
    for r in 0..<rows {
        layerNormRowBackward(r, dy, x, mean, rstd, gamma, w, dx)
        let dyr = dy + r * w, xr = x + r * w, mu = mean[r], rs = rstd[r]
        for i in 0..<w {
            dGamma?[i] += dyr[i] * (xr[i] - mu) * rs
            dBeta?[i] += dyr[i]
        }
    }
}

@inline(__always)
private func layerNormRowBackward(_ r: Int, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                  _ mean: UnsafePointer<Float>, _ rstd: UnsafePointer<Float>,
                                  _ gamma: UnsafePointer<Float>, _ w: Int, _ dx: UnsafeMutablePointer<Float>) {
    let dyr = dy + r * w, xr = x + r * w, dxr = dx + r * w, mu = mean[r], rs = rstd[r]
    var sumG: Float = 0, sumGX: Float = 0
    for i in 0..<w {
        let g = dyr[i] * gamma[i]
        sumG += g
        sumGX += g * (xr[i] - mu) * rs
    }
    let mG = sumG / Float(w), mGX = sumGX / Float(w)
    for i in 0..<w {
        let xhat = (xr[i] - mu) * rs
        dxr[i] += rs * (dyr[i] * gamma[i] - mG - xhat * mGX)
    }
}

// MARK: Activations

/// Forward into a separate buffer (the backward needs the pre-activation): a = act(h).
func activationForward(_ act: Activation, _ h: UnsafePointer<Float>, count: Int, into a: UnsafeMutablePointer<Float>) {
    a.update(from: h, count: count)
    act.apply(a, count: count)
}

/// dh = da · act'(h), in place over da.
/// quick_gelu: h·σ(1.702h) → σ + 1.702·h·σ(1 − σ); gelu (erf): Φ(h) + h·φ(h).
func activationBackward(_ act: Activation, h: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, count: Int) {
    Threads.parallelFor(count, minimum: 16384) { lo, hi in
        switch act {
        case .quickGELU:
            for i in lo..<hi {
                let x = h[i], s = 1 / (1 + expf(-1.702 * x))
                grad[i] *= s + 1.702 * x * s * (1 - s)
            }
        case .gelu:
            for i in lo..<hi {
                let x = h[i]
                let cdf = 0.5 * (1 + erff(x * 0.70710678118654752))
                let pdf = expf(-0.5 * x * x) * 0.39894228040143268
                grad[i] *= cdf + x * pdf
            }
        }
    }
}

// MARK: Attention

/// Training-mode multi-head self-attention over packed qkv [B·n, 3W] (q | k | v, heads contiguous),
/// saving the probabilities probs [B, H, n, n] for the backward. out: [B·n, W].
func attentionForward(qkv: UnsafePointer<Float>, batch: Int, seq n: Int, width w: Int, heads: Int, causal: Bool,
                      probs: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
    let hd = w / heads, ld = 3 * w, scale = 1 / Float(hd).squareRoot()
    // Serial over (batch, head): each product is small and BLAS threads inside it.
    do {
        for bh in 0..<(batch * heads) {
            let b = bh / heads, h = bh % heads
            let q = qkv + b * n * ld + h * hd, k = q + w, v = q + 2 * w
            let p = probs + bh * n * n
            // p[n,n] = softmax(q·kᵀ·scale) with the causal mask
            gemm(transB: true, m: n, n: n, k: hd, alpha: scale, a: q, lda: ld, b: k, ldb: ld, c: p, ldc: n)
            for i in 0..<n { softmaxRow(p + i * n, cols: n, validCols: causal ? i + 1 : n) }
            // out[n,hd] = p·v
            gemm(m: n, n: hd, k: n, a: p, lda: n, b: v, ldb: ld, c: out + b * n * w + h * hd, ldc: w)
        }
    }
}

/// Backward of `attentionForward`: dOut [B·n, W] → dqkv [B·n, 3W] (overwritten).
/// dP = dOut·vᵀ; dv = Pᵀ·dOut; dS = P ⊙ (dP − rowsum(dP ⊙ P)); dq = scale·dS·k; dk = scale·dSᵀ·q.
/// Masked entries have P = 0, so their dS is 0 without a separate mask.
func attentionBackward(dOut: UnsafePointer<Float>, qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>,
                       batch: Int, seq n: Int, width w: Int, heads: Int, dqkv: UnsafeMutablePointer<Float>) {
    let hd = w / heads, ld = 3 * w, scale = 1 / Float(hd).squareRoot()
    let scratch = FloatBuffer(count: batch * heads * n * n, zeroed: false)
    // Serial over (batch, head): each product is small and BLAS threads inside it.
    do {
        for bh in 0..<(batch * heads) {
            let b = bh / heads, h = bh % heads
            let q = qkv + b * n * ld + h * hd, k = q + w, v = q + 2 * w
            let dq = dqkv + b * n * ld + h * hd, dk = dq + w, dv = dq + 2 * w
            let p = probs + bh * n * n, dS = scratch.pointer + bh * n * n
            let dO = dOut + b * n * w + h * hd
            // dP[n,n] = dO[n,hd]·v[n,hd]ᵀ
            gemm(transB: true, m: n, n: n, k: hd, a: dO, lda: w, b: v, ldb: ld, c: dS, ldc: n)
            // dv[n,hd] = Pᵀ·dO
            gemm(transA: true, m: n, n: hd, k: n, a: p, lda: n, b: dO, ldb: w, c: dv, ldc: ld)
            for i in 0..<n {
                let pr = p + i * n, dr = dS + i * n
                var s: Float = 0
                for j in 0..<n { s += pr[j] * dr[j] }
                for j in 0..<n { dr[j] = pr[j] * (dr[j] - s) }
            }
            // dq = scale·dS·k ; dk = scale·dSᵀ·q
            gemm(m: n, n: hd, k: n, alpha: scale, a: dS, lda: n, b: k, ldb: ld, c: dq, ldc: ld)
            gemm(transA: true, m: n, n: hd, k: n, alpha: scale, a: dS, lda: n, b: q, ldb: ld, c: dk, ldc: ld)
        }
    }
    withExtendedLifetime(scratch) {}
}

// MARK: L2 normalisation

/// Backward of ŷ = y/|y| per row: dy = (dŷ − ŷ·(ŷ·dŷ)) / |y|. `normed` holds ŷ, `norms` |y|.
func normalizeBackward(dNormed: UnsafePointer<Float>, normed: UnsafePointer<Float>, norms: UnsafePointer<Float>,
                       rows: Int, width w: Int, dy: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let g = dNormed + r * w, yh = normed + r * w, o = dy + r * w
        let d = dot(yh, g, count: w), inv = norms[r] > 0 ? 1 / norms[r] : 0
        for i in 0..<w { o[i] = (g[i] - yh[i] * d) * inv }
    }
}

/// ŷ = y/|y| per row into `normed`, saving |y| in `norms`.
func normalizeForward(_ y: UnsafePointer<Float>, rows: Int, width w: Int,
                      normed: UnsafeMutablePointer<Float>, norms: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let s = dot(y + r * w, y + r * w, count: w).squareRoot()
        norms[r] = s
        let inv = s > 0 ? 1 / s : 0
        for i in 0..<w { normed[r * w + i] = y[r * w + i] * inv }
    }
}
