import CLIP
import Tensor

/// Gradients of one residual attention block's weights (the temporal module's; the frozen
/// text encoder's blocks get none). Shapes follow `BlockWeights`.
final class BlockGrads {
    let ln1Gamma, ln1Beta, ln2Gamma, ln2Beta: FloatBuffer   // [W]
    let qkvWeight, qkvBias: FloatBuffer                     // [3W, W], [3W]
    let outWeight, outBias: FloatBuffer                     // [W, W], [W]
    let fc1Weight, fc1Bias: FloatBuffer                     // [I, W], [I]
    let fc2Weight, fc2Bias: FloatBuffer                     // [W, I], [W]

    init(width w: Int, intermediate i: Int) {
        ln1Gamma = FloatBuffer(count: w); ln1Beta = FloatBuffer(count: w)
        ln2Gamma = FloatBuffer(count: w); ln2Beta = FloatBuffer(count: w)
        qkvWeight = FloatBuffer(count: 3 * w * w); qkvBias = FloatBuffer(count: 3 * w)
        outWeight = FloatBuffer(count: w * w); outBias = FloatBuffer(count: w)
        fc1Weight = FloatBuffer(count: i * w); fc1Bias = FloatBuffer(count: i)
        fc2Weight = FloatBuffer(count: w * i); fc2Bias = FloatBuffer(count: w)
    }
}

/// One block's training-mode forward, keeping what its backward needs (llm.c style):
/// x += out(attn(LN1(x))); x += fc2(act(fc1(LN2(x)))), over rows = batch·seq tokens.
final class BlockTape {
    let weights: BlockWeights
    let batch: Int, seq: Int, rows: Int
    let eps: Float, activation: Activation, causal: Bool
    let xIn: FloatBuffer                    // [rows, W] block input
    let mean1, rstd1, mean2, rstd2: FloatBuffer   // [rows]
    let normed1: FloatBuffer                // [rows, W]
    let qkv: FloatBuffer                    // [rows, 3W]
    let probs: FloatBuffer                  // [B, H, seq, seq]
    let attended: FloatBuffer               // [rows, W]
    let xMid: FloatBuffer                   // [rows, W] after the attention residual
    let normed2: FloatBuffer                // [rows, W]
    let hidden: FloatBuffer                 // [rows, I] fc1 output, before the activation
    let activated: FloatBuffer              // [rows, I]

    init(_ b: BlockWeights, batch: Int, seq: Int, eps: Float, activation: Activation, causal: Bool) {
        weights = b
        self.batch = batch; self.seq = seq; rows = batch * seq
        self.eps = eps; self.activation = activation; self.causal = causal
        let w = b.width, i = b.intermediate
        xIn = FloatBuffer(count: rows * w, zeroed: false)
        mean1 = FloatBuffer(count: rows, zeroed: false); rstd1 = FloatBuffer(count: rows, zeroed: false)
        mean2 = FloatBuffer(count: rows, zeroed: false); rstd2 = FloatBuffer(count: rows, zeroed: false)
        normed1 = FloatBuffer(count: rows * w, zeroed: false)
        qkv = FloatBuffer(count: rows * 3 * w, zeroed: false)
        probs = FloatBuffer(count: batch * b.heads * seq * seq, zeroed: false)
        attended = FloatBuffer(count: rows * w, zeroed: false)
        xMid = FloatBuffer(count: rows * w, zeroed: false)
        normed2 = FloatBuffer(count: rows * w, zeroed: false)
        hidden = FloatBuffer(count: rows * i, zeroed: false)
        activated = FloatBuffer(count: rows * i, zeroed: false)
    }

    /// Runs the block in place over x [rows, W], recording the activations.
    func forward(_ x: UnsafeMutablePointer<Float>) {
        let b = weights, w = b.width, i = b.intermediate
        xIn.pointer.update(from: x, count: rows * w)
        layerNormForward(x, rows: rows, width: w, gamma: b.ln1Gamma.pointer, beta: b.ln1Beta.pointer, eps: eps,
                         y: normed1.pointer, mean: mean1.pointer, rstd: rstd1.pointer)
        linear(normed1.pointer, rows: rows, inFeatures: w, weight: b.qkvWeight.pointer, bias: b.qkvBias.pointer,
               outFeatures: 3 * w, into: qkv.pointer)
        attentionForward(qkv: qkv.pointer, batch: batch, seq: seq, width: w, heads: b.heads, causal: causal,
                         probs: probs.pointer, out: attended.pointer)
        // x[rows,W] += attended·outᵀ + out_b
        addLinear(attended.pointer, rows: rows, inFeatures: w, weight: b.outWeight.pointer, bias: b.outBias.pointer,
                  outFeatures: w, into: x)
        xMid.pointer.update(from: x, count: rows * w)
        layerNormForward(x, rows: rows, width: w, gamma: b.ln2Gamma.pointer, beta: b.ln2Beta.pointer, eps: eps,
                         y: normed2.pointer, mean: mean2.pointer, rstd: rstd2.pointer)
        linear(normed2.pointer, rows: rows, inFeatures: w, weight: b.fc1Weight.pointer, bias: b.fc1Bias.pointer,
               outFeatures: i, into: hidden.pointer)
        activationForward(activation, hidden.pointer, count: rows * i, into: activated.pointer)
        addLinear(activated.pointer, rows: rows, inFeatures: i, weight: b.fc2Weight.pointer, bias: b.fc2Bias.pointer,
                  outFeatures: w, into: x)
    }

