// ============================================================================================
// TEMPORARY — DELETE THIS FILE WHEN THE IMAGING BRANCH IS MERGED.
// A stand-in for Imaging's Pillow-compatible preprocessing (resizeBicubic, resizeShorterSide,
// clipPreprocess), with the same names and signatures, so that Media's callers (`clipdex frames
// --size`, `clipdex bench decode`, MediaTests) compile before Imaging has them. Once Imaging provides
// them, deleting this file switches every caller to the one shared implementation; nothing else changes.
// ============================================================================================
import Imaging

/// Pillow 9.4 `Image.resize((width, height), BICUBIC)` of an RGB image (antialiased when shrinking).
public func resizeBicubic(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    var pixels = image.pixels, w = image.width
    if width != image.width {
        pixels = TemporaryPillow.pass(pixels, width: w, height: image.height, outLength: width, horizontal: true)
        w = width
    }
    if height != image.height {
        pixels = TemporaryPillow.pass(pixels, width: w, height: image.height, outLength: height, horizontal: false)
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// Bicubic resize so the shorter side is `size`, the other `int(size * long / short)`.
public func resizeShorterSide(_ image: RGBImage, to size: Int) -> RGBImage {
    let short = min(image.width, image.height), long = max(image.width, image.height)
    let other = Int(Double(size * long) / Double(short))
    return image.width <= image.height ? resizeBicubic(image, width: size, height: other)
                                       : resizeBicubic(image, width: other, height: size)
}

/// CLIP preprocessing: shorter side to `size`, centre crop `size`², `(v/255 - mean)/std` → out [3, size, size].
public func clipPreprocess(_ image: RGBImage, size: Int, mean: [Float], std: [Float], into out: UnsafeMutablePointer<Float>) {
    let resized = resizeShorterSide(image, to: size)
    let left = Int((Double(resized.width - size) / 2).rounded(.toNearestOrEven))
    let top = Int((Double(resized.height - size) / 2).rounded(.toNearestOrEven))
    for c in 0..<3 {
        for y in 0..<size {
            for x in 0..<size {
                let v = Float(Double(resized.pixels[((top + y) * resized.width + left + x) * 3 + c]) * (1.0 / 255.0))
                out[(c * size + y) * size + x] = (v - mean[c]) / std[c]
            }
        }
    }
}

private enum TemporaryPillow {
    static let precisionBits = 22

    static func cubic(_ v: Double) -> Double {
        let a = -0.5, x = abs(v)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// Per output index: first input tap and 22-bit fixed-point weights.
    static func coefficients(inLength: Int, outLength: Int) -> [(start: Int, weights: [Int32])] {
        let scale = Double(inLength) / Double(outLength)
        let filterScale = max(scale, 1)
        let support = 2 * filterScale
        return (0..<outLength).map { i in
            let center = (Double(i) + 0.5) * scale
            let lo = max(0, Int(center - support + 0.5)), hi = min(inLength, Int(center + support + 0.5))
            var w = (lo..<hi).map { cubic((Double($0) - center + 0.5) / filterScale) }
            let sum = w.reduce(0, +)
            if sum != 0 { w = w.map { $0 / sum } }
            let one = Double(1 << precisionBits)
            return (lo, w.map { Int32(($0 < 0 ? -0.5 : 0.5) + $0 * one) })
        }
    }

    static func pass(_ src: [UInt8], width: Int, height: Int, outLength: Int, horizontal: Bool) -> [UInt8] {
        let coeffs = coefficients(inLength: horizontal ? width : height, outLength: outLength)
        let outW = horizontal ? outLength : width, outH = horizontal ? height : outLength
        var out = [UInt8](repeating: 0, count: outW * outH * 3)
        for y in 0..<outH {
            for x in 0..<outW {
                let (start, weights) = coeffs[horizontal ? x : y]
                for c in 0..<3 {
                    var sum = Int64(1 << (precisionBits - 1))
                    for (j, k) in weights.enumerated() {
                        let i = horizontal ? (y * width + start + j) : ((start + j) * width + x)
                        sum += Int64(src[i * 3 + c]) * Int64(k)
                    }
                    out[(y * outW + x) * 3 + c] = UInt8(clamping: sum >> Int64(precisionBits))
                }
            }
        }
        return out
    }
}
