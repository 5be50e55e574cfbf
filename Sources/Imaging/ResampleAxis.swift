/// Pillow's bicubic kernel (a = −0.5, support 2), written in the same operation order as
/// Pillow 9.4's `bicubic_filter` so that the double-precision weights come out bit-identical.
@inline(__always)
func bicubicKernel(_ t: Double) -> Double {
    let a = -0.5
    let x = t < 0 ? -t : t
    if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
    if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
    return 0
}

/// Fixed-point precision of the resampling weights: 32 bits − 8 (pixel) − 2 (headroom), as in Pillow.
let resamplePrecisionBits: Int32 = 22

/// The filter taps of one resampling axis (source length → destination length), for the destination
/// indices `window` only: output `i` (0-based inside the window) reads source samples
/// `start[i] ..< start[i] + count[i]` with weights `weights[i * taps ..< i * taps + count[i]]`.
///
/// Built once per (source size, destination size) and reused across images of that size.
/// Mirrors Pillow 9.4's `precompute_coeffs` + `normalize_coeffs_8bpc`: when shrinking, the kernel
/// is stretched by the scale (antialiasing); weights are normalised to sum 1 in double precision,
/// then rounded half away from zero to 22-bit fixed point.
struct ResampleAxis: Sendable {
    /// Source and destination lengths of the whole axis.
    let source: Int
    let destination: Int
    /// The destination indices this axis computes.
    let window: Range<Int>
    /// Stride between outputs in `weights` (Pillow's `ksize`).
    let taps: Int
    /// Per output in the window: first source index and number of taps.
    let start: [Int32]
    let count: [Int32]
    /// Per output: `taps` fixed-point weights, zero past `count`.
    let weights: [Int32]

    /// Whether this axis changes anything: Pillow skips the pass entirely when the length is unchanged.
    var isIdentity: Bool { source == destination }

    /// The source range the window's outputs read: the rows (or columns) a pass must have available.
    var sourceSpan: Range<Int> {
        guard let first = start.first, let lastStart = start.last, let lastCount = count.last else { return 0..<0 }
        return Int(first)..<Int(lastStart + lastCount)
    }

    init(source: Int, destination: Int, window: Range<Int>? = nil) {
        precondition(source > 0 && destination > 0, "resample axis \(source) → \(destination) needs positive lengths")
        let window = window ?? 0..<destination
        precondition(window.lowerBound >= 0 && window.upperBound <= destination, "window \(window) outside 0..<\(destination)")
        self.source = source
        self.destination = destination
        self.window = window

        let scale = Double(source) / Double(destination)
        let filterScale = max(scale, 1.0)
        let support = 2.0 * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        self.taps = taps

        var start = [Int32](repeating: 0, count: window.count)
        var count = [Int32](repeating: 0, count: window.count)
        var weights = [Int32](repeating: 0, count: window.count * taps)
        var k = [Double](repeating: 0, count: taps)
        let inverse = 1.0 / filterScale
        for (slot, i) in window.enumerated() {
            let center = (Double(i) + 0.5) * scale
            let lo = max(Int(center - support + 0.5), 0)
            let hi = min(Int(center + support + 0.5), source)
            let n = hi - lo
            var total = 0.0
            for t in 0..<n {
                let w = bicubicKernel((Double(t + lo) - center + 0.5) * inverse)
                k[t] = w
                total += w
            }
            for t in 0..<n {
                let w = total != 0 ? k[t] / total : k[t]
                let scaled = w * Double(1 << resamplePrecisionBits)
                weights[slot * taps + t] = Int32(w < 0 ? -0.5 + scaled : 0.5 + scaled)
            }
            start[slot] = Int32(lo)
            count[slot] = Int32(n)
        }
        self.start = start
        self.count = count
        self.weights = weights
    }
}

/// Pillow's `clip8`: a fixed-point accumulator (which already holds the rounding half) to 0…255.
@inline(__always)
func clip8(_ sum: Int32) -> UInt8 {
    if sum >= (Int32(1) << (resamplePrecisionBits + 8)) { return 255 }
    if sum <= 0 { return 0 }
    return UInt8(truncatingIfNeeded: sum >> resamplePrecisionBits)
}
