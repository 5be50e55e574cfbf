/// A video's background (WORLD.md "Backgrounds"): a base colour, flat or with a gradient or a
/// blotchy texture, plus pixel noise drawn afresh every frame. The base colour, the gradient's
/// direction and the blotches drift over the video, so the background changes while shapes idle.
public struct Background: Sendable {
    public enum Kind: String, Sendable { case flat, gradient, blotchy }

    public var kind: Kind
    public var base0: RGB, base1: RGB
    var gradientTo = RGB(0, 0, 0)
    var angle0 = 0.0, angle1 = 0.0
    var grid = (w: 2, h: 2)
    var blotch0: [Float] = [], blotch1: [Float] = []
    /// Noise σ in 0...255 units (already scaled for the frame size); 0 = none.
    public var noise: Double
    var greyNoise = false
    var uniformNoise = false
    /// Noise over the shapes too (true) or only on the background.
    public var noiseOverShapes: Bool

    /// Draws a background far (RGB distance > 90) from every colour in `avoid`, for frames whose
    /// short side is `shortSide` pixels.
    public init(_ rng: inout SynthRNG, avoid: [RGB], shortSide: Int) {
        (base0, base1) = Self.bases(&rng, avoid: avoid)
        let k = rng.unit()
        kind = k < 0.5 ? .flat : (k < 0.8 ? .gradient : .blotchy)
        gradientTo = RGB(base0.r + 40 * rng.normal(), base0.g + 40 * rng.normal(), base0.b + 40 * rng.normal()).clamped()
        angle0 = rng.uniform(0, 2 * Double.pi)
        angle1 = angle0 + rng.uniform(-1, 1)
        grid = (2 + rng.int(6), 2 + rng.int(6))
        let sigma = rng.uniform(8, 30), grey = rng.chance(0.5)
        blotch0 = Self.blotches(&rng, grid.w * grid.h, sigma: sigma, grey: grey)
        blotch1 = Self.blotches(&rng, grid.w * grid.h, sigma: sigma, grey: grey)
        let n = rng.unit()
        let strength = n < 0.1 ? 0 : (n < 0.4 ? rng.uniform(2, 15) : (n < 0.8 ? rng.uniform(10, 40) : rng.uniform(30, 70)))
        noise = strength * min(1, Double(shortSide) / 128)
        greyNoise = rng.chance(0.3)
        uniformNoise = rng.chance(0.3)
        noiseOverShapes = rng.chance(0.5)
    }

    /// Start and end base colours: grey or any colour, redrawn (up to 20 times) until the whole
    /// drift between them stays more than 90 away from the shapes' colours.
    static func bases(_ rng: inout SynthRNG, avoid: [RGB]) -> (RGB, RGB) {
        var best = (RGB(128, 128, 128), RGB(128, 128, 128)), bestMargin = -1.0
        for _ in 0..<20 {
            let a: RGB
            if rng.chance(0.5) { let g = rng.uniform(40, 215); a = RGB(g, g, g) } else {
                a = RGB(rng.uniform(20, 235), rng.uniform(20, 235), rng.uniform(20, 235))
            }
            let b = RGB(a.r + 25 * rng.normal(), a.g + 25 * rng.normal(), a.b + 25 * rng.normal()).clamped()
            let margin = (0...4).map { a.mix(b, Double($0) / 4) }.flatMap { p in avoid.map { p.distance(to: $0) } }.min() ?? 999
            if margin > bestMargin { best = (a, b); bestMargin = margin }
            if margin > 90 { break }
        }
        return best
    }

    static func blotches(_ rng: inout SynthRNG, _ n: Int, sigma: Double, grey: Bool) -> [Float] {
        (0..<n).flatMap { _ -> [Float] in
            let g = Float(sigma * rng.normal())
            return grey ? [g, g, g] : [g, Float(sigma * rng.normal()), Float(sigma * rng.normal())]
        }
    }

    /// Fills `raster` with the background at `f` (0 = first frame, 1 = last), without noise.
    public func fill(_ raster: inout Raster, at f: Double) {
        let base = base0.mix(base1, f)
        let b = [Float(base.r), Float(base.g), Float(base.b)]
        let w = raster.width, h = raster.height
        switch kind {
        case .flat:
            raster.values.withUnsafeMutableBufferPointer { px in
                for i in 0..<(w * h) { px[3 * i] = b[0]; px[3 * i + 1] = b[1]; px[3 * i + 2] = b[2] }
            }
        case .gradient: fillGradient(&raster, base: b, angle: angle0 + (angle1 - angle0) * f)
        case .blotchy: fillBlotchy(&raster, base: b, f: Float(f))
        }
    }

