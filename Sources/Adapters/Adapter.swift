import CLIP
import Foundation
import Tensor

/// An Efficient-Prompt video adapter of a frozen CLIP: learned prompt vectors shared by every
/// label, a temporal transformer over frame embeddings and (optionally) class-agnostic proposal
/// heads. Loaded from one safetensors file; bound to the CLIP it was trained on.
public final class Adapter: @unchecked Sendable {
    public internal(set) var info: AdapterInfo
    /// Where the adapter was loaded from or last saved to ("" for a fresh one).
    public internal(set) var path: String
    /// Fingerprint of the adapter file (of its bytes, as `CLIPModel.identity` is of the weights):
    /// the index stamps segments with it, so features of two adapters are never compared.
    /// "" for an adapter that was never saved.
    public internal(set) var identity = ""
    let tower: FrozenTextTower
    let prompts: PromptLearner
    let temporal: TemporalModule?
    var heads: ProposalHeads?

    init(info: AdapterInfo, path: String, tower: FrozenTextTower, prompts: PromptLearner,
         temporal: TemporalModule?, heads: ProposalHeads?) {
        self.info = info; self.path = path; self.tower = tower; self.prompts = prompts
        self.temporal = temporal; self.heads = heads
    }

    /// Loads an adapter for `model`, refusing one trained on another CLIP.
    public static func load(_ path: String, model: CLIPModel) throws -> Adapter {
        try load(path, modelIdentity: model.identity, tower: try FrozenTextTower(model: model))
    }

    /// Loads an adapter over a given text tower (whose model has identity `modelIdentity`).
    public static func load(_ path: String, modelIdentity: String, tower: FrozenTextTower) throws -> Adapter {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AdapterError.file(path, "adapter file not found (make one with `clipdex train --out \(path)`)")
        }
        let st: SafeTensors
        do { st = try SafeTensors(path: path) } catch {
            throw AdapterError.file(path, "not a readable adapter file: \(error)")
        }
        let info = try AdapterInfo(metadata: st.metadata, path: path)
        guard info.baseModel == modelIdentity else {
            throw AdapterError.file(path, "adapter was trained on the CLIP model with identity \(info.baseModel), "
                + "but the loaded model's identity is \(modelIdentity); use the model it was trained on or train a new adapter")
        }
        let w = tower.width, d = tower.projectionDim
        guard info.temporalWidth == d || info.temporalLayers == 0 else {
            throw AdapterError.file(path, "temporal width \(info.temporalWidth) differs from the model's projection width \(d)")
        }
        func buffer(_ name: String, _ shape: [Int]) throws -> FloatBuffer {
            do {
                let t = try st.floats(name, shape: shape)
                let b = FloatBuffer(count: t.count, zeroed: false)
                b.pointer.update(from: t.pointer, count: t.count)
                return b
            } catch { throw AdapterError.file(path, "\(error)") }
        }
        let prompts = PromptLearner(
            prefix: Parameter("prompt.prefix", shape: [info.prefixTokens, w], value: try buffer("prompt.prefix", [info.prefixTokens, w])),
            postfix: Parameter("prompt.postfix", shape: [info.postfixTokens, w], value: try buffer("prompt.postfix", [info.postfixTokens, w])))
        var temporal: TemporalModule?
        if info.temporalLayers > 0 {
            let pos = try buffer("temporal.positions", [info.temporalFrames, d])
            let layers = try (0..<info.temporalLayers).map { l in
                Dictionary(uniqueKeysWithValues: try TemporalModule.shapes(width: d).map { name, shape in
                    (name, try buffer("temporal.layers.\(l).\(name)", shape))
                })
            }
            temporal = TemporalModule(width: d, heads: info.temporalHeads, maxFrames: info.temporalFrames,
                                      positions: pos, layers: layers)
        }
        var heads: ProposalHeads?
        if info.hasProposalHeads {
            let tensors = Dictionary(uniqueKeysWithValues: try ProposalHeads.shapes(width: d).map { name, shape in
                (name, try buffer("heads.\(name)", shape))
            })
            heads = ProposalHeads(width: d, tensors: tensors)
        }
        let adapter = Adapter(info: info, path: path, tower: tower, prompts: prompts, temporal: temporal, heads: heads)
        adapter.identity = st.fingerprint()
        return adapter
    }

    /// What the adapter file at `path` says about itself (base model, shapes, labels), read without
    /// loading its weights or any CLIP: for checks before a model is loaded.
    public static func info(at path: String) throws -> AdapterInfo {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AdapterError.file(path, "adapter file not found (make one with `clipdex train --out \(path)`)")
        }
        do { return try AdapterInfo(metadata: SafeTensors(path: path).metadata, path: path) } catch let e as AdapterError { throw e } catch {
            throw AdapterError.file(path, "not a readable adapter file: \(error)")
        }
    }

    /// Every trained tensor with its file name.
    var parameters: [Parameter] {
        prompts.parameters + (temporal?.parameters ?? []) + (heads?.parameters ?? [])
    }

    /// Writes the adapter as one safetensors file with its metadata (atomically).
    public func save(to path: String) throws {
        var writer = SafeTensorsWriter()
        for p in parameters { writer.add(p.name, shape: p.shape, values: p.value.array) }
        writer.metadata = info.metadata
        do { try writer.write(to: path) } catch { throw AdapterError.file(path, "cannot write the adapter: \(error)") }
        self.path = path
        identity = (try? SafeTensors(path: path).fingerprint()) ?? ""
    }

    /// Adds an entry to the training summary stored in the file's metadata.
    public func annotateTraining(_ key: String, _ value: String) { info.training[key] = value }

    /// A short name for messages: the file name, or "the new adapter".
    public var name: String { path.isEmpty ? "the new adapter" : (path as NSString).lastPathComponent }
}
