/// The published OpenAI CLIP architectures, for benchmarks with random weights.
extension CLIPConfig {
    public static let standardNames = ["vit-b-32", "vit-b-16", "vit-l-14"]

    public static func standard(_ name: String) -> CLIPConfig? {
        func tower(_ w: Int, _ layers: Int, _ heads: Int, image: Int = 224, patch: Int = 32) -> TowerConfig {
            TowerConfig(hiddenSize: w, intermediateSize: 4 * w, layers: layers, heads: heads, layerNormEps: 1e-5,
                        activation: .quickGELU, imageSize: image, patchSize: patch, vocabSize: 49408,
                        maxPositions: 77, eosTokenID: 2)
        }
        switch name {
        case "vit-b-32": return CLIPConfig(vision: tower(768, 12, 12, patch: 32), text: tower(512, 12, 8), projectionDim: 512)
        case "vit-b-16": return CLIPConfig(vision: tower(768, 12, 12, patch: 16), text: tower(512, 12, 8), projectionDim: 512)
        case "vit-l-14": return CLIPConfig(vision: tower(1024, 24, 16, patch: 14), text: tower(768, 12, 12), projectionDim: 768)
        default: return nil
        }
    }

    /// Multiply-adds of one image through the vision tower and projection.
    public var visionMultiplyAdds: Double {
        let v = vision, w = Double(v.hiddenSize), i = Double(v.intermediateSize)
        let t = Double(1 + v.gridSize * v.gridSize), patches = Double(v.gridSize * v.gridSize)
        let perLayer = t * (4 * w * w + 2 * w * i) + 2 * t * t * w
        let patchEmbed = patches * w * Double(3 * v.patchSize * v.patchSize)
        return Double(v.layers) * perLayer + patchEmbed + w * Double(projectionDim)
    }
}
