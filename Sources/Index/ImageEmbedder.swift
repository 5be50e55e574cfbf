import CLIP
import Imaging

/// Turns frames into embeddings: the seam between the pipeline and the CLIP engine.
/// `preprocess` may run on a decode thread while `embed` runs on the encoder thread.
public protocol ImageEmbedder: Sendable {
    /// Fingerprint of the weights: embeddings are stored under it.
    var identity: String { get }
    /// Embedding width.
    var dim: Int { get }
    /// Side of the square model input.
    var imageSize: Int { get }
    /// Where the weights live ("" when not from a directory).
    var directory: String { get }
    /// Writes the model input of one image, CHW floats [3, S, S], into `out`.
    func preprocess(_ image: RGBImage, into out: UnsafeMutablePointer<Float>)
    /// Embeddings (not normalised) of `count` preprocessed images [count, 3, S, S]. Called from one thread at a time.
    func embed(pixels: UnsafePointer<Float>, count: Int) -> [[Float]]
}

/// The frozen CLIP image tower as an `ImageEmbedder`, with CLIP's Pillow-compatible
/// preprocessing (Imaging's `clipPreprocess`: resize the short side, centre crop, normalise).
public struct CLIPImageEmbedder: ImageEmbedder {
    public let model: CLIPModel
    public let batchSize: Int

    public init(model: CLIPModel, batchSize: Int = 16) {
        self.model = model
        self.batchSize = batchSize
    }

    public var identity: String { model.identity }
    public var dim: Int { model.config.projectionDim }
    public var imageSize: Int { model.config.vision.imageSize }
    public var directory: String { model.directory }

    public func preprocess(_ image: RGBImage, into out: UnsafeMutablePointer<Float>) {
        clipPreprocess(image, size: imageSize, mean: model.config.imageMean, std: model.config.imageStd, into: out)
    }

    public func embed(pixels: UnsafePointer<Float>, count: Int) -> [[Float]] {
        model.encodeImages(pixels: pixels, count: count, batchSize: batchSize)
    }
}
