import CLIP
import Foundation
import Tensor

/// The temporal module: CLIP-style residual attention blocks over the frame embeddings of a
/// window, with learned temporal position embeddings (Efficient-Prompt's temporal transformer).
///
/// Frames x [B, T, D] are L2-normalised CLIP image embeddings. The blocks run on the residual
/// stream z = s·x + pos (s = √D brings the unit vectors to the unit-per-component scale CLIP's
/// blocks are made for) and the dense output is y = x + (blocks(z) − z)/s: a residual around the
/// whole module, so a freshly initialised module is close to the identity and mean pooling
/// of its output starts close to the baseline.
final class TemporalModule {
    let width: Int, heads: Int, layers: Int, maxFrames: Int
    let positions: Parameter               // [maxFrames, D]
    let blocks: [BlockWeights]
    let blockParams: [[Parameter]]         // per layer, in `BlockParameterNames` order
    let grads: [BlockGrads]
    static let eps: Float = 1e-5
    static let activation = Activation.quickGELU

    var scale: Float { Float(width).squareRoot() }
    var parameters: [Parameter] { [positions] + blockParams.flatMap { $0 } }

    /// Heads for a width: 8 (the paper's) when each head keeps at least 16 dimensions, fewer otherwise.
    static func defaultHeads(width: Int) -> Int {
        var h = 8
        while h > 1 && (width % h != 0 || width / h < 16) { h /= 2 }
        return h
    }

    /// A freshly initialised module: positions N(0, 0.01); qkv and fc1 N(0, 1/√fan_in);
    /// the out and fc2 projections small (N(0, 0.02/√(2L))) so the module starts near identity.
    convenience init(width d: Int, layers: Int, heads: Int, maxFrames: Int = 16, rng: inout SeededRandom) {
        let pos = FloatBuffer(count: maxFrames * d)
        rng.fill(pos, std: 0.01)
        var tensors: [[String: FloatBuffer]] = []
        for _ in 0..<layers {
            let t = Self.emptyLayer(width: d)
            rng.fill(t["qkv.weight"]!, std: 1 / Float(d).squareRoot())
            rng.fill(t["fc1.weight"]!, std: 1 / Float(d).squareRoot())
            rng.fill(t["out.weight"]!, std: 0.02 / Float(2 * layers).squareRoot())
            rng.fill(t["fc2.weight"]!, std: 0.02 / Float(2 * layers).squareRoot())
            for k in ["ln1.weight", "ln2.weight"] { t[k]!.pointer.update(repeating: 1, count: d) }
            tensors.append(t)
        }
        self.init(width: d, heads: heads, maxFrames: maxFrames, positions: pos, layers: tensors)
    }

    /// A module over given tensors (from an adapter file): `layers[i][name]` by `Self.shapes`.
    init(width d: Int, heads: Int, maxFrames: Int, positions pos: FloatBuffer, layers: [[String: FloatBuffer]]) {
        width = d; self.heads = heads; self.layers = layers.count; self.maxFrames = maxFrames
        positions = Parameter("temporal.positions", shape: [maxFrames, d], value: pos, decay: false)
        var bw: [BlockWeights] = [], bp: [[Parameter]] = [], gs: [BlockGrads] = []
        for (l, t) in layers.enumerated() {
            let g = BlockGrads(width: d, intermediate: 4 * d)
            let gradOf: [String: FloatBuffer] = [
                "ln1.weight": g.ln1Gamma, "ln1.bias": g.ln1Beta, "ln2.weight": g.ln2Gamma, "ln2.bias": g.ln2Beta,
                "qkv.weight": g.qkvWeight, "qkv.bias": g.qkvBias, "out.weight": g.outWeight, "out.bias": g.outBias,
                "fc1.weight": g.fc1Weight, "fc1.bias": g.fc1Bias, "fc2.weight": g.fc2Weight, "fc2.bias": g.fc2Bias]
            let shapes = Self.shapes(width: d)
            bp.append(shapes.map { name, shape in
                Parameter("temporal.layers.\(l).\(name)", shape: shape, value: t[name]!, grad: gradOf[name]!,
                          decay: name.hasSuffix("weight") && !name.hasPrefix("ln"))
            })
            func wt(_ n: String) -> Weights { Weights(t[n]!, shape: shapes.first { $0.0 == n }!.1) }
            bw.append(BlockWeights(width: d, intermediate: 4 * d, heads: heads,
                                   ln1Gamma: wt("ln1.weight"), ln1Beta: wt("ln1.bias"),
                                   ln2Gamma: wt("ln2.weight"), ln2Beta: wt("ln2.bias"),
                                   qkvWeight: wt("qkv.weight"), qkvBias: wt("qkv.bias"),
                                   outWeight: wt("out.weight"), outBias: wt("out.bias"),
                                   fc1Weight: wt("fc1.weight"), fc1Bias: wt("fc1.bias"),
                                   fc2Weight: wt("fc2.weight"), fc2Bias: wt("fc2.bias")))
            gs.append(g)
        }
        blocks = bw; blockParams = bp; grads = gs
    }

