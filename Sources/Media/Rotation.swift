import Imaging

extension RGBImage {
    /// The image turned clockwise by `degrees` (0, 90, 180 or 270), as a player displays a rotated stream.
    /// A pure pixel permutation, the same as FFmpeg's transpose/hflip+vflip filters.
    func rotatedClockwise(_ degrees: Int) -> RGBImage {
        let w = width, h = height
        switch degrees {
        case 90, 180, 270:
            let outW = degrees == 180 ? w : h, outH = degrees == 180 ? h : w
            var out = [UInt8](repeating: 0, count: w * h * 3)
            pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    let s = src.baseAddress!, d = dst.baseAddress!
                    for y in 0..<h {
                        for x in 0..<w {
                            // Destination (dx, dy) of source (x, y).
                            let (dx, dy) = degrees == 90 ? (h - 1 - y, x) : degrees == 180 ? (w - 1 - x, h - 1 - y) : (y, w - 1 - x)
                            let si = (y * w + x) * 3, di = (dy * outW + dx) * 3
                            d[di] = s[si]; d[di + 1] = s[si + 1]; d[di + 2] = s[si + 2]
                        }
                    }
                }
            }
            return RGBImage(width: outW, height: outH, pixels: out)
        default:
            return self
        }
    }
}
