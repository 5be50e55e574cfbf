import CLIP
import DemoModel
import Foundation

/// The model directory a `--model` argument names: the word `demo` is the bundled demo CLIP
/// (trained on the synthetic shapes world), anything else a Hugging Face CLIP directory.
func modelDirectory(_ argument: String) throws -> String {
    guard argument == "demo" else { return absolutePath(argument) }
    guard let dir = DemoModel.directory else {
        throw CLIPError.input("--model demo: this build has no bundled demo model (Sources/DemoModel/clip-demo); pass a CLIP directory")
    }
    return dir
}

/// Loads the CLIP model a `--model` argument names (see `modelDirectory`).
func loadModel(_ argument: String) throws -> CLIPModel {
    try CLIPModel(directory: modelDirectory(argument))
}

/// The adapter file an `--adapter` argument names: the word `demo` is the bundled demo model's
/// adapter (trained on the synthetic actions), anything else a file from `clipdex train`.
func adapterFile(_ argument: String) throws -> String {
    guard argument == "demo" else { return absolutePath(argument) }
    guard let path = DemoModel.adapterPath else {
        throw CLIPError.input("--adapter demo: this build has no bundled demo adapter (Sources/DemoModel/clip-demo/\(DemoModel.adapterFile)); pass an adapter file")
    }
    return path
}
