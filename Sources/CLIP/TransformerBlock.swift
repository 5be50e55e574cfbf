import Foundation
import Tensor

/// Weights of one CLIP residual attention block (pre-LayerNorm):
/// x += out(attn(LN1(x))); x += fc2(act(fc1(LN2(x)))).
/// Q, K and V are fused into one [3W, W] matrix so a single sgemm makes them.
public struct BlockWeights: @unchecked Sendable {
    public let width: Int, intermediate: Int, heads: Int
    public let ln1Gamma: Weights, ln1Beta: Weights, ln2Gamma: Weights, ln2Beta: Weights
    public let qkvWeight: Weights, qkvBias: Weights        // [3W, W], [3W]
    public let outWeight: Weights, outBias: Weights        // [W, W], [W]
    public let fc1Weight: Weights, fc1Bias: Weights        // [I, W], [I]
    public let fc2Weight: Weights, fc2Bias: Weights        // [W, I], [W]

    /// Reads `{prefix}layer_norm1…mlp.fc2` in the Hugging Face CLIP naming.
    public static func load(_ st: WeightSource, prefix p: String, width w: Int, intermediate i: Int, heads: Int) throws -> BlockWeights {
        func t(_ n: String, _ s: [Int]) throws -> Weights { try st.floats(p + n, shape: s) }
        let qkvW = FloatBuffer(count: 3 * w * w, zeroed: false), qkvB = FloatBuffer(count: 3 * w, zeroed: false)
        for (j, name) in ["q_proj", "k_proj", "v_proj"].enumerated() {
            let wt = try t("self_attn.\(name).weight", [w, w]), bs = try t("self_attn.\(name).bias", [w])
            (qkvW.pointer + j * w * w).update(from: wt.pointer, count: w * w)
            (qkvB.pointer + j * w).update(from: bs.pointer, count: w)
        }
        return BlockWeights(
            width: w, intermediate: i, heads: heads,
            ln1Gamma: try t("layer_norm1.weight", [w]), ln1Beta: try t("layer_norm1.bias", [w]),
            ln2Gamma: try t("layer_norm2.weight", [w]), ln2Beta: try t("layer_norm2.bias", [w]),
            qkvWeight: Weights(qkvW, shape: [3 * w, w]), qkvBias: Weights(qkvB, shape: [3 * w]),
            outWeight: try t("self_attn.out_proj.weight", [w, w]), outBias: try t("self_attn.out_proj.bias", [w]),
            fc1Weight: try t("mlp.fc1.weight", [i, w]), fc1Bias: try t("mlp.fc1.bias", [i]),
            fc2Weight: try t("mlp.fc2.weight", [w, i]), fc2Bias: try t("mlp.fc2.bias", [w]))
    }

    public init(width: Int, intermediate: Int, heads: Int, ln1Gamma: Weights, ln1Beta: Weights, ln2Gamma: Weights,
                ln2Beta: Weights, qkvWeight: Weights, qkvBias: Weights, outWeight: Weights, outBias: Weights,
                fc1Weight: Weights, fc1Bias: Weights, fc2Weight: Weights, fc2Bias: Weights) {
        self.width = width; self.intermediate = intermediate; self.heads = heads
        self.ln1Gamma = ln1Gamma; self.ln1Beta = ln1Beta; self.ln2Gamma = ln2Gamma; self.ln2Beta = ln2Beta
        self.qkvWeight = qkvWeight; self.qkvBias = qkvBias; self.outWeight = outWeight; self.outBias = outBias
        self.fc1Weight = fc1Weight; self.fc1Bias = fc1Bias; self.fc2Weight = fc2Weight; self.fc2Bias = fc2Bias
    }
}

/// Scratch memory for running blocks over `rows` tokens of sequences of length `seq`;
/// allocated once per batch and reused by every layer.
public final class BlockWorkspace {
    public let rows: Int, seq: Int
    let normed: FloatBuffer, qkv: FloatBuffer, attended: FloatBuffer, hidden: FloatBuffer, scores: FloatBuffer