    /// Backward in place: dx [rows, W] holds dL/d(output) on entry and dL/d(input) on return.
    /// Weight gradients are accumulated into `grads` when given (never for the frozen CLIP).
    func backward(_ dx: UnsafeMutablePointer<Float>, grads g: BlockGrads?) {
        let b = weights, w = b.width, i = b.intermediate
        // MLP branch: x_out = x_mid + fc2(act(fc1(LN2(x_mid))))
        let dHidden = FloatBuffer(count: rows * i, zeroed: false)
        linearBackward(dy: dx, x: activated.pointer, w: b.fc2Weight.pointer, rows: rows, inFeatures: i, outFeatures: w,
                       dx: dHidden.pointer, accumulateDx: false, dw: g?.fc2Weight.pointer, db: g?.fc2Bias.pointer)
        activationBackward(activation, h: hidden.pointer, grad: dHidden.pointer, count: rows * i)
        let dNormed = FloatBuffer(count: rows * w, zeroed: false)
        linearBackward(dy: dHidden.pointer, x: normed2.pointer, w: b.fc1Weight.pointer, rows: rows, inFeatures: w,
                       outFeatures: i, dx: dNormed.pointer, accumulateDx: false,
                       dw: g?.fc1Weight.pointer, db: g?.fc1Bias.pointer)
        layerNormBackward(dy: dNormed.pointer, x: xMid.pointer, mean: mean2.pointer, rstd: rstd2.pointer,
                          gamma: b.ln2Gamma.pointer, rows: rows, width: w, dx: dx,
                          dGamma: g?.ln2Gamma.pointer, dBeta: g?.ln2Beta.pointer)
        // attention branch: x_mid = x_in + out(attn(LN1(x_in)))
        let dAttended = dNormed   // reuse [rows, W]
        linearBackward(dy: dx, x: attended.pointer, w: b.outWeight.pointer, rows: rows, inFeatures: w, outFeatures: w,
                       dx: dAttended.pointer, accumulateDx: false, dw: g?.outWeight.pointer, db: g?.outBias.pointer)
        let dQKV = FloatBuffer(count: rows * 3 * w, zeroed: false)
        attentionBackward(dOut: dAttended.pointer, qkv: qkv.pointer, probs: probs.pointer, batch: batch, seq: seq,
                          width: w, heads: b.heads, dqkv: dQKV.pointer)
        let dNormed1 = dAttended
        linearBackward(dy: dQKV.pointer, x: normed1.pointer, w: b.qkvWeight.pointer, rows: rows, inFeatures: w,
                       outFeatures: 3 * w, dx: dNormed1.pointer, accumulateDx: false,
                       dw: g?.qkvWeight.pointer, db: g?.qkvBias.pointer)
        layerNormBackward(dy: dNormed1.pointer, x: xIn.pointer, mean: mean1.pointer, rstd: rstd1.pointer,
                          gamma: b.ln1Gamma.pointer, rows: rows, width: w, dx: dx,
                          dGamma: g?.ln1Gamma.pointer, dBeta: g?.ln1Beta.pointer)
        withExtendedLifetime((dHidden, dNormed, dQKV)) {}
    }
}

/// y[M,N] += x[M,K]·wᵀ + bias (a residual branch added through sgemm with β = 1).
func addLinear(_ x: UnsafePointer<Float>, rows m: Int, inFeatures k: Int, weight: UnsafePointer<Float>,
               bias: UnsafePointer<Float>, outFeatures n: Int, into y: UnsafeMutablePointer<Float>) {
    for r in 0..<m { addInPlace(y + r * n, bias, count: n) }
    gemm(transB: true, m: m, n: n, k: k, a: x, lda: k, b: weight, ldb: k, beta: 1, c: y, ldc: n)
}
