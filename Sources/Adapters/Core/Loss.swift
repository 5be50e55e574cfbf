import Foundation
import Tensor

/// The result of the contrastive loss over one batch.
struct LossResult {
    let loss: Float
    let dVideo: FloatBuffer     // [B, D] gradient w.r.t. the un-normalised video features
    let dText: FloatBuffer      // [C, D] gradient w.r.t. the un-normalised text features
    let correct: Int            // how many rows have their target as the arg-max
}

/// NCE / cross-entropy over L2-normalised features (Efficient-Prompt, CLIP):
/// logits[B, C] = v̂·t̂ᵀ/τ, loss = mean_b −log softmax(logits_b)[target_b]; negatives are all C labels.
/// Backward: dlogits = (softmax − onehot)/B; dv̂ = dlogits·t̂/τ; dt̂ = dlogitsᵀ·v̂/τ, then through the
/// normalisations.
func contrastiveLoss(video v: UnsafePointer<Float>, batch: Int, text t: UnsafePointer<Float>, classes: Int,
                     width d: Int, targets: [Int], temperature tau: Float) -> LossResult {
    let vh = FloatBuffer(count: batch * d, zeroed: false), vn = FloatBuffer(count: batch, zeroed: false)
    let th = FloatBuffer(count: classes * d, zeroed: false), tn = FloatBuffer(count: classes, zeroed: false)
    normalizeForward(v, rows: batch, width: d, normed: vh.pointer, norms: vn.pointer)
    normalizeForward(t, rows: classes, width: d, normed: th.pointer, norms: tn.pointer)
    let logits = FloatBuffer(count: batch * classes, zeroed: false)
    // logits[B,C] = v̂[B,D]·t̂[C,D]ᵀ / τ
    gemm(transB: true, m: batch, n: classes, k: d, alpha: 1 / tau, a: vh.pointer, lda: d, b: th.pointer, ldb: d,
         c: logits.pointer, ldc: classes)
    var loss: Double = 0
    var correct = 0
    for b in 0..<batch {
        let row = logits.pointer + b * classes
        var best = 0
        for c in 1..<max(1, classes) where row[c] > row[best] { best = c }
        if best == targets[b] { correct += 1 }
        softmaxRow(row, cols: classes, validCols: classes)
        loss -= log(Double(max(row[targets[b]], 1e-30)))
        row[targets[b]] -= 1
        for c in 0..<classes { row[c] /= Float(batch) }
    }
    let dvh = FloatBuffer(count: batch * d, zeroed: false), dth = FloatBuffer(count: classes * d, zeroed: false)
    gemm(m: batch, n: d, k: classes, alpha: 1 / tau, a: logits.pointer, lda: classes, b: th.pointer, ldb: d,
         c: dvh.pointer, ldc: d)
    gemm(transA: true, m: classes, n: d, k: batch, alpha: 1 / tau, a: logits.pointer, lda: classes, b: vh.pointer,
         ldb: d, c: dth.pointer, ldc: d)
    let dv = FloatBuffer(count: batch * d, zeroed: false), dt = FloatBuffer(count: classes * d, zeroed: false)
    normalizeBackward(dNormed: dvh.pointer, normed: vh.pointer, norms: vn.pointer, rows: batch, width: d, dy: dv.pointer)
    normalizeBackward(dNormed: dth.pointer, normed: th.pointer, norms: tn.pointer, rows: classes, width: d, dy: dt.pointer)
    withExtendedLifetime((vh, vn, th, tn, logits, dvh, dth)) {}
    return LossResult(loss: Float(loss / Double(batch)), dVideo: dv, dText: dt, correct: correct)
}

/// Mean over time: v[B, D] = (1/T)·Σ_t y[B, t, D]; its backward spreads dv/T to every frame.
func meanPool(_ y: UnsafePointer<Float>, batch: Int, frames t: Int, width d: Int) -> FloatBuffer {
    let v = FloatBuffer(count: batch * d)
    for b in 0..<batch {
        for f in 0..<t { addInPlace(v.pointer + b * d, y + (b * t + f) * d, count: d) }
        for i in 0..<d { v.pointer[b * d + i] /= Float(t) }
    }
    return v
}

func meanPoolBackward(_ dv: UnsafePointer<Float>, batch: Int, frames t: Int, width d: Int) -> FloatBuffer {
    let dy = FloatBuffer(count: batch * t * d, zeroed: false)
    for b in 0..<batch {
        for f in 0..<t {
            for i in 0..<d { dy.pointer[(b * t + f) * d + i] = dv[b * d + i] / Float(t) }
        }
    }
    return dy
}
