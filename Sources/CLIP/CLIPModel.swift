import Foundation
import Tensor

/// A frozen CLIP model loaded from a Hugging Face directory (`config.json` + `model.safetensors`).
/// Both towers read their weights in place from the memory-mapped file when stored as F32.
public final class CLIPModel: @unchecked Sendable {
    public let directory: String
    public let config: CLIPConfig
    public let vision: VisionEncoder
    public let text: TextEncoder
    /// exp(logit_scale): the temperature CLIP multiplies cosine similarities by.
    public let logitScale: Float
    /// A stable identity derived from the weights file, so embeddings of two models are never mixed.
    public let identity: String

    public init(directory: String) throws {
        self.directory = directory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw CLIPError.missingFile(directory, "expected a model directory in the Hugging Face CLIP layout")
        }
        config = try CLIPConfig.load(directory: directory)
        let path = (directory as NSString).appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIPError.missingFile(path, "download model.safetensors of the Hugging Face CLIP repository into \(directory)")
        }
        let st = try SafeTensors(path: path)
        vision = try VisionEncoder(st, config: config.vision, projectionDim: config.projectionDim)
        text = try TextEncoder(st, config: config.text, projectionDim: config.projectionDim)
        logitScale = exp(try st.floats("logit_scale", shape: nil)[0])
        identity = st.fingerprint()
    }

    /// A model of the given architecture over any weight source (random weights for benchmarks).
    public init(config: CLIPConfig, source: WeightSource, identity: String) throws {
        directory = ""
        self.config = config
        vision = try VisionEncoder(source, config: config.vision, projectionDim: config.projectionDim)
        text = try TextEncoder(source, config: config.text, projectionDim: config.projectionDim)
        logitScale = exp(try source.floats("logit_scale", shape: nil)[0])
        self.identity = identity
    }

    /// Projected image embeddings for preprocessed pixels [N, 3, S, S], in batches of `batchSize`.
    public func encodeImages(pixels: UnsafePointer<Float>, count: Int, batchSize: Int = 16) -> [[Float]] {
        let s = config.vision.imageSize, d = config.projectionDim
        var out: [[Float]] = []
        out.reserveCapacity(count)
        var start = 0
        while start < count {
            let n = min(batchSize, count - start)
            let o = vision.forward(pixels: pixels + start * 3 * s * s, batch: n)
            for i in 0..<n { out.append(Array(UnsafeBufferPointer(start: o.embeds.pointer + i * d, count: d))) }
            start += n
        }
        return out
    }

    /// Projected text embeddings for token id sequences.
    public func encodeTexts(tokens: [[Int]]) -> [[Float]] {
        guard !tokens.isEmpty else { return [] }
        let d = config.projectionDim
        let o = text.forward(tokens: tokens)
        return (0..<tokens.count).map { Array(UnsafeBufferPointer(start: o.embeds.pointer + $0 * d, count: d)) }
    }
}
