@testable import Adapters
import CLIP
import Foundation
import Tensor

/// The tiny fixture CLIP and adapters trained on it in a few steps (enough to be a real,
/// non-trivial adapter: learned prompts and a temporal module; nothing here depends on accuracy).
enum TinyCLIP {
    static let directory = Fixtures.path("clip-tiny")
    static let model = try! CLIPModel(directory: directory)
    static let tokenizer = try! Tokenizer.bundled()
    static var dim: Int { model.config.projectionDim }

    /// An adapter trained for `steps` steps on random two-state clips, saved at `path`.
    /// `base` overrides the base model identity (to make a wrong-base adapter).
    static func adapter(at path: String, base: String? = nil, steps: Int = 3, seed: UInt64 = 1) throws -> Adapter {
        let tower = try FrozenTextTower(model: model)
        var rng = SeededRandom(seed: seed)
        let labels = ["red turning blue", "blue turning red"]
        let clips = (0..<4).map { i in
            TrainingClip(frames: (0..<8).map { _ in normalized((0..<dim).map { _ in rng.normal() }) }, label: i % 2)
        }
        var o = TrainingOptions()
        o.steps = steps; o.seed = seed; o.prefixTokens = 2; o.postfixTokens = 2; o.headSteps = 0
        let (a, _) = try Trainer.train(tower: tower, modelIdentity: base ?? model.identity, labels: labels,
                                       labelTokens: labels.map { tokenizer.encode($0) }, clips: clips, options: o)
        try a.save(to: path)
        return base == nil ? try Adapter.load(path, model: model) : a
    }
}
