import Foundation

/// What an adapter file says about itself (its `__metadata__`), readable without the weights.
public struct AdapterInfo: Sendable, Equatable {
    /// The adaptation method; "efficient-prompt" (room for X-CLIP / Vita-CLIP variants).
    public var method: String = "efficient-prompt"
    /// `CLIPModel.identity` of the frozen CLIP the adapter was trained on; any other model is refused.
    public var baseModel: String
    /// Learned prompt vectors before and after the label tokens.
    public var prefixTokens: Int
    public var postfixTokens: Int
    /// Temporal module shape (0 layers = mean pooling only).
    public var temporalLayers: Int
    public var temporalHeads: Int
    public var temporalWidth: Int
    public var temporalFrames: Int
    /// Frames sampled uniformly from a trimmed clip (training and clip-level inference).
    public var framesPerClip: Int
    /// Softmax temperature of the contrastive loss, also used for tags.
    public var temperature: Float
    /// Whether the file holds the class-agnostic proposal heads.
    public var hasProposalHeads: Bool
    /// The label set the adapter was trained on (the vocabulary can grow later: prompts are shared).
    public var labels: [String]
    /// A free-form summary of the training data and run (clips, steps, loss, seed).
    public var training: [String: String]

    static let formatVersion = "1"

    var metadata: [String: String] {
        var m: [String: String] = [
            "format": "clipdex-adapter", "format_version": Self.formatVersion, "method": method,
            "base_model": baseModel, "prompt_prefix": "\(prefixTokens)", "prompt_postfix": "\(postfixTokens)",
            "temporal_layers": "\(temporalLayers)", "temporal_heads": "\(temporalHeads)",
            "temporal_width": "\(temporalWidth)", "temporal_frames": "\(temporalFrames)",
            "frames_per_clip": "\(framesPerClip)", "temperature": "\(temperature)",
            "proposal_heads": hasProposalHeads ? "true" : "false",
        ]
        m["labels"] = jsonString(labels)
        m["training"] = jsonString(training)
        return m
    }

    init(baseModel: String, prefixTokens: Int, postfixTokens: Int, temporalLayers: Int, temporalHeads: Int,
         temporalWidth: Int, temporalFrames: Int, framesPerClip: Int, temperature: Float, hasProposalHeads: Bool,
         labels: [String], training: [String: String]) {
        self.baseModel = baseModel; self.prefixTokens = prefixTokens; self.postfixTokens = postfixTokens
        self.temporalLayers = temporalLayers; self.temporalHeads = temporalHeads; self.temporalWidth = temporalWidth
        self.temporalFrames = temporalFrames; self.framesPerClip = framesPerClip; self.temperature = temperature
        self.hasProposalHeads = hasProposalHeads; self.labels = labels; self.training = training
    }

    /// Parses the metadata of `path`, naming the file and the key in every error.
    init(metadata m: [String: String], path: String) throws {
        func str(_ k: String) throws -> String {
            guard let v = m[k] else {
                throw AdapterError.file(path, "not a clipdex adapter: metadata key '\(k)' is missing (make one with `clipdex train`)")
            }
            return v
        }
        func int(_ k: String) throws -> Int {
            guard let v = Int(try str(k)), v >= 0 else { throw AdapterError.file(path, "metadata '\(k)' is not a count") }
            return v
        }
        guard m["format"] == "clipdex-adapter" else {
            throw AdapterError.file(path, "not a clipdex adapter (no \"format\": \"clipdex-adapter\" in its metadata); make one with `clipdex train`")
        }
        let version = try str("format_version")
        guard version == Self.formatVersion else {
            throw AdapterError.file(path, "adapter format version \(version) is not supported (this clipdex reads version \(Self.formatVersion))")
        }
        method = try str("method")
        guard method == "efficient-prompt" else {
            throw AdapterError.file(path, "adapter method '\(method)' is not supported (supported: efficient-prompt)")
        }
        baseModel = try str("base_model")
        prefixTokens = try int("prompt_prefix"); postfixTokens = try int("prompt_postfix")
        temporalLayers = try int("temporal_layers"); temporalHeads = try int("temporal_heads")
        temporalWidth = try int("temporal_width"); temporalFrames = try int("temporal_frames")
        framesPerClip = try int("frames_per_clip")
        guard let t = Float(try str("temperature")), t > 0 else { throw AdapterError.file(path, "metadata 'temperature' is not positive") }
        temperature = t
        hasProposalHeads = try str("proposal_heads") == "true"
        guard let l = try? JSONSerialization.jsonObject(with: Data(try str("labels").utf8)) as? [String] else {
            throw AdapterError.file(path, "metadata 'labels' is not a JSON list of strings")
        }
        labels = l
        training = (try? JSONSerialization.jsonObject(with: Data((m["training"] ?? "{}").utf8)) as? [String: String]) ?? [:]
    }
}

func jsonString(_ value: Any) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
    return String(decoding: data, as: UTF8.self)
}
