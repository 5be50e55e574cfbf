import CBLAS
import CKernels

/// y[M,N] = x[M,K] · wᵀ (w stored [N,K], the PyTorch/Hugging Face layout) + bias[N].
/// One sgemm, NoTrans × Trans; the bias is written first and accumulated with β = 1.
/// A few rows (a single text query) take `skinnyLinear` instead: sgemm would pack the whole
/// weight matrix for them, tripling the memory traffic that bounds such products.
@inline(__always)
public func linear(_ x: UnsafePointer<Float>, rows m: Int, inFeatures k: Int,
                   weight w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures n: Int,
                   into y: UnsafeMutablePointer<Float>, ldx: Int? = nil, ldy: Int? = nil) {
    let ldyv = ldy ?? n
    if m <= skinnyRows {
        skinnyLinear(x, rows: m, inFeatures: k, ldx: ldx ?? k, weight: w, bias: bias, outFeatures: n,
                     into: y, ldy: ldyv, accumulate: false)
        return
    }
    if let bias {
        for r in 0..<m { (y + r * ldyv).update(from: bias, count: n) }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                1, x, Int32(ldx ?? k), w, Int32(k), bias == nil ? 0 : 1, y, Int32(ldyv))
}

/// Plain row-major C[M,N] = α·A[M,K]·B[K,N] (+ β·C), with optional transposes, for callers
/// that need the general form (attention, backward passes).
@inline(__always)
public func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Row counts up to which `skinnyLinear` beats sgemm (measured with `clipdex bench encode`).
public let skinnyRows = 16

/// y[M,N] (+)= x[M,K] · wᵀ + bias for small M: each weight row is streamed from memory once and
/// reused across the (cache-resident) input rows; output columns are split across threads.
/// `accumulate` adds to y instead of overwriting it.
public func skinnyLinear(_ x: UnsafePointer<Float>, rows m: Int, inFeatures k: Int, ldx: Int,
                         weight w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures n: Int,
                         into y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool) {
    Threads.parallelFor(n, minimum: max(2, 65536 / max(k, 1))) { lo, hi in
        cdx_skinny_gemm(x, Int32(m), Int32(k), Int32(ldx), w, bias, Int32(lo), Int32(hi), y, Int32(ldy), accumulate ? 1 : 0)
    }
}
