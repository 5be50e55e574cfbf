@testable import Adapters
import CLIP
import Tensor
import XCTest

/// Each backward against finite differences of its forward.
final class LayerGradientTests: XCTestCase {
    override func setUp() { Threads.configure(2) }

    func testLinearBackward() {
        let m = 5, k = 7, n = 6
        let x = randomBuffer(m * k, std: 1, seed: 1), w = randomBuffer(n * k, std: 0.5, seed: 2)
        let b = randomBuffer(n, std: 0.5, seed: 3), r = randomBuffer(m * n, std: 1, seed: 4)
        func loss() -> Double {
            let y = FloatBuffer(count: m * n)
            linear(x.pointer, rows: m, inFeatures: k, weight: w.pointer, bias: b.pointer, outFeatures: n, into: y.pointer)
            return weightedSum(y.pointer, r)
        }
        let dx = FloatBuffer(count: m * k), dw = FloatBuffer(count: n * k), db = FloatBuffer(count: n)
        linearBackward(dy: r.pointer, x: x.pointer, w: w.pointer, rows: m, inFeatures: k, outFeatures: n,
                       dx: dx.pointer, accumulateDx: false, dw: dw.pointer, db: db.pointer)
        var g = GradCheck()
        g.check("linear dx", x, analytic: dx.array, loss: loss)
        g.check("linear dw", w, analytic: dw.array, loss: loss)
        g.check("linear db", b, analytic: db.array, loss: loss)
    }

    func testLayerNormBackward() {
        let rows = 4, w = 9
        let x = randomBuffer(rows * w, std: 2, seed: 5, mean: 0.7), gamma = randomBuffer(w, std: 0.3, seed: 6, mean: 1)
        let beta = randomBuffer(w, std: 0.3, seed: 7), r = randomBuffer(rows * w, std: 1, seed: 8)
        let mean = FloatBuffer(count: rows), rstd = FloatBuffer(count: rows)
        func loss() -> Double {
            let y = FloatBuffer(count: rows * w)
            layerNormForward(x.pointer, rows: rows, width: w, gamma: gamma.pointer, beta: beta.pointer, eps: 1e-5,
                             y: y.pointer, mean: mean.pointer, rstd: rstd.pointer)
            return weightedSum(y.pointer, r)
        }
        // the training forward agrees with Tensor's inference LayerNorm
        let y = FloatBuffer(count: rows * w), yRef = FloatBuffer(count: rows * w)
        layerNormForward(x.pointer, rows: rows, width: w, gamma: gamma.pointer, beta: beta.pointer, eps: 1e-5,
                         y: y.pointer, mean: mean.pointer, rstd: rstd.pointer)
        layerNorm(x.pointer, rows: rows, width: w, gamma: gamma.pointer, beta: beta.pointer, eps: 1e-5, into: yRef.pointer)
        for i in 0..<rows * w { XCTAssertEqual(y[i], yRef[i], accuracy: 1e-5) }
        let dx = FloatBuffer(count: rows * w), dg = FloatBuffer(count: w), db = FloatBuffer(count: w)
        layerNormBackward(dy: r.pointer, x: x.pointer, mean: mean.pointer, rstd: rstd.pointer, gamma: gamma.pointer,
                          rows: rows, width: w, dx: dx.pointer, dGamma: dg.pointer, dBeta: db.pointer)
        var g = GradCheck()
        g.check("layernorm dx", x, analytic: dx.array, loss: loss)
        g.check("layernorm dgamma", gamma, analytic: dg.array, loss: loss)
        g.check("layernorm dbeta", beta, analytic: db.array, loss: loss)
        // the input-only path (no parameter gradients) gives the same dx
        let dx2 = FloatBuffer(count: rows * w)
        layerNormBackward(dy: r.pointer, x: x.pointer, mean: mean.pointer, rstd: rstd.pointer, gamma: gamma.pointer,
                          rows: rows, width: w, dx: dx2.pointer, dGamma: nil, dBeta: nil)
        for i in 0..<rows * w { XCTAssertEqual(dx2[i], dx[i], accuracy: 1e-6) }
    }

    func testActivationBackward() {
        for act in [Activation.quickGELU, .gelu] {
            let n = 40
            let h = randomBuffer(n, std: 2, seed: 9), r = randomBuffer(n, std: 1, seed: 10)
            func loss() -> Double {
                let a = FloatBuffer(count: n)
                activationForward(act, h.pointer, count: n, into: a.pointer)
                return weightedSum(a.pointer, r)
            }
            let grad = FloatBuffer(r.array)
            activationBackward(act, h: h.pointer, grad: grad.pointer, count: n)
            var g = GradCheck()
            g.check("\(act) backward", h, analytic: grad.array, loss: loss)
        }
    }

