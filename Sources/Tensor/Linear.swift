import CBLAS

/// y[M,N] = x[M,K] · wᵀ (w stored [N,K], the PyTorch/Hugging Face layout) + bias[N].
/// One sgemm, NoTrans × Trans; the bias is written first and accumulated with β = 1.
@inline(__always)
public func linear(_ x: UnsafePointer<Float>, rows m: Int, inFeatures k: Int,
                   weight w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outFeatures n: Int,
                   into y: UnsafeMutablePointer<Float>, ldx: Int? = nil, ldy: Int? = nil) {
    let ldyv = ldy ?? n
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