    public init(rows: Int, seq: Int, width: Int, intermediate: Int) {
        self.rows = rows; self.seq = seq
        normed = FloatBuffer(count: rows * width, zeroed: false)
        qkv = FloatBuffer(count: rows * 3 * width, zeroed: false)
        attended = FloatBuffer(count: rows * width, zeroed: false)
        hidden = FloatBuffer(count: rows * intermediate, zeroed: false)
        scores = FloatBuffer(count: seq * seq, zeroed: false)
    }
}

/// Keeps workspaces between forward passes: fresh multi-megabyte allocations would cost a page
/// fault per 4 KiB on every batch. Safe to share across threads (each caller takes its own).
public final class WorkspacePool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [BlockWorkspace] = []
    private let width: Int, intermediate: Int

    public init(width: Int, intermediate: Int) {
        self.width = width
        self.intermediate = intermediate
    }

    /// Runs `body` with a workspace for `rows` tokens of sequences of length `seq`.
    public func with<R>(rows: Int, seq: Int, _ body: (BlockWorkspace) -> R) -> R {
        lock.lock()
        let index = free.firstIndex { $0.rows == rows && $0.seq == seq }
        let ws = index.map { free.remove(at: $0) } ?? BlockWorkspace(rows: rows, seq: seq, width: width, intermediate: intermediate)
        lock.unlock()
        defer {
            lock.lock()
            free.append(ws)
            if free.count > 4 { free.removeFirst() }
            lock.unlock()
        }
        return body(ws)
    }
}

/// Runs one block in place over x: [batch·seq, W].
public func runBlock(_ b: BlockWeights, x: UnsafeMutablePointer<Float>, batch: Int, seq: Int, eps: Float,
                     activation: Activation, causal: Bool, lengths: [Int]? = nil, workspace ws: BlockWorkspace) {
    let rows = batch * seq, w = b.width
    // attention branch
    layerNorm(x, rows: rows, width: w, gamma: b.ln1Gamma.pointer, beta: b.ln1Beta.pointer, eps: eps, into: ws.normed.pointer)
    linear(ws.normed.pointer, rows: rows, inFeatures: w, weight: b.qkvWeight.pointer, bias: b.qkvBias.pointer,
           outFeatures: 3 * w, into: ws.qkv.pointer)
    attention(qkv: ws.qkv.pointer, batch: batch, seq: seq, width: w, heads: b.heads, causal: causal,
              lengths: lengths, scratch: ws.scores.pointer, into: ws.attended.pointer)
    accumulateLinear(ws.attended.pointer, rows: rows, inFeatures: w, weight: b.outWeight.pointer,
                     bias: b.outBias.pointer, outFeatures: w, into: x)
    // MLP branch
    layerNorm(x, rows: rows, width: w, gamma: b.ln2Gamma.pointer, beta: b.ln2Beta.pointer, eps: eps, into: ws.normed.pointer)
    linear(ws.normed.pointer, rows: rows, inFeatures: w, weight: b.fc1Weight.pointer, bias: b.fc1Bias.pointer,
           outFeatures: b.intermediate, into: ws.hidden.pointer)
    activation.apply(ws.hidden.pointer, count: rows * b.intermediate)
    accumulateLinear(ws.hidden.pointer, rows: rows, inFeatures: b.intermediate, weight: b.fc2Weight.pointer,
                     bias: b.fc2Bias.pointer, outFeatures: w, into: x)
}

/// y[M,N] += x[M,K] · wᵀ + bias: the residual add folded into the sgemm (β = 1).
@inline(__always)
func accumulateLinear(_ x: UnsafePointer<Float>, rows m: Int, inFeatures k: Int, weight: UnsafePointer<Float>,
                      bias: UnsafePointer<Float>, outFeatures n: Int, into y: UnsafeMutablePointer<Float>) {
    if m <= skinnyRows {
        skinnyLinear(x, rows: m, inFeatures: k, ldx: k, weight: weight, bias: bias, outFeatures: n,
                     into: y, ldy: n, accumulate: true)
        return
    }
    for r in 0..<m { addInPlace(y + r * n, bias, count: n) }
    gemm(transB: true, m: m, n: n, k: k, a: x, lda: k, b: weight, ldb: k, beta: 1, c: y, ldc: n)
}
