import Foundation
@testable import Adapters
import Tensor
import XCTest

/// Paths of the fixtures copied into Tests/Fixtures.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static func path(_ parts: String...) -> String { ([root] + parts).joined(separator: "/") }
}

/// Finite-difference gradient checks: central differences of a scalar loss (summed in Double)
/// against the analytic gradient, over up to `samples` coordinates of each buffer.
struct GradCheck {
    var eps: Float = 1e-3
    var tolerance: Double = 2e-2
    var samples = 24
    var rng = SeededRandom(seed: 7)

    /// `loss()` recomputes the forward; `analytic` is the backward's gradient of `buffer`.
    /// Fails when ‖numeric − analytic‖ / max(‖numeric‖, ‖analytic‖, floor) exceeds the tolerance.
    mutating func check(_ name: String, _ buffer: FloatBuffer, analytic: [Float], floor: Double = 1e-6,
                        loss: () -> Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(analytic.count, buffer.count, "\(name): gradient size", file: file, line: line)
        let picks = buffer.count <= samples ? Array(0..<buffer.count)
            : (0..<samples).map { _ in Int(rng.next() % UInt64(buffer.count)) }
        var diff = 0.0, nNorm = 0.0, aNorm = 0.0
        for i in picks {
            let keep = buffer.pointer[i]
            buffer.pointer[i] = keep + eps
            let up = loss()
            buffer.pointer[i] = keep - eps
            let down = loss()
            buffer.pointer[i] = keep
            let numeric = (up - down) / (2 * Double(eps))
            let a = Double(analytic[i])
            diff += (numeric - a) * (numeric - a); nNorm += numeric * numeric; aNorm += a * a
        }
        let rel = diff.squareRoot() / max(nNorm.squareRoot(), aNorm.squareRoot(), floor)
        XCTAssertGreaterThan(max(nNorm, aNorm), floor * floor, "\(name): gradient is zero, the check would be empty",
                             file: file, line: line)
        XCTAssertLessThan(rel, tolerance, "\(name): relative error \(rel) (‖numeric‖ \(nNorm.squareRoot()), ‖analytic‖ \(aNorm.squareRoot()))",
                          file: file, line: line)
    }
}

/// Random buffers for the checks.
func randomBuffer(_ count: Int, std: Float, seed: UInt64, mean: Float = 0) -> FloatBuffer {
    var rng = SeededRandom(seed: seed)
    let b = FloatBuffer(count: count)
    for i in 0..<count { b.pointer[i] = mean + std * rng.normal() }
    return b
}

/// Σ r·y in Double: the scalar the checks differentiate.
func weightedSum(_ y: UnsafePointer<Float>, _ r: FloatBuffer) -> Double {
    var s = 0.0
    for i in 0..<r.count { s += Double(y[i]) * Double(r.pointer[i]) }
    return s
}

/// Σ r·y for a buffer (kept alive while it is read).
func weightedSum(_ y: FloatBuffer, _ r: FloatBuffer) -> Double {
    withExtendedLifetime(y) { weightedSum(y.pointer, r) }
}
