import CLIP
import Foundation

/// Reading image files for the model: decoding (Media) and preprocessing (Imaging).
enum ImageInput {
    static func embed(file: String, model: CLIPModel) throws -> [[Float]] {
        throw CLIPError.input("\(file): image input is not available yet")
    }
}