    func testAttentionBackward() {
        for causal in [true, false] {
            let batch = 2, seq = 5, w = 8, heads = 2
            let qkv = randomBuffer(batch * seq * 3 * w, std: 1, seed: 11), r = randomBuffer(batch * seq * w, std: 1, seed: 12)
            let probs = FloatBuffer(count: batch * heads * seq * seq)
            func loss() -> Double {
                let out = FloatBuffer(count: batch * seq * w)
                attentionForward(qkv: qkv.pointer, batch: batch, seq: seq, width: w, heads: heads, causal: causal,
                                 probs: probs.pointer, out: out.pointer)
                return weightedSum(out.pointer, r)
            }
            // the training forward agrees with Tensor's inference attention
            let out = FloatBuffer(count: batch * seq * w), ref = FloatBuffer(count: batch * seq * w)
            attentionForward(qkv: qkv.pointer, batch: batch, seq: seq, width: w, heads: heads, causal: causal,
                             probs: probs.pointer, out: out.pointer)
            let scratch = FloatBuffer(count: 4 * seq * seq)
            attention(qkv: qkv.pointer, batch: batch, seq: seq, width: w, heads: heads, causal: causal,
                      scratch: scratch.pointer, into: ref.pointer)
            for i in 0..<out.count { XCTAssertEqual(out[i], ref[i], accuracy: 1e-5) }
            let dqkv = FloatBuffer(count: qkv.count)
            attentionBackward(dOut: r.pointer, qkv: qkv.pointer, probs: probs.pointer, batch: batch, seq: seq,
                              width: w, heads: heads, dqkv: dqkv.pointer)
            var g = GradCheck(samples: 60)
            g.check("attention dqkv (causal \(causal))", qkv, analytic: dqkv.array, loss: loss)
        }
    }

    func testNormalizeAndContrastiveLossBackward() {
        let b = 3, c = 4, d = 6
        let v = randomBuffer(b * d, std: 1, seed: 13), t = randomBuffer(c * d, std: 1, seed: 14)
        let targets = [2, 0, 3]
        func loss() -> Double {
            Double(contrastiveLoss(video: v.pointer, batch: b, text: t.pointer, classes: c, width: d,
                                   targets: targets, temperature: 0.5).loss)
        }
        let res = contrastiveLoss(video: v.pointer, batch: b, text: t.pointer, classes: c, width: d,
                                  targets: targets, temperature: 0.5)
        var g = GradCheck(eps: 2e-3)
        g.check("loss dvideo", v, analytic: res.dVideo.array, loss: loss)
        g.check("loss dtext", t, analytic: res.dText.array, loss: loss)
    }
}

/// The proposal heads' backward and BCE loss against finite differences.
final class ProposalHeadGradientTests: XCTestCase {
    func testHeadsBackward() {
        var rng = SeededRandom(seed: 51)
        let d = 8, t = 7
        let heads = ProposalHeads(width: d, rng: &rng)
        for p in heads.parameters { rng.fill(p.value, std: 0.5) }
        let x = randomBuffer(t * d, std: 0.4, seed: 52)
        let y = ProposalHeads.targets(times: (0..<t).map(Double.init), segments: [(start: 1.5, end: 4.2, label: 0)])
        func loss() -> Double {
            let tape = heads.forward(x.pointer, frames: t)
            return Double(ProposalHeads.loss(logits: tape.logits, targets: y, frames: t).0)
        }
        let tape = heads.forward(x.pointer, frames: t)
        let (_, dl) = ProposalHeads.loss(logits: tape.logits, targets: y, frames: t)
        heads.backward(tape, dLogits: dl.pointer)
        var g = GradCheck(eps: 1e-3, samples: 40)
        for p in heads.parameters { g.check(p.name, p.value, analytic: p.grad.array, loss: loss) }
        // targets: actionness inside [1.5, 4.2] (frames 2, 3, 4), start peak at 2 (nearest 1.5 → 1 or 2), end at 4
        XCTAssertEqual((0..<t).map { y[$0 * 3] }, [0, 0, 1, 1, 1, 0, 0])
        XCTAssertEqual(y[4 * 3 + 2], 1)
    }
}