    private func fillGradient(_ raster: inout Raster, base b: [Float], angle: Double) {
        let w = raster.width, h = raster.height, m = Double(max(w, h))
        let ca = SynthMath.cos(angle) / m, sa = SynthMath.sin(angle) / m
        // t over the frame, normalised to 0...1 between its extreme corners
        let corners = [(0.0, 0.0), (Double(w - 1), 0.0), (0.0, Double(h - 1)), (Double(w - 1), Double(h - 1))].map { $0.0 * ca + $0.1 * sa }
        let lo = corners.min()!, span = max(1e-6, corners.max()! - lo)
        let d = [Float(gradientTo.r) - b[0], Float(gradientTo.g) - b[1], Float(gradientTo.b) - b[2]]
        raster.values.withUnsafeMutableBufferPointer { px in
            for y in 0..<h {
                for x in 0..<w {
                    let t = Float((Double(x) * ca + Double(y) * sa - lo) / span), i = (y * w + x) * 3
                    px[i] = b[0] + t * d[0]; px[i + 1] = b[1] + t * d[1]; px[i + 2] = b[2] + t * d[2]
                }
            }
        }
    }

    private func fillBlotchy(_ raster: inout Raster, base b: [Float], f: Float) {
        let w = raster.width, h = raster.height, gw = grid.w, gh = grid.h
        let blot = zip(blotch0, blotch1).map { $0 + ($1 - $0) * f }
        raster.values.withUnsafeMutableBufferPointer { px in
            for y in 0..<h {
                let gy = min(Float(gh - 1), max(0, (Float(y) + 0.5) * Float(gh) / Float(h) - 0.5))
                let y0 = min(gh - 2, Int(gy)), ty = gy - Float(y0)
                for x in 0..<w {
                    let gx = min(Float(gw - 1), max(0, (Float(x) + 0.5) * Float(gw) / Float(w) - 0.5))
                    let x0 = min(gw - 2, Int(gx)), tx = gx - Float(x0), i = (y * w + x) * 3
                    for c in 0..<3 {
                        let a = blot[(y0 * gw + x0) * 3 + c], bb = blot[(y0 * gw + x0 + 1) * 3 + c]
                        let cc = blot[((y0 + 1) * gw + x0) * 3 + c], dd = blot[((y0 + 1) * gw + x0 + 1) * 3 + c]
                        let top = a + (bb - a) * tx, bottom = cc + (dd - cc) * tx
                        px[i + c] = b[c] + top + (bottom - top) * ty
                    }
                }
            }
        }
    }

    /// Adds this frame's pixel noise; `rng` decides where in the shared noise table each row reads.
    public func addNoise(_ raster: inout Raster, _ rng: inout SynthRNG) {
        guard noise > 0 else { return }
        let table = uniformNoise ? NoiseTable.uniform : NoiseTable.normal
        let mask = NoiseTable.count - 1, s = Float(noise), w = raster.width
        for y in 0..<raster.height {
            let start = rng.int(NoiseTable.count), row = y * w * 3
            raster.values.withUnsafeMutableBufferPointer { px in
                for x in 0..<w {
                    let i = row + 3 * x
                    if greyNoise {
                        let n = s * table[(start + x) & mask]
                        px[i] += n; px[i + 1] += n; px[i + 2] += n
                    } else {
                        for c in 0..<3 { px[i + c] += s * table[(start + 3 * x + c) & mask] }
                    }
                }
            }
        }
    }
}

/// Precomputed unit-variance noise (fixed seed): per-frame noise reads rows from random offsets,
/// which is far cheaper than drawing every pixel and looks the same to the eye and the model.
enum NoiseTable {
    static let count = 1 << 16
    static let normal: [Float] = {
        var rng = SynthRNG(seed: 0x5EED_0F_401_5E)
        return (0..<count).map { _ in Float(rng.normal()) }
    }()
    /// Uniform noise of the same spread as WORLD.md's (±1.7σ).
    static let uniform: [Float] = {
        var rng = SynthRNG(seed: 0x5EED_0F_4A1F)
        return (0..<count).map { _ in Float(rng.uniform(-1.7, 1.7)) }
    }()
}
