import Foundation
import Tensor

/// The demo CLIP bundled with clipdex, trained on the synthetic shapes world
/// (recipe in `recipe/`, model card in `clip-demo/MODEL_CARD.md`).
public enum DemoModel {
    /// The directory holding the demo model's `config.json` and `model.safetensors`, if bundled.
    public static var directory: String? {
        guard let path = BundledResources.path(module: "DemoModel", resource: "clip-demo") else { return nil }
        return FileManager.default.fileExists(atPath: path + "/config.json") ? path : nil
    }
}