    /// Tensor names and shapes of one layer, in file order.
    static func shapes(width d: Int) -> [(String, [Int])] {
        [("ln1.weight", [d]), ("ln1.bias", [d]), ("qkv.weight", [3 * d, d]), ("qkv.bias", [3 * d]),
         ("out.weight", [d, d]), ("out.bias", [d]), ("ln2.weight", [d]), ("ln2.bias", [d]),
         ("fc1.weight", [4 * d, d]), ("fc1.bias", [4 * d]), ("fc2.weight", [d, 4 * d]), ("fc2.bias", [d])]
    }

    static func emptyLayer(width d: Int) -> [String: FloatBuffer] {
        Dictionary(uniqueKeysWithValues: shapes(width: d).map { ($0.0, FloatBuffer(count: $0.1.reduce(1, *))) })
    }

    /// z [B, T, D] = s·x + pos[t].
    private func stream(_ x: UnsafePointer<Float>, batch: Int, frames t: Int) -> FloatBuffer {
        precondition(t <= maxFrames, "a window of \(t) frames exceeds the module's \(maxFrames) positions")
        let d = width, s = scale
        let z = FloatBuffer(count: batch * t * d, zeroed: false)
        for b in 0..<batch {
            for f in 0..<t {
                let o = (b * t + f) * d
                for i in 0..<d { z.pointer[o + i] = s * x[o + i] + positions.value.pointer[f * d + i] }
            }
        }
        return z
    }

    /// Inference over one batch of windows: x [B, T, D] → y [B, T, D] (T ≤ maxFrames).
    func forward(_ x: UnsafePointer<Float>, batch: Int, frames t: Int) -> FloatBuffer {
        let d = width, n = batch * t * d
        let z = stream(x, batch: batch, frames: t)
        let ws = BlockWorkspace(rows: batch * t, seq: t, width: d, intermediate: 4 * d)
        let z0 = FloatBuffer(count: n, zeroed: false)
        z0.pointer.update(from: z.pointer, count: n)
        for b in blocks {
            runBlock(b, x: z.pointer, batch: batch, seq: t, eps: Self.eps, activation: Self.activation,
                     causal: false, workspace: ws)
        }
        let inv = 1 / scale
        for i in 0..<n { z.pointer[i] = x[i] + (z.pointer[i] - z0.pointer[i]) * inv }
        withExtendedLifetime((z0, ws)) {}
        return z
    }

    final class Tape {
        let batch: Int, frames: Int
        let blocks: [BlockTape]
        let output: FloatBuffer
        init(batch: Int, frames: Int, blocks: [BlockTape], output: FloatBuffer) {
            self.batch = batch; self.frames = frames; self.blocks = blocks; self.output = output
        }
    }

    /// Training forward: as `forward`, keeping the activations.
    func forwardTrain(_ x: UnsafePointer<Float>, batch: Int, frames t: Int) -> Tape {
        let d = width, n = batch * t * d
        let z = stream(x, batch: batch, frames: t)
        let z0 = FloatBuffer(count: n, zeroed: false)
        z0.pointer.update(from: z.pointer, count: n)
        var tapes: [BlockTape] = []
        for b in blocks {
            let tape = BlockTape(b, batch: batch, seq: t, eps: Self.eps, activation: Self.activation, causal: false)
            tape.forward(z.pointer)
            tapes.append(tape)
        }
        let inv = 1 / scale
        for i in 0..<n { z.pointer[i] = x[i] + (z.pointer[i] - z0.pointer[i]) * inv }
        withExtendedLifetime(z0) {}
        return Tape(batch: batch, frames: t, blocks: tapes, output: z)
    }

    /// Backward from dY [B, T, D]: accumulates every parameter's gradient and returns dX.
    /// y = x + (blocks(z) − z)/s with z = s·x + pos:
    /// dz = blocksᵀ(dY/s) − dY/s; dx = dY + s·dz; dpos[t] = Σ_b dz[b, t].
    @discardableResult
    func backward(_ tape: Tape, dY: UnsafePointer<Float>) -> FloatBuffer {
        let d = width, t = tape.frames, n = tape.batch * t * d, inv = 1 / scale
        let dz = FloatBuffer(count: n, zeroed: false)
        for i in 0..<n { dz.pointer[i] = dY[i] * inv }
        for (l, bt) in tape.blocks.enumerated().reversed() { bt.backward(dz.pointer, grads: grads[l]) }
        let dx = FloatBuffer(count: n, zeroed: false)
        for i in 0..<n {
            dz.pointer[i] -= dY[i] * inv
            dx.pointer[i] = dY[i] + scale * dz.pointer[i]
        }
        for b in 0..<tape.batch { addInPlace(positions.grad.pointer, dz.pointer + b * t * d, count: t * d) }
        withExtendedLifetime(dz) {}
        return dx
    }
}
