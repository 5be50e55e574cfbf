import CLIP
import Foundation
import Tensor

/// The frozen CLIP text tower, opened again from the model's weights so its backward can reach
/// every layer (the CLIP module keeps them internal). Weights are memory-mapped: no copy for F32.
/// Gradients flow to the input embeddings only; CLIP's weights never change.
public final class FrozenTextTower: @unchecked Sendable {
    public let config: TowerConfig
    public let projectionDim: Int
    let tokenEmbedding: Weights        // [vocab, W]
    let positions: Weights             // [maxPositions, W]
    let finalGamma: Weights, finalBeta: Weights
    let blocks: [BlockWeights]
    let projection: Weights            // [D, W]
    let pool: WorkspacePool

    /// The tower of a CLIP model loaded from a directory (reads `model.safetensors` in place).
    public convenience init(model: CLIPModel) throws {
        guard !model.directory.isEmpty else {
            throw AdapterError.model("this CLIP model has no weights file; build the text tower from its weight source")
        }
        let st = try SafeTensors(path: (model.directory as NSString).appendingPathComponent("model.safetensors"))
        try self.init(source: st, config: model.config.text, projectionDim: model.config.projectionDim)
    }

    /// The tower over any weight source (random weights for benchmarks).
    public init(source st: WeightSource, config c: TowerConfig, projectionDim: Int) throws {
        config = c
        self.projectionDim = projectionDim
        let w = c.hiddenSize, pre = "text_model."
        tokenEmbedding = try st.floats(pre + "embeddings.token_embedding.weight", shape: [c.vocabSize, w])
        positions = try st.floats(pre + "embeddings.position_embedding.weight", shape: [c.maxPositions, w])
        finalGamma = try st.floats(pre + "final_layer_norm.weight", shape: [w])
        finalBeta = try st.floats(pre + "final_layer_norm.bias", shape: [w])
        blocks = try (0..<c.layers).map {
            try BlockWeights.load(st, prefix: pre + "encoder.layers.\($0).", width: w,
                                  intermediate: c.intermediateSize, heads: c.heads)
        }
        projection = try st.floats("text_projection.weight", shape: [projectionDim, w])
        pool = WorkspacePool(width: w, intermediate: c.intermediateSize)
    }

    public var width: Int { config.hiddenSize }

    /// Inference: projected embeddings [B, D] of input embeddings x [B, seq, W] (x is consumed),
    /// pooled at `ends`. Only the pooled rows go through the final LayerNorm.
    func forward(_ x: FloatBuffer, batch: Int, seq: Int, ends: [Int]) -> FloatBuffer {
        let c = config, w = c.hiddenSize
        addPositions(x, batch: batch, seq: seq)
        pool.with(rows: batch * seq, seq: seq) { ws in
            for blk in blocks {
                runBlock(blk, x: x.pointer, batch: batch, seq: seq, eps: c.layerNormEps, activation: c.activation,
                         causal: true, workspace: ws)
            }
        }
        let pooled = FloatBuffer(count: batch * w, zeroed: false)
        for b in 0..<batch {
            layerNorm(x.pointer + (b * seq + ends[b]) * w, rows: 1, width: w, gamma: finalGamma.pointer,
                      beta: finalBeta.pointer, eps: c.layerNormEps, into: pooled.pointer + b * w)
        }
        let embeds = FloatBuffer(count: batch * projectionDim, zeroed: false)
        linear(pooled.pointer, rows: batch, inFeatures: w, weight: projection.pointer, bias: nil,
               outFeatures: projectionDim, into: embeds.pointer)
        withExtendedLifetime((x, pooled)) {}
        return embeds
    }

