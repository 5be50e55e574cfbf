import Foundation
import Tensor

/// One trained tensor: its values, its gradient and AdamW's two moments, all [count].
final class Parameter {
    let name: String
    let shape: [Int]
    let value: FloatBuffer
    let grad: FloatBuffer
    var decay: Bool
    private(set) var m: FloatBuffer
    private(set) var v: FloatBuffer

    init(_ name: String, shape: [Int], value: FloatBuffer, grad: FloatBuffer? = nil, decay: Bool = true) {
        precondition(value.count == shape.reduce(1, *), "\(name): \(value.count) values for shape \(shape)")
        self.name = name; self.shape = shape; self.value = value; self.decay = decay
        self.grad = grad ?? FloatBuffer(count: value.count)
        m = FloatBuffer(count: value.count)
        v = FloatBuffer(count: value.count)
    }

    var count: Int { value.count }
    func zeroGrad() { grad.pointer.update(repeating: 0, count: count) }
}

/// AdamW (decoupled weight decay, Loshchilov & Hutter) with a linear warm-up then cosine schedule.
struct AdamW {
    var lr: Float
    var beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8
    var weightDecay: Float
    var warmup: Int
    var totalSteps: Int
    private(set) var step = 0

    init(lr: Float, weightDecay: Float, totalSteps: Int, warmup: Int? = nil) {
        self.lr = lr; self.weightDecay = weightDecay; self.totalSteps = max(1, totalSteps)
        self.warmup = warmup ?? min(20, max(1, totalSteps / 10))
    }

    /// Learning rate at step t (0-based): warm-up to `lr`, cosine down to lr/100.
    func rate(at t: Int) -> Float {
        if t < warmup { return lr * Float(t + 1) / Float(warmup) }
        let p = Float(t - warmup) / Float(max(1, totalSteps - warmup))
        return lr * (0.01 + 0.99 * 0.5 * (1 + cosf(Float.pi * min(1, p))))
    }

    mutating func update(_ params: [Parameter]) {
        let rate = rate(at: step)
        step += 1
        let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
        for p in params {
            let x = p.value.pointer, g = p.grad.pointer, m = p.m.pointer, v = p.v.pointer
            let wd = p.decay ? weightDecay : 0
            for i in 0..<p.count {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                let update = (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                x[i] -= rate * (update + wd * x[i])
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) for initialisation and sampling: same seed, same run.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal sample (Box–Muller).
    mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(next() >> 11) / Double(1 << 53)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    mutating func fill(_ b: FloatBuffer, std: Float) {
        for i in 0..<b.count { b.pointer[i] = std * normal() }
    }
}

/// Errors of the Adapters module; each names the adapter file, data or model concerned.
public enum AdapterError: Error, CustomStringConvertible {
    case file(String, String)
    case model(String)
    case data(String)

    public var description: String {
        switch self {
        case let .file(path, why): return "\(path): \(why)"
        case let .model(why): return why
        case let .data(why): return why
        }
    }
}
