/// An RGB colour as floats in 0...255 (the renderer blends in floating point).
public struct RGB: Sendable, Equatable {
    public var r: Double, g: Double, b: Double
    public init(_ r: Double, _ g: Double, _ b: Double) { self.r = r; self.g = g; self.b = b }

    /// Euclidean distance in RGB, as WORLD.md measures background contrast.
    public func distance(to o: RGB) -> Double {
        let dr = r - o.r, dg = g - o.g, db = b - o.b
        return (dr * dr + dg * dg + db * db).squareRoot()
    }

    /// Rec. 709 luma, used to tell light colours from dark ones.
    public var luma: Double { 0.2126 * r + 0.7152 * g + 0.0722 * b }

    /// The colour `t` of the way towards `o`.
    public func mix(_ o: RGB, _ t: Double) -> RGB { RGB(r + (o.r - r) * t, g + (o.g - g) * t, b + (o.b - b) * t) }

    func clamped() -> RGB { RGB(min(255, max(0, r)), min(255, max(0, g)), min(255, max(0, b))) }
}

/// The colour words of the shapes world with their canonical RGB (WORLD.md's table).
public enum ShapeColour: String, CaseIterable, Sendable {
    case red, green, blue, yellow, white, black, orange, purple, pink

    /// The canonical value from WORLD.md; the generator jitters it a little per video.
    public var canonical: RGB {
        switch self {
        case .red: RGB(220, 30, 30)
        case .green: RGB(30, 170, 40)
        case .blue: RGB(30, 70, 230)
        case .yellow: RGB(250, 220, 20)
        case .white: RGB(245, 245, 245)
        case .black: RGB(15, 15, 15)
        case .orange: RGB(255, 140, 0)
        case .purple: RGB(140, 40, 180)
        case .pink: RGB(255, 120, 190)
        }
    }

    /// Dark colours (luma ≤ 75) that `brighten` starts from and `darken` ends on.
    public static let dark: [ShapeColour] = [.black, .blue, .purple, .red]
    /// Light colours (luma ≥ 150) that `brighten` ends on and `darken` starts from.
    public static let light: [ShapeColour] = [.white, .yellow, .pink, .orange]

    /// The canonical colour with a small per-channel jitter (σ ≈ 8; training used up to 18).
    func sample(_ rng: inout SynthRNG) -> RGB {
        let c = canonical
        return RGB(c.r + 8 * rng.normal(), c.g + 8 * rng.normal(), c.b + 8 * rng.normal()).clamped()
    }
}
