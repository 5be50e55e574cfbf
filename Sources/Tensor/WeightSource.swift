import Foundation

/// Where model weights come from: a safetensors file, or random values for benchmarks.
public protocol WeightSource {
    /// The tensor `name` as fp32, checked against `shape` when given.
    func floats(_ name: String, shape: [Int]?) throws -> Weights
}

extension SafeTensors: WeightSource {}

/// Random weights of any requested shape: uniform with standard deviation 0.02 for matrices, 1 for LayerNorm gains,
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
        let scale = 0.02 * Float(3).squareRoot() / Float(1 << 23)
        for i in 0..<n { buffer.pointer[i] = Float(Int32(truncatingIfNeeded: next() >> 40) - (1 << 23)) * scale }
        return Weights(buffer, shape: shape)
    }

    private func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }
}
