/// A floating-point RGB frame the renderer paints into before it is quantised to 8 bits.
public struct Raster: Sendable {
    public let width: Int
    public let height: Int
    /// Interleaved R, G, B, rows top to bottom, values nominally in 0...255.
    public var values: [Float]

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        values = [Float](repeating: 0, count: width * height * 3)
    }

    /// The visible square: side and top-left corner in pixels (WORLD.md).
    public var square: (side: Double, left: Double, top: Double) {
        let side = Double(min(width, height))
        return (side, (Double(width) - side) / 2, (Double(height) - side) / 2)
    }

    /// Rounds and clamps to 8-bit RGB.
    public func bytes() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<src.count { dst[i] = UInt8(min(255, max(0, src[i] + 0.5))) }
            }
        }
        return out
    }

    /// Paints one shape with 3×3 supersampled coverage (anti-aliased edges), blended by its opacity.
    public mutating func paint(_ s: ObjectState) {
        guard s.opacity > 0 else { return }
        let (side, left, top) = square
        let size = s.extent * side
        let cx = left + s.cx * side, cy = top + s.cy * side
        let half = 0.75 * size + 2
        let x0 = max(0, Int(cx - half)), x1 = min(width, Int(cx + half) + 1)
        let y0 = max(0, Int(cy - half)), y1 = min(height, Int(cy + half) + 1)
        guard x0 < x1, y0 < y1 else { return }
        let a = SynthMath.radians(s.rotation), ca = SynthMath.cos(a), sa = SynthMath.sin(a)
        let colour = [Float(s.colour.r), Float(s.colour.g), Float(s.colour.b)]
        let w = width
        values.withUnsafeMutableBufferPointer { px in
            for y in y0..<y1 {
                for x in x0..<x1 {
                    var hits = 0
                    for sy in 0..<3 {
                        let dy = (Double(y) + (Double(sy) + 0.5) / 3 - cy) / size
                        for sx in 0..<3 {
                            let dx = (Double(x) + (Double(sx) + 0.5) / 3 - cx) / size
                            if s.shape.contains(ca * dx + sa * dy, -sa * dx + ca * dy) { hits += 1 }
                        }
                    }
                    guard hits > 0 else { continue }
                    let cover = Float(hits) / 9 * Float(s.opacity), i = (y * w + x) * 3
                    for c in 0..<3 { px[i + c] += cover * (colour[c] - px[i + c]) }
                }
            }
        }
    }
}
