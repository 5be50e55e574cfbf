import Foundation
import Tensor

/// Architecture of one CLIP tower, read from the Hugging Face `config.json`.
public struct TowerConfig: Sendable, Equatable {
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layers: Int
    public var heads: Int
    public var layerNormEps: Float
    public var activation: Activation
    /// Vision only: input resolution and patch size.
    public var imageSize: Int
    public var patchSize: Int
    /// Text only: vocabulary and context length.
    public var vocabSize: Int
    public var maxPositions: Int
    public var eosTokenID: Int

    public var headDim: Int { hiddenSize / heads }
    /// Patches per side of the image grid.
    public var gridSize: Int { imageSize / patchSize }
}

/// A CLIP model's configuration: both towers and the shared projection width.
public struct CLIPConfig: Sendable, Equatable {
    public var vision: TowerConfig
    public var text: TowerConfig
    public var projectionDim: Int
    /// Preprocessing constants (from `preprocessor_config.json` when present).
    public var imageMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public var imageStd: [Float] = [0.26862954, 0.26130258, 0.27577711]

    /// Reads `config.json` (and `preprocessor_config.json` if present) from a model directory.
    public static func load(directory: String) throws -> CLIPConfig {
        let path = (directory as NSString).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIPError.missingFile(path, "a Hugging Face CLIP model directory holds config.json and model.safetensors")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CLIPError.badConfig(path, "not a JSON object")
        }
        var config = try parse(root, path: path)
        let pre = (directory as NSString).appendingPathComponent("preprocessor_config.json")
        if let pdata = FileManager.default.contents(atPath: pre),
           let p = try? JSONSerialization.jsonObject(with: pdata) as? [String: Any] {
            if let m = (p["image_mean"] as? [NSNumber])?.map({ $0.floatValue }), m.count == 3 { config.imageMean = m }
            if let s = (p["image_std"] as? [NSNumber])?.map({ $0.floatValue }), s.count == 3 { config.imageStd = s }
        }
        return config
    }

    /// Parses a config dictionary; defaults are those of transformers' CLIPConfig.
    public static func parse(_ root: [String: Any], path: String) throws -> CLIPConfig {
        let type = root["model_type"] as? String
        guard type == "clip" || (type == nil && root["vision_config"] != nil) else {
            throw CLIPError.badConfig(path, "model_type is \(type.map { "'\($0)'" } ?? "missing"), expected 'clip' (a Hugging Face CLIPModel)")
        }
        let v = (root["vision_config"] ?? root["vision_config_dict"]) as? [String: Any] ?? [:]
        let t = (root["text_config"] ?? root["text_config_dict"]) as? [String: Any] ?? [:]
        let vision = try tower(v, path: path, key: "vision_config", defaults: (768, 3072, 12, 12))
        let text = try tower(t, path: path, key: "text_config", defaults: (512, 2048, 12, 8))
        let proj = try int(root, "projection_dim", 512, path: path)
        guard vision.imageSize % vision.patchSize == 0 else {
            throw CLIPError.badConfig(path, "vision_config.image_size \(vision.imageSize) is not a multiple of patch_size \(vision.patchSize)")
        }
        return CLIPConfig(vision: vision, text: text, projectionDim: proj)
    }

    private static func tower(_ d: [String: Any], path: String, key: String,
                              defaults: (Int, Int, Int, Int)) throws -> TowerConfig {
        let actName = d["hidden_act"] as? String ?? "quick_gelu"
        guard let act = Activation(rawValue: actName) else {
            throw CLIPError.badConfig(path, "\(key).hidden_act '\(actName)' is not supported (quick_gelu or gelu)")
        }
        let c = TowerConfig(
            hiddenSize: try int(d, "hidden_size", defaults.0, path: path, prefix: key),
            intermediateSize: try int(d, "intermediate_size", defaults.1, path: path, prefix: key),
            layers: try int(d, "num_hidden_layers", defaults.2, path: path, prefix: key),
            heads: try int(d, "num_attention_heads", defaults.3, path: path, prefix: key),
            layerNormEps: Float((d["layer_norm_eps"] as? NSNumber)?.doubleValue ?? 1e-5),
            activation: act,
            imageSize: try int(d, "image_size", 224, path: path, prefix: key),
            patchSize: try int(d, "patch_size", 32, path: path, prefix: key),
            vocabSize: try int(d, "vocab_size", 49408, path: path, prefix: key),
            maxPositions: try int(d, "max_position_embeddings", 77, path: path, prefix: key),
            eosTokenID: try int(d, "eos_token_id", 2, path: path, prefix: key))
        guard c.hiddenSize % c.heads == 0 else {
            throw CLIPError.badConfig(path, "\(key).hidden_size \(c.hiddenSize) is not divisible by num_attention_heads \(c.heads)")
        }
        return c
    }

    private static func int(_ d: [String: Any], _ name: String, _ fallback: Int, path: String, prefix: String? = nil) throws -> Int {
        guard let raw = d[name] else { return fallback }
        guard let n = raw as? NSNumber, n.doubleValue == n.doubleValue.rounded(), n.intValue > 0 else {
            throw CLIPError.badConfig(path, "\(prefix.map { "\($0)." } ?? "")\(name) must be a positive integer, found \(raw)")
        }
        return n.intValue
    }
}

/// Errors raised while loading or running CLIP; each names the file or input concerned.
public enum CLIPError: Error, CustomStringConvertible {
    case missingFile(String, String)
    case badConfig(String, String)
    case weights(String)
    case input(String)

    public var description: String {
        switch self {
        case let .missingFile(path, hint): return "\(path): not found (\(hint))"
        case let .badConfig(path, why): return "\(path): not a usable CLIP config: \(why)"
        case let .weights(why): return why
        case let .input(why): return why
        }
    }
}
