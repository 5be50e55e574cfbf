import Foundation

/// Where model weights come from: a safetensors file, or random values for benchmarks.
public protocol WeightSource {
    /// The tensor `name` as fp32, checked against `shape` when given.
    func floats(_ name: String, shape: [Int]?) throws -> Weights
}

extension SafeTensors: WeightSource {}

/// Random weights of any requested shape: N(0, 0.02) for matrices, 1 for LayerNorm gains,
/// 0 for biases. For benchmarks of real architectures without their checkpoints.
public final class RandomWeights: WeightSource {
    private var state: UInt64

    public init(seed: UInt64 = 0x5EED) { state = seed | 1 }

    public func floats(_ name: String, shape: [Int]?) throws -> Weights {
        let shape = shape ?? [1]
        let n = shape.reduce(1, *)
        let buffer = FloatBuffer(count: n, zeroed: true)
        if name.hasSuffix("bias") { return Weights(buffer, shape: shape) }
        if name.contains("norm") || name.contains("layrnorm") {
            for i in 0..<n { buffer.pointer[i] = 1 }
            return Weights(buffer, shape: shape)
        }
        if name == "logit_scale" { buffer.pointer[0] = 2.6592; return Weights(buffer, shape: shape) }
        for i in 0..<n { buffer.pointer[i] = 0.02 * gaussian() }
        return Weights(buffer, shape: shape)
    }

    private func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }

    /// A standard normal sample (Box–Muller).
    private func gaussian() -> Float {
        let u1 = Float(next() >> 40 + 1) / Float(1 << 24), u2 = Float(next() >> 40) / Float(1 << 24)
        return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
    }
}
