/// Sine and cosine from + and × only (range reduction and a Taylor series), so geometry is
/// bit-identical on every platform, unlike the C library's versions. Accurate to ~1e-12.
enum SynthMath {
    static func sin(_ x: Double) -> Double {
        let twoPi = 2 * Double.pi
        var r = x - (x / twoPi).rounded() * twoPi          // [-π, π]
        if r > Double.pi / 2 { r = Double.pi - r } else if r < -Double.pi / 2 { r = -Double.pi - r }
        let r2 = r * r
        var term = r, sum = r
        for k in 1...10 {
            term *= -r2 / Double((2 * k) * (2 * k + 1))
            sum += term
        }
        return sum
    }

    static func cos(_ x: Double) -> Double { sin(x + Double.pi / 2) }

    static func radians(_ degrees: Double) -> Double { degrees * Double.pi / 180 }
}
