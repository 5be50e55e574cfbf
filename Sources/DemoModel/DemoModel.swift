import Foundation

/// The demo CLIP bundled with clipdex, trained on the synthetic shapes world
/// (recipe in `recipe/`, model card in `clip-demo/MODEL_CARD.md`).
public enum DemoModel {
    /// The directory holding the demo model's `config.json` and `model.safetensors`, if bundled.
    public static var directory: String? {
        guard let url = Bundle.module.url(forResource: "clip-demo", withExtension: nil) else { return nil }
        let config = url.appendingPathComponent("config.json").path
        return FileManager.default.fileExists(atPath: config) ? url.path : nil
    }
}
