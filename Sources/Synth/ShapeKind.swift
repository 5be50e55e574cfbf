/// The shape words of the shapes world, with WORLD.md's inside tests at canonical parameters.
public enum ShapeKind: String, CaseIterable, Sendable {
    case circle, square, triangle, star, ring, cross, diamond, hexagon

    /// Shapes that look different when rotated (what `spin` may use).
    public static let spinnable: [ShapeKind] = [.square, .triangle, .star, .cross, .diamond, .hexagon]

    /// Whether the point (x, y), in units of the shape's extent with the origin at its centre and
    /// y pointing down, lies inside the shape.
    @inline(__always)
    public func contains(_ x: Double, _ y: Double) -> Bool {
        switch self {
        case .circle: return x * x + y * y <= 0.25
        case .ring:
            let r2 = x * x + y * y
            return r2 <= 0.25 && r2 >= 0.09                       // inner radius 0.5·0.6
        case .square: return abs(x) <= 0.5 && abs(y) <= 0.5
        case .diamond: return abs(x) / 0.375 + abs(y) / 0.5 <= 1   // width 0.75
        case .cross:
            let ax = abs(x), ay = abs(y)
            return (ax <= 0.17 && ay <= 0.5) || (ay <= 0.17 && ax <= 0.5)
        case .triangle: return Self.inside(x, y, Self.triangleVertices)
        case .hexagon: return Self.inside(x, y, Self.hexagonVertices)
        case .star: return Self.inside(x, y, Self.starVertices)
        }
    }

    /// Even–odd point-in-polygon test over (x, y) vertex pairs.
    @inline(__always)
    static func inside(_ x: Double, _ y: Double, _ v: [(Double, Double)]) -> Bool {
        var inside = false
        var j = v.count - 1
        for i in 0..<v.count {
            let (x1, y1) = v[j], (x2, y2) = v[i]
            if (y1 > y) != (y2 > y), x < (x2 - x1) * (y - y1) / (y2 - y1) + x1 { inside.toggle() }
            j = i
        }
        return inside
    }

    static let triangleVertices: [(Double, Double)] = {
        let h = 3.0.squareRoot() / 2
        return [(0, -h / 2), (0.5, h / 2), (-0.5, h / 2)]
    }()

    static let hexagonVertices: [(Double, Double)] = (0..<6).map { i in
        let a = Double(i) * Double.pi / 3
        return (0.5 * SynthMath.cos(a), 0.5 * SynthMath.sin(a))
    }

    /// Five points, one up, inner radius 0.45, shifted down so its box is centred.
    static let starVertices: [(Double, Double)] = (0..<10).map { i in
        let a = -Double.pi / 2 + Double(i) * Double.pi / 5
        let r = i % 2 == 0 ? 0.5 : 0.225
        let shift = 0.5 * (1 - SynthMath.cos(Double.pi / 5)) / 2
        return (r * SynthMath.cos(a), r * SynthMath.sin(a) + shift)
    }
}