    /// What a training forward keeps for its backward.
    final class Tape {
        let batch: Int, seq: Int, ends: [Int]
        let blocks: [BlockTape]
        let preFinal: FloatBuffer          // [B, W] residual rows at the end tokens
        let mean: FloatBuffer, rstd: FloatBuffer
        let pooled: FloatBuffer            // [B, W]
        let embeds: FloatBuffer            // [B, D]
        init(batch: Int, seq: Int, ends: [Int], blocks: [BlockTape], preFinal: FloatBuffer, mean: FloatBuffer,
             rstd: FloatBuffer, pooled: FloatBuffer, embeds: FloatBuffer) {
            self.batch = batch; self.seq = seq; self.ends = ends; self.blocks = blocks
            self.preFinal = preFinal; self.mean = mean; self.rstd = rstd; self.pooled = pooled; self.embeds = embeds
        }
    }

    /// Training forward over x [B, seq, W] (consumed), recording activations; `tape.embeds` is [B, D].
    func forwardTrain(_ x: FloatBuffer, batch: Int, seq: Int, ends: [Int]) -> Tape {
        let c = config, w = c.hiddenSize
        addPositions(x, batch: batch, seq: seq)
        var tapes: [BlockTape] = []
        for blk in blocks {
            let t = BlockTape(blk, batch: batch, seq: seq, eps: c.layerNormEps, activation: c.activation, causal: true)
            t.forward(x.pointer)
            tapes.append(t)
        }
        let pre = FloatBuffer(count: batch * w, zeroed: false)
        for b in 0..<batch { (pre.pointer + b * w).update(from: x.pointer + (b * seq + ends[b]) * w, count: w) }
        let mean = FloatBuffer(count: batch, zeroed: false), rstd = FloatBuffer(count: batch, zeroed: false)
        let pooled = FloatBuffer(count: batch * w, zeroed: false)
        layerNormForward(pre.pointer, rows: batch, width: w, gamma: finalGamma.pointer, beta: finalBeta.pointer,
                         eps: c.layerNormEps, y: pooled.pointer, mean: mean.pointer, rstd: rstd.pointer)
        let embeds = FloatBuffer(count: batch * projectionDim, zeroed: false)
        linear(pooled.pointer, rows: batch, inFeatures: w, weight: projection.pointer, bias: nil,
               outFeatures: projectionDim, into: embeds.pointer)
        return Tape(batch: batch, seq: seq, ends: ends, blocks: tapes, preFinal: pre, mean: mean, rstd: rstd,
                    pooled: pooled, embeds: embeds)
    }

    /// Backward to the input embeddings: dEmbeds [B, D] → dX [B, seq, W].
    func backward(_ t: Tape, dEmbeds: UnsafePointer<Float>) -> FloatBuffer {
        let w = width, b = t.batch
        // projection: embeds = pooled·Pᵀ → dPooled = dEmbeds·P
        let dPooled = FloatBuffer(count: b * w, zeroed: false)
        linearBackward(dy: dEmbeds, x: t.pooled.pointer, w: projection.pointer, rows: b, inFeatures: w,
                       outFeatures: projectionDim, dx: dPooled.pointer, accumulateDx: false, dw: nil, db: nil)
        // final LayerNorm at the pooled rows, scattered back to the end positions
        let dPre = FloatBuffer(count: b * w)
        layerNormBackward(dy: dPooled.pointer, x: t.preFinal.pointer, mean: t.mean.pointer, rstd: t.rstd.pointer,
                          gamma: finalGamma.pointer, rows: b, width: w, dx: dPre.pointer, dGamma: nil, dBeta: nil)
        let dx = FloatBuffer(count: b * t.seq * w)
        for i in 0..<b { (dx.pointer + (i * t.seq + t.ends[i]) * w).update(from: dPre.pointer + i * w, count: w) }
        for tape in t.blocks.reversed() { tape.backward(dx.pointer, grads: nil) }
        withExtendedLifetime((dPooled, dPre)) {}
        return dx   // positions are constants: d(input embeddings) = d(block input)
    }

    private func addPositions(_ x: FloatBuffer, batch: Int, seq: Int) {
        for b in 0..<batch { addInPlace(x.pointer + b * seq * width, positions.pointer, count: seq * width) }
    }
}
