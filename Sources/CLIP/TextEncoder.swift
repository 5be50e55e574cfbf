import Tensor

/// CLIP's causal text tower: token and position embeddings, residual blocks with a causal
/// mask, final LayerNorm, pooling at the end token, projection.
public final class TextEncoder: @unchecked Sendable {
    public let config: TowerConfig
    public let projectionDim: Int
    /// Token embedding table [vocab, W]; public so learned prompts can sit beside real tokens.
    public let tokenEmbedding: Weights
    let positions: Weights          // [77, W]
    let finalGamma: Weights, finalBeta: Weights
    let blocks: [BlockWeights]
    let projection: Weights         // [D, W]
    let pool: WorkspacePool

    init(_ st: WeightSource, config c: TowerConfig, projectionDim: Int) throws {
        config = c
        self.projectionDim = projectionDim
        let w = c.hiddenSize, pre = "text_model."
        tokenEmbedding = try st.floats(pre + "embeddings.token_embedding.weight", shape: [c.vocabSize, w])
        positions = try st.floats(pre + "embeddings.position_embedding.weight", shape: [c.maxPositions, w])
        finalGamma = try st.floats(pre + "final_layer_norm.weight", shape: [w])
        finalBeta = try st.floats(pre + "final_layer_norm.bias", shape: [w])
        blocks = try (0..<c.layers).map {
            try BlockWeights.load(st, prefix: pre + "encoder.layers.\($0).", width: w, intermediate: c.intermediateSize, heads: c.heads)
        }
        projection = try st.floats("text_projection.weight", shape: [projectionDim, w])
        pool = WorkspacePool(width: w, intermediate: c.intermediateSize)
    }

    /// Outputs of one batch of `batch` sequences padded to `seq` tokens.
    public struct Output {
        public let lastHidden: FloatBuffer   // [B, seq, W], after the final LayerNorm
        public let pooled: FloatBuffer       // [B, W], at each sequence's end token
        public let embeds: FloatBuffer       // [B, D]
        public let seq: Int
    }

    /// The end-token position of a token sequence: the first end token, else the largest id
    /// (what transformers does for configs whose eos_token_id is 2).
    public static func endPosition(_ ids: [Int]) -> Int {
        if let i = ids.firstIndex(of: Tokenizer.endToken) { return i }
        return ids.indices.max(by: { ids[$0] < ids[$1] }) ?? 0
    }

    /// Encodes token id sequences. With `fullContext`, every sequence is padded with 0 to the
    /// context length (as the reference does); otherwise the batch stops at the longest end token,
    /// which gives the same pooled output because of the causal mask.
    public func forward(tokens: [[Int]], fullContext: Bool = false) -> Output {
        let ends = tokens.map { Self.endPosition($0) }
        let seq = fullContext ? config.maxPositions : min(config.maxPositions, (ends.max() ?? 0) + 1)
        let w = config.hiddenSize
        let x = FloatBuffer(count: tokens.count * seq * w, zeroed: true)
        for (b, ids) in tokens.enumerated() {
            for j in 0..<seq {
                let id = j < ids.count ? ids[j] : 0
                precondition(id >= 0 && id < config.vocabSize, "token id \(id) outside the vocabulary")
                (x.pointer + (b * seq + j) * w).update(from: tokenEmbedding.pointer + id * w, count: w)
            }
        }
        return forward(embeddings: x, batch: tokens.count, seq: seq, endPositions: ends)
    }

    /// Encodes sequences given as token embeddings x: [B, seq, W] (positions are added here),
    /// pooling at `endPositions`. This is the entry point for learned prompt vectors.
    public func forward(embeddings x: FloatBuffer, batch: Int, seq: Int, endPositions: [Int]) -> Output {
        let c = config, w = c.hiddenSize, rows = batch * seq
        for b in 0..<batch {
            addInPlace(x.pointer + b * seq * w, positions.pointer, count: seq * w)
        }
        pool.with(rows: rows, seq: seq) { ws in
            for blk in blocks {
                runBlock(blk, x: x.pointer, batch: batch, seq: seq, eps: c.layerNormEps, activation: c.activation,
                         causal: true, workspace: ws)
            }
        }
        layerNorm(x.pointer, rows: rows, width: w, gamma: finalGamma.pointer, beta: finalBeta.pointer,
                  eps: c.layerNormEps, into: x.pointer)
        let pooled = FloatBuffer(count: batch * w, zeroed: false)
        for b in 0..<batch {
            (pooled.pointer + b * w).update(from: x.pointer + (b * seq + endPositions[b]) * w, count: w)
        }
        let embeds = FloatBuffer(count: batch * projectionDim, zeroed: false)
        linear(pooled.pointer, rows: batch, inFeatures: w, weight: projection.pointer, bias: nil,
               outFeatures: projectionDim, into: embeds.pointer)
        return Output(lastHidden: x, pooled: pooled, embeds: embeds, seq: seq)
    }
}
