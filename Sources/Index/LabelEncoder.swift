import Adapters
import CLIP
import Foundation

/// How label texts become embeddings in one embedding space, and how tags are scored there:
/// the hand-written template through the frozen CLIP (prompt set "template", the default without
/// an adapter, as `clipdex eval`'s baseline) or an adapter's learned prompts ("adapter:<identity>").
public struct LabelEncoder: Sendable {
    /// The `labels.prompt_set` the embeddings are cached under.
    public let promptSet: String
    /// Softmax temperature of the tag scores.
    public let temperature: Float
    private let encode: @Sendable ([String]) -> [[Float]]

    /// The baseline's text template; {label} is replaced.
    public static let template = "a video of a person {label}."
    /// CLIP's logit scale (100) as a temperature: the template's tag softmax.
    public static let templateTemperature: Float = 0.01

    public init(promptSet: String, temperature: Float, encode: @escaping @Sendable ([String]) -> [[Float]]) {
        self.promptSet = promptSet; self.temperature = temperature; self.encode = encode
    }

    /// Labels through `template` and the frozen text tower.
    public static func template(model: CLIPModel, tokenizer: Tokenizer, template: String = LabelEncoder.template) -> LabelEncoder {
        LabelEncoder(promptSet: "template", temperature: templateTemperature) { texts in
            model.encodeTexts(tokens: texts.map { tokenizer.encode(template.replacingOccurrences(of: "{label}", with: $0)) })
                .map(EmbeddingCodec.normalized)
        }
    }

    /// Labels through the adapter's learned prompts, scored at its temperature.
    public static func adapter(_ adapter: Adapter, tokenizer: Tokenizer) -> LabelEncoder {
        LabelEncoder(promptSet: "adapter:" + adapter.identity, temperature: adapter.temperature) { texts in
            adapter.encodeLabels(texts, tokenizer: tokenizer)
        }
    }

    /// Unit-length embeddings of `texts`, in order.
    public func embed(_ texts: [String]) -> [[Float]] { texts.isEmpty ? [] : encode(texts) }

    /// The encoder of stored segments of (`model`, `adapter`): the model is loaded from its
    /// recorded directory and the adapter from its recorded path, with an error naming the file
    /// that is gone or refused.
    public static func load(model: ModelRecord, adapter: AdapterRecord?, tokenizer: Tokenizer) throws -> LabelEncoder {
        guard !model.directory.isEmpty, FileManager.default.fileExists(atPath: model.directory) else {
            throw IndexError.noModel("\(model.directory.isEmpty ? "(no directory recorded)" : model.directory): the model "
                + "(\(model.identity)) of stored segments is no longer there; put its weights back or re-index with another model")
        }
        let clip = try CLIPModel(directory: model.directory)
        guard clip.identity == model.identity else {
            throw IndexError.noModel("\(model.directory): holds other weights (\(clip.identity)) than the model the segments were made with (\(model.identity)); put them back or re-index")
        }
        guard let adapter else { return .template(model: clip, tokenizer: tokenizer) }
        guard FileManager.default.fileExists(atPath: adapter.path) else {
            throw IndexError.noModel("\(adapter.path): the adapter stored segments were made with is no longer there; put it back or re-index without it")
        }
        let a = try Adapter.load(adapter.path, model: clip)
        guard a.identity == adapter.identity else {
            throw IndexError.noModel("\(adapter.path): the file changed since segments were made with it; re-index with `clipdex index --adapter \(adapter.path) --force`")
        }
        return .adapter(a, tokenizer: tokenizer)
    }
}

/// Which tags a segment keeps: the `topK` most probable labels at or above `threshold`.
public struct TagPolicy: Sendable, Equatable {
    public var topK = 3
    public var threshold: Float = 0.2
    public init(topK: Int = 3, threshold: Float = 0.2) { self.topK = topK; self.threshold = threshold }
}
