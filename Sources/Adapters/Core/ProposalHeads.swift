import Foundation
import Tensor

/// Class-agnostic temporal proposal heads (BMN / AFSD style) on the dense temporal features:
/// a shared temporal convolution (kernel 3, D → H, ReLU) then three parallel per-step outputs,
/// actionness, start and end, as logits [T, 3] (sigmoid gives probabilities).
final class ProposalHeads {
    static let hidden = 64
    let width: Int
    let conv: Parameter, convBias: Parameter     // [H, 3D], [H]
    let out: Parameter, outBias: Parameter       // [3, H], [3]

    var parameters: [Parameter] { [conv, convBias, out, outBias] }

    static func shapes(width d: Int) -> [(String, [Int])] {
        [("conv.weight", [hidden, 3 * d]), ("conv.bias", [hidden]), ("out.weight", [3, hidden]), ("out.bias", [3])]
    }

    init(width d: Int, tensors t: [String: FloatBuffer]) {
        width = d
        conv = Parameter("heads.conv.weight", shape: [Self.hidden, 3 * d], value: t["conv.weight"]!)
        convBias = Parameter("heads.conv.bias", shape: [Self.hidden], value: t["conv.bias"]!, decay: false)
        out = Parameter("heads.out.weight", shape: [3, Self.hidden], value: t["out.weight"]!)
        outBias = Parameter("heads.out.bias", shape: [3], value: t["out.bias"]!, decay: false)
    }

    convenience init(width d: Int, rng: inout SeededRandom) {
        var t: [String: FloatBuffer] = [:]
        for (name, shape) in Self.shapes(width: d) { t[name] = FloatBuffer(count: shape.reduce(1, *)) }
        rng.fill(t["conv.weight"]!, std: 1 / Float(3 * d).squareRoot())
        rng.fill(t["out.weight"]!, std: 1 / Float(Self.hidden).squareRoot())
        self.init(width: d, tensors: t)
    }

    /// u[T, 3D]: each step's features beside its neighbours' (zeros past the ends), scaled by √D so
    /// unit-norm features have unit-scale components.
    private func unfold(_ y: UnsafePointer<Float>, frames t: Int) -> FloatBuffer {
        let d = width, s = Float(d).squareRoot()
        let u = FloatBuffer(count: t * 3 * d)
        for f in 0..<t {
            for k in 0..<3 {
                let src = f + k - 1
                guard src >= 0 && src < t else { continue }
                for i in 0..<d { u.pointer[(f * 3 + k) * d + i] = s * y[src * d + i] }
            }
        }
        return u
    }

    struct Tape { let u: FloatBuffer; let pre: FloatBuffer; let h: FloatBuffer; let logits: FloatBuffer; let frames: Int }

    /// Logits [T, 3] (actionness, start, end) of dense features y [T, D].
    func forward(_ y: UnsafePointer<Float>, frames t: Int) -> Tape {
        let hd = Self.hidden
        let u = unfold(y, frames: t)
        let pre = FloatBuffer(count: t * hd, zeroed: false), h = FloatBuffer(count: t * hd, zeroed: false)
        linear(u.pointer, rows: t, inFeatures: 3 * width, weight: conv.value.pointer, bias: convBias.value.pointer,
               outFeatures: hd, into: pre.pointer)
        for i in 0..<t * hd { h.pointer[i] = max(0, pre.pointer[i]) }
        let logits = FloatBuffer(count: t * 3, zeroed: false)
        linear(h.pointer, rows: t, inFeatures: hd, weight: out.value.pointer, bias: outBias.value.pointer,
               outFeatures: 3, into: logits.pointer)
        return Tape(u: u, pre: pre, h: h, logits: logits, frames: t)
    }

    /// Accumulates parameter gradients from dLogits [T, 3]; the features are not trained through.
    func backward(_ tape: Tape, dLogits: UnsafePointer<Float>) {
        let hd = Self.hidden, t = tape.frames
        let dh = FloatBuffer(count: t * hd, zeroed: false)
        linearBackward(dy: dLogits, x: tape.h.pointer, w: out.value.pointer, rows: t, inFeatures: hd, outFeatures: 3,
                       dx: dh.pointer, accumulateDx: false, dw: out.grad.pointer, db: outBias.grad.pointer)
        for i in 0..<t * hd where tape.pre.pointer[i] <= 0 { dh.pointer[i] = 0 }
        linearBackward(dy: dh.pointer, x: tape.u.pointer, w: conv.value.pointer, rows: t, inFeatures: 3 * width,
                       outFeatures: hd, dx: nil, accumulateDx: false, dw: conv.grad.pointer, db: convBias.grad.pointer)
        withExtendedLifetime(dh) {}
    }

    /// Binary cross-entropy of the three outputs against targets [T, 3] in [0, 1], each output's
    /// positives weighted by (negatives/positives) as BMN does; returns the loss and dLogits.
    static func loss(logits buffer: FloatBuffer, targets: [Float], frames t: Int) -> (Float, FloatBuffer) {
        let d = FloatBuffer(count: t * 3), logits = buffer.pointer
        defer { withExtendedLifetime(buffer) {} }
        var total: Double = 0
        for c in 0..<3 {
            var pos: Float = 0
            for f in 0..<t { pos += targets[f * 3 + c] }
            let wPos = pos > 0 ? Float(t) / (2 * pos) : 1, wNeg = pos < Float(t) ? Float(t) / (2 * (Float(t) - pos)) : 1
            for f in 0..<t {
                let z = logits[f * 3 + c], y = targets[f * 3 + c]
                let p = 1 / (1 + expf(-z))
                let w = y * wPos + (1 - y) * wNeg
                // −[y·log p + (1 − y)·log(1 − p)] in the stable form max(z, 0) − z·y + log(1 + e^−|z|)
                total += Double(w) * (Double(max(z, 0) - z * y) + log1p(exp(-Double(abs(z)))))
                d.pointer[f * 3 + c] = w * (p - y) / Float(3 * t)
            }
        }
        return (Float(total / Double(3 * t)), d)
    }
}
