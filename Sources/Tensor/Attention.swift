/// Multi-head self-attention over packed QKV rows.
///
/// qkv: [batch·seq, 3·width], each row q | k | v with heads laid out contiguously (h·headDim…).
/// out: [batch·seq, width]. Scores use α = headDim^-0.5 inside the sgemm (the same as scaling q).
/// `lengths[b]` limits sequence b to its first tokens (padding); `causal` masks future tokens.
/// `scratch` holds at least `Threads.count · seq · seq` floats.
public func attention(qkv: UnsafePointer<Float>, batch: Int, seq: Int, width: Int, heads: Int,
                      causal: Bool, lengths: [Int]? = nil, scratch: UnsafeMutablePointer<Float>,
                      into out: UnsafeMutablePointer<Float>) {
    let headDim = width / heads
    let ld = 3 * width
    let scale = 1 / Float(headDim).squareRoot()
    for b in 0..<batch {
        let n = lengths?[b] ?? seq
        let base = qkv + b * seq * ld
        for h in 0..<heads {
            let q = base + h * headDim, k = q + width, v = q + 2 * width
            let scores = scratch
            // scores[n,n] = q[n,d] · k[n,d]ᵀ · scale
            gemm(transB: true, m: n, n: n, k: headDim, alpha: scale, a: q, lda: ld, b: k, ldb: ld, c: scores, ldc: n)
            for i in 0..<n { softmaxRow(scores + i * n, cols: n, validCols: causal ? i + 1 : n) }
            // out[n,d] = P[n,n] · v[n,d]
            gemm(m: n, n: headDim, k: n, a: scores, lda: n, b: v, ldb: ld,
                 c: out + b * seq * width + h * headDim, ldc: width)
        }
        if n < seq { (out + (b * seq + n) * width).initialize(repeating: 0, count: (seq - n) * width) }
    }
}
