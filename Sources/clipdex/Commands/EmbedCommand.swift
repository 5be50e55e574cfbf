import ArgumentParser
import CLIP
import Foundation
import Tensor

/// `clipdex embed`: projected CLIP embeddings of texts, images and raw pixel tensors.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Print CLIP embeddings of texts and images as JSON {\"text\": [...], \"image\": [...]}.")

    @Option(help: "Model directory in the Hugging Face CLIP layout, or `demo` for the bundled demo model.") var model: String
    @Option(name: .customLong("text"), help: "A text to embed (repeatable).") var texts: [String] = []
    @Option(name: .customLong("image"), help: "An image file to embed (repeatable).") var images: [String] = []
    @Option(name: .customLong("pixels"), help: "FILE.safetensors:KEY holding preprocessed pixels N×3×S×S (repeatable).")
    var pixels: [String] = []
    @Flag(help: "L2-normalise the embeddings.") var normalize = false
    @OptionGroup var engine: EngineOptions

    func run() throws {
        engine.apply()
        do {
            let clip = try loadModel(model)
            var textOut: [[Float]] = []
            if !texts.isEmpty {
                let tok = try Tokenizer.bundled()
                textOut = clip.encodeTexts(tokens: texts.map { tok.encode($0) })
            }
            var imageOut: [[Float]] = []
            for image in images { imageOut += try ImageInput.embed(file: image, model: clip) }
            for spec in pixels { imageOut += try embedPixels(spec, clip) }
            if normalize {
                textOut = textOut.map(normalized)
                imageOut = imageOut.map(normalized)
            }
            try printJSON(["text": textOut.map { $0.map(Double.init) }, "image": imageOut.map { $0.map(Double.init) }])
        } catch { fail("\(error)") }
    }

    private func embedPixels(_ spec: String, _ clip: CLIPModel) throws -> [[Float]] {
        guard let colon = spec.lastIndex(of: ":") else { throw ValidationError("--pixels wants FILE.safetensors:KEY, got \(spec)") }
        let file = String(spec[..<colon]), key = String(spec[spec.index(after: colon)...])
        let st = try SafeTensors(path: file)
        let w = try st.floats(key)
        let s = clip.config.vision.imageSize
        guard w.shape.count == 4, w.shape[1] == 3, w.shape[2] == s, w.shape[3] == s else {
            throw CLIPError.input("\(file): tensor '\(key)' has shape \(w.shape), the model wants N×3×\(s)×\(s)")
        }
        return withExtendedLifetime((st, w)) { clip.encodeImages(pixels: w.pointer, count: w.shape[0]) }
    }
}
