import Tensor

/// CLIP's ViT image tower: patch embedding, class token, positions, pre-LayerNorm,
/// residual blocks, post-LayerNorm of the class token, projection.
public final class VisionEncoder: @unchecked Sendable {
    public let config: TowerConfig
    public let projectionDim: Int
    let classEmbedding: Weights     // [W]
    let patchWeight: Weights        // [W, 3·P·P]
    let positions: Weights          // [T, W]
    let preGamma: Weights, preBeta: Weights, postGamma: Weights, postBeta: Weights
    let blocks: [BlockWeights]
    let projection: Weights         // [D, W]
    let pool: WorkspacePool

    /// Tokens per image: the class token plus one per patch.
    public var tokens: Int { 1 + config.gridSize * config.gridSize }

    init(_ st: WeightSource, config c: TowerConfig, projectionDim: Int) throws {
        config = c
        self.projectionDim = projectionDim
        let w = c.hiddenSize, p = c.patchSize, pre = "vision_model."
        let t = 1 + c.gridSize * c.gridSize
        classEmbedding = try st.floats(pre + "embeddings.class_embedding", shape: [w])
        let pw = try st.floats(pre + "embeddings.patch_embedding.weight", shape: [w, 3, p, p])
        patchWeight = Weights(pointer: pw.pointer, shape: [w, 3 * p * p], owner: pw.owner)
        positions = try st.floats(pre + "embeddings.position_embedding.weight", shape: [t, w])
        preGamma = try st.floats(pre + "pre_layrnorm.weight", shape: [w])
        preBeta = try st.floats(pre + "pre_layrnorm.bias", shape: [w])
        postGamma = try st.floats(pre + "post_layernorm.weight", shape: [w])
        postBeta = try st.floats(pre + "post_layernorm.bias", shape: [w])
        blocks = try (0..<c.layers).map {
            try BlockWeights.load(st, prefix: pre + "encoder.layers.\($0).", width: w, intermediate: c.intermediateSize, heads: c.heads)
        }
        projection = try st.floats("visual_projection.weight", shape: [projectionDim, w])
        pool = WorkspacePool(width: w, intermediate: c.intermediateSize)
    }

    /// The outputs of one batch: the last hidden state (before post-LayerNorm, [B, T, W]),
    /// the pooled class token ([B, W]) and the projected embedding ([B, D]).
    public struct Output {
        public let lastHidden: FloatBuffer
        public let pooled: FloatBuffer
        public let embeds: FloatBuffer
    }

    /// Encodes `batch` preprocessed images, pixels [B, 3, S, S] in CLIP-normalised units.
    public func forward(pixels: UnsafePointer<Float>, batch: Int) -> Output {
        let c = config, w = c.hiddenSize, t = tokens, rows = batch * t
        let x = FloatBuffer(count: rows * w, zeroed: false)
        embed(pixels: pixels, batch: batch, into: x.pointer)
        layerNorm(x.pointer, rows: rows, width: w, gamma: preGamma.pointer, beta: preBeta.pointer,
                  eps: c.layerNormEps, into: x.pointer)
        pool.with(rows: rows, seq: t) { ws in
            for b in blocks {
                runBlock(b, x: x.pointer, batch: batch, seq: t, eps: c.layerNormEps, activation: c.activation,
                         causal: false, workspace: ws)
            }
        }
        let pooled = FloatBuffer(count: batch * w, zeroed: false)
        for i in 0..<batch {
            layerNorm(x.pointer + i * t * w, rows: 1, width: w, gamma: postGamma.pointer, beta: postBeta.pointer,
                      eps: c.layerNormEps, into: pooled.pointer + i * w)
        }
        let embeds = FloatBuffer(count: batch * projectionDim, zeroed: false)
        linear(pooled.pointer, rows: batch, inFeatures: w, weight: projection.pointer, bias: nil,
               outFeatures: projectionDim, into: embeds.pointer)
        return Output(lastHidden: x, pooled: pooled, embeds: embeds)
    }

    /// Patch embedding as one sgemm over unfolded patches (im2col), then class token and positions.
    private func embed(pixels: UnsafePointer<Float>, batch: Int, into x: UnsafeMutablePointer<Float>) {
        let c = config, w = c.hiddenSize, p = c.patchSize, g = c.gridSize, s = c.imageSize, t = tokens
        let k = 3 * p * p, np = g * g
        let cols = FloatBuffer(count: batch * np * k, zeroed: false)
        for b in 0..<batch {
            let img = pixels + b * 3 * s * s
            for py in 0..<g {
                for px in 0..<g {
                    var dst = cols.pointer + ((b * np) + py * g + px) * k
                    for ch in 0..<3 {
                        for ky in 0..<p {
                            dst.update(from: img + ch * s * s + (py * p + ky) * s + px * p, count: p)
                            dst += p
                        }
                    }
                }
            }
        }
        let patches = FloatBuffer(count: batch * np * w, zeroed: false)
        linear(cols.pointer, rows: batch * np, inFeatures: k, weight: patchWeight.pointer, bias: nil,
               outFeatures: w, into: patches.pointer)
        for b in 0..<batch {
            let row0 = x + b * t * w
            for i in 0..<w { row0[i] = classEmbedding.pointer[i] + positions.pointer[i] }
            for j in 0..<np {
                let dst = row0 + (1 + j) * w, src = patches.pointer + (b * np + j) * w, pos = positions.pointer + (1 + j) * w
                for i in 0..<w { dst[i] = src[i] + pos[i] }
            }
        }
    }
}
