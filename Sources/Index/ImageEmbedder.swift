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

/// The frozen CLIP image tower as an `ImageEmbedder`.
public struct CLIPImageEmbedder: ImageEmbedder {
    public let model: CLIPModel
    public let batchSize: Int
    private let preprocessor: @Sendable (RGBImage, Int, [Float], [Float], UnsafeMutablePointer<Float>) -> Void

    /// `preprocess(image, size, mean, std, out)` is CLIP's preprocessing (resize the short side,
    /// centre crop, normalise); the default handles images already at the model's size exactly
    /// and others by a nearest-neighbour resize.
    public init(model: CLIPModel, batchSize: Int = 16,
                preprocess: @escaping @Sendable (RGBImage, Int, [Float], [Float], UnsafeMutablePointer<Float>) -> Void = nearestPreprocess) {
        self.model = model
        self.batchSize = batchSize
        preprocessor = preprocess
    }

    public var identity: String { model.identity }
    public var dim: Int { model.config.projectionDim }
    public var imageSize: Int { model.config.vision.imageSize }
    public var directory: String { model.directory }

    public func preprocess(_ image: RGBImage, into out: UnsafeMutablePointer<Float>) {
        preprocessor(image, imageSize, model.config.imageMean, model.config.imageStd, out)
    }

    public func embed(pixels: UnsafePointer<Float>, count: Int) -> [[Float]] {
        model.encodeImages(pixels: pixels, count: count, batchSize: batchSize)
    }
}

/// Centre-crops the short side to a square, resizes by nearest neighbour to `size` and normalises
/// into CHW floats. Exact when the image already is `size`×`size`.
public func nearestPreprocess(_ image: RGBImage, size: Int, mean: [Float], std: [Float], into out: UnsafeMutablePointer<Float>) {
    let side = min(image.width, image.height)
    let x0 = (image.width - side) / 2, y0 = (image.height - side) / 2
    let plane = size * size
    image.pixels.withUnsafeBufferPointer { px in
        for y in 0..<size {
            let sy = y0 + (y * side + side / 2) / size
            for x in 0..<size {
                let sx = x0 + (x * side + side / 2) / size
                let p = (sy * image.width + sx) * 3
                for c in 0..<3 { out[c * plane + y * size + x] = (Float(px[p + c]) / 255 - mean[c]) / std[c] }
            }
        }
    }
}
