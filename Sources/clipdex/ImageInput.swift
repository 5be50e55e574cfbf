import CLIP
import Foundation
import Imaging
import Media

/// Reading image files for the model: decoding (Media) and preprocessing (Imaging).
enum ImageInput {
    /// Decodes `file`, preprocesses it to the model's image size and normalisation, and returns its
    /// projected embedding (one row).
    static func embed(file: String, model: CLIPModel) throws -> [[Float]] {
        let image = try ImageFile.load(file)
        let config = model.config
        let pixels = clipPreprocess(image, size: config.vision.imageSize, mean: config.imageMean, std: config.imageStd)
        return pixels.withUnsafeBufferPointer { model.encodeImages(pixels: $0.baseAddress!, count: 1) }
    }
}
