import CKernels
import Foundation

/// Row-wise LayerNorm: y = (x − mean) / sqrt(var + eps) · γ + β, over `width` columns.
/// `x` and `y` may alias.
public func layerNorm(_ x: UnsafePointer<Float>, rows: Int, width: Int, gamma: UnsafePointer<Float>,
                      beta: UnsafePointer<Float>, eps: Float, into y: UnsafeMutablePointer<Float>) {
    Threads.parallelFor(rows, minimum: max(1, 32768 / max(width, 1))) { lo, hi in
        cdx_layer_norm(x + lo * width, hi - lo, Int32(width), gamma, beta, eps, y + lo * width)
    }
}

/// The activations CLIP configs name in `hidden_act`.
public enum Activation: String, Sendable {
    case quickGELU = "quick_gelu", gelu = "gelu"

    /// Applies the activation in place over `count` values.
    public func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .quickGELU:
            Threads.parallelFor(count, minimum: 16384) { lo, hi in cdx_quick_gelu(x + lo, hi - lo) }
        case .gelu:
            Threads.parallelFor(count, minimum: 16384) { lo, hi in
                for i in lo..<hi { let v = x[i]; x[i] = 0.5 * v * (1 + erff(v * 0.70710678118654752)) }
            }
        }
    }
}

/// In-place softmax over each row of `cols` values; `validCols` limits a row to its
/// first entries (the causal mask), zeroing the rest.
@inline(__always)
public func softmaxRow(_ row: UnsafeMutablePointer<Float>, cols: Int, validCols: Int) {
    var m = -Float.infinity
    for i in 0..<validCols { m = max(m, row[i]) }
    var sum: Float = 0
    for i in 0..<validCols { let e = expf(row[i] - m); row[i] = e; sum += e }
    let inv = 1 / sum
    for i in 0..<validCols { row[i] *= inv }
    for i in validCols..<cols { row[i] = 0 }
}

/// y += x over `count` values.
@inline(__always)
public func addInPlace(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { y[i] += x[i] }
}

/// L2-normalises each row of a row-major matrix in place.
public func normalizeRows(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    for r in 0..<rows {
        let p = x + r * width
        var s: Float = 0
        for i in 0..<width { s += p[i] * p[i] }
        let inv = s > 0 ? 1 / s.squareRoot() : 0
        for i in 0..<width { p[i] *= inv }
    }
}

/// L2-normalised copy of a vector.
public func normalized(_ v: [Float]) -> [Float] {
    var out = v
    out.withUnsafeMutableBufferPointer { normalizeRows($0.baseAddress!, rows: 1, width: v.count) }
    return out
}

/// Dot product of two equal-length vectors.
@inline(__always)
public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var s: Float = 0
    for i in 0..<count { s += a[i] * b[i] }
    return s
}
