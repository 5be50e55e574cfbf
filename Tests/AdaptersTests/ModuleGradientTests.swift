@testable import Adapters
import CLIP
import Tensor
import XCTest

/// Backward passes of whole blocks, the frozen text tower with learned prompts and the temporal
/// module against finite differences.
final class ModuleGradientTests: XCTestCase {
    override func setUp() { Threads.configure(2) }

    /// A random block of width w with full weight gradients, in both masks and both activations.
    func testBlockBackward() {
        for (causal, act) in [(true, Activation.quickGELU), (false, .gelu)] {
            var rng = SeededRandom(seed: 21)
            let w = 8, heads = 2, batch = 2, seq = 4
            let module = TemporalModule(width: w, layers: 1, heads: heads, rng: &rng)
            // make the out/fc2 projections and LayerNorm parameters large enough to matter
            for p in module.blockParams[0] { rng.fill(p.value, std: p.name.contains("ln") ? 0.3 : 0.4) }
            for p in module.blockParams[0] where p.name.hasSuffix("ln1.weight") || p.name.hasSuffix("ln2.weight") {
                for i in 0..<p.count { p.value.pointer[i] += 1 }
            }
            let x = randomBuffer(batch * seq * w, std: 1, seed: 22), r = randomBuffer(batch * seq * w, std: 1, seed: 23)
            let blk = module.blocks[0]
            func loss() -> Double {
                let y = FloatBuffer(x.array)
                BlockTape(blk, batch: batch, seq: seq, eps: 1e-5, activation: act, causal: causal).forward(y.pointer)
                return weightedSum(y.pointer, r)
            }
            // training forward = CLIP's inference block
            let y = FloatBuffer(x.array), yRef = FloatBuffer(x.array)
            let tape = BlockTape(blk, batch: batch, seq: seq, eps: 1e-5, activation: act, causal: causal)
            tape.forward(y.pointer)
            runBlock(blk, x: yRef.pointer, batch: batch, seq: seq, eps: 1e-5, activation: act, causal: causal,
                     workspace: BlockWorkspace(rows: batch * seq, seq: seq, width: w, intermediate: 4 * w))
            for i in 0..<y.count { XCTAssertEqual(y[i], yRef[i], accuracy: 1e-4) }
            let dx = FloatBuffer(r.array)
            tape.backward(dx.pointer, grads: module.grads[0])
            var g = GradCheck()
            g.check("block dx (causal \(causal))", x, analytic: dx.array, loss: loss)
            for p in module.blockParams[0] {
                g.check("block \(p.name) (\(act))", p.value, analytic: p.grad.array, loss: loss)
            }
        }
    }

    func testTemporalModuleBackward() {
        var rng = SeededRandom(seed: 31)
        let d = 16, batch = 2, frames = 5
        let module = TemporalModule(width: d, layers: 2, heads: 2, rng: &rng)
        for p in module.parameters where !p.name.contains("ln") { rng.fill(p.value, std: 0.3) }
        let x = randomBuffer(batch * frames * d, std: 0.25, seed: 32), r = randomBuffer(batch * frames * d, std: 1, seed: 33)
        func loss() -> Double {
            weightedSum(module.forward(x.pointer, batch: batch, frames: frames), r)
        }
        let tape = module.forwardTrain(x.pointer, batch: batch, frames: frames)
        let inference = module.forward(x.pointer, batch: batch, frames: frames)
        for i in 0..<inference.count { XCTAssertEqual(tape.output[i], inference[i], accuracy: 1e-5) }
        let dx = module.backward(tape, dY: r.pointer)
        var g = GradCheck()
        g.check("temporal dx", x, analytic: dx.array, loss: loss)
        for p in module.parameters { g.check(p.name, p.value, analytic: p.grad.array, loss: loss) }
    }

    /// Through the frozen tiny CLIP text tower to the learned prompt vectors.
    func testPromptGradientsThroughFrozenTextTower() throws {
        let model = try CLIPModel(directory: Fixtures.path("clip-tiny"))
        let tower = try FrozenTextTower(model: model)
        var rng = SeededRandom(seed: 41)
        let prompts = PromptLearner(prefix: 3, postfix: 2, width: tower.width, rng: &rng, std: 0.05)
        let labels = [[320, 1929], [4558], [320, 2867, 539]]
        let d = tower.projectionDim
        let r = randomBuffer(labels.count * d, std: 1, seed: 42)
        func loss() -> Double {
            let e = prompts.embed(labels: labels, tower: tower)
            return weightedSum(tower.forward(e.x, batch: labels.count, seq: e.seq, ends: e.ends), r)
        }
        let e = prompts.embed(labels: labels, tower: tower)
        // the same sequences through CLIP's own text encoder give the same embeddings
        let copy = FloatBuffer(e.x.array)
        let ref = model.text.forward(embeddings: copy, batch: labels.count, seq: e.seq, endPositions: e.ends)
        let tape = tower.forwardTrain(e.x, batch: labels.count, seq: e.seq, ends: e.ends)
        for i in 0..<labels.count * d { XCTAssertEqual(tape.embeds[i], ref.embeds[i], accuracy: 1e-4) }
        let dx = tower.backward(tape, dEmbeds: r.pointer)
        prompts.accumulate(dX: dx.pointer, labels: labels, seq: e.seq)
        var g = GradCheck(eps: 2e-3, samples: 30)
        g.check("prompt prefix", prompts.prefix.value, analytic: prompts.prefix.grad.array, loss: loss)
        g.check("prompt postfix", prompts.postfix.value, analytic: prompts.postfix.grad.array, loss: loss)
    }
}
