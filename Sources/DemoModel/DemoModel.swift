import Foundation
import Tensor

/// The demo CLIP bundled with clipdex, trained on the synthetic shapes world
/// (recipe in `recipe/`, model card in `clip-demo/MODEL_CARD.md`), and its video adapter.
public enum DemoModel {
    /// The directory holding the demo model's `config.json` and `model.safetensors`, if bundled.
    public static var directory: String? {
        guard let path = BundledResources.path(module: "DemoModel", resource: "clip-demo") else { return nil }
        return FileManager.default.fileExists(atPath: path + "/config.json") ? path : nil
    }

    /// The demo model's Efficient-Prompt adapter (trained by `recipe/benchmark.sh` on synthetic
    /// action clips: grow, shrink, appear, …), if bundled.
    public static var adapterPath: String? {
        guard let dir = directory else { return nil }
        let path = dir + "/" + adapterFile
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The adapter's file name inside the model directory.
    public static let adapterFile = "demo-adapter.safetensors"

    /// The actions the demo adapter was trained on: the vocabulary `clipdex demo` tags with.
    public static let actions = ["grow", "shrink", "appear", "disappear", "brighten", "darken", "blink", "spin",
                                 "bounce", "move left", "move right", "move up", "move down", "stay still"]
}
