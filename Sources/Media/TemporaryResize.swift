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
    TemporaryPillow.resize(image, width: width, height: height, columns: 0..<width, rows: 0..<height)
}

/// Bicubic resize so the shorter side is `size`, the other `int(size * long / short)`.
public func resizeShorterSide(_ image: RGBImage, to size: Int) -> RGBImage {
    let short = min(image.width, image.height), long = max(image.width, image.height)
    let other = Int(Double(size * long) / Double(short))
    return image.width <= image.height ? resizeBicubic(image, width: size, height: other)
                                       : resizeBicubic(image, width: other, height: size)
}

/// CLIP preprocessing: shorter side to `size`, centre crop `size`², `(v/255 - mean)/std` → out [3, size, size].
/// Only the cropped part of the resized image is computed (the same bytes as resize-then-crop).
public func clipPreprocess(_ image: RGBImage, size: Int, mean: [Float], std: [Float], into out: UnsafeMutablePointer<Float>) {
    let short = min(image.width, image.height), long = max(image.width, image.height)
    let other = Int(Double(size * long) / Double(short))
    let (w, h) = image.width <= image.height ? (size, other) : (other, size)
    let left = Int((Double(w - size) / 2).rounded(.toNearestOrEven))
    let top = Int((Double(h - size) / 2).rounded(.toNearestOrEven))
    let crop = TemporaryPillow.resize(image, width: w, height: h, columns: left..<(left + size), rows: top..<(top + size))
    for c in 0..<3 {
        for i in 0..<(size * size) {
            let v = Float(Double(crop.pixels[i * 3 + c]) * (1.0 / 255.0))
            out[c * size * size + i] = (v - mean[c]) / std[c]
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

    /// Per output index: first input tap and tap count; all weights (22-bit fixed point) in one array.
    static func coefficients(inLength: Int, outLength: Int) -> (starts: [Int], counts: [Int], taps: Int, weights: [Int32]) {
        let scale = Double(inLength) / Double(outLength)
        let filterScale = max(scale, 1)
        let support = 2 * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var starts = [Int](repeating: 0, count: outLength), counts = starts
        var weights = [Int32](repeating: 0, count: outLength * taps)
        let one = Double(1 << precisionBits)
        for i in 0..<outLength {
            let center = (Double(i) + 0.5) * scale
            let lo = max(0, Int(center - support + 0.5)), hi = min(inLength, Int(center + support + 0.5))
            var w = (lo..<hi).map { cubic((Double($0) - center + 0.5) / filterScale) }
            let sum = w.reduce(0, +)
            if sum != 0 { w = w.map { $0 / sum } }
            starts[i] = lo
            counts[i] = hi - lo
            for (j, v) in w.enumerated() { weights[i * taps + j] = Int32((v < 0 ? -0.5 : 0.5) + v * one) }
        }
        return (starts, counts, taps, weights)
    }

    /// Resize to width×height, computing only `columns` × `rows` of the result (returned as an image of that size).
    static func resize(_ image: RGBImage, width: Int, height: Int, columns: Range<Int>, rows: Range<Int>) -> RGBImage {
        var pixels = image.pixels, w = image.width
        if width != image.width || columns.count != width {
            pixels = pass(pixels, width: w, height: image.height, outLength: width, window: columns, horizontal: true)
            w = columns.count
        }
        if height != image.height || rows.count != height {
            pixels = pass(pixels, width: w, height: image.height, outLength: height, window: rows, horizontal: false)
        }
        return RGBImage(width: columns.count, height: rows.count, pixels: pixels)
    }

    /// One axis of the resize, evaluated only at output positions `window`.
    static func pass(_ src: [UInt8], width: Int, height: Int, outLength: Int, window: Range<Int>, horizontal: Bool) -> [UInt8] {
        let c = coefficients(inLength: horizontal ? width : height, outLength: outLength)
        let outW = horizontal ? window.count : width, outH = horizontal ? height : window.count
        var out = [UInt8](repeating: 0, count: outW * outH * 3)
        src.withUnsafeBufferPointer { sp in
            out.withUnsafeMutableBufferPointer { op in
                c.weights.withUnsafeBufferPointer { wp in
                    let s = sp.baseAddress!, o = op.baseAddress!, w = wp.baseAddress!
                    let tapStride = horizontal ? 3 : width * 3     // bytes from one tap to the next
                    for y in 0..<outH {
                        for x in 0..<outW {
                            let k = horizontal ? window.lowerBound + x : window.lowerBound + y
                            let first = horizontal ? (y * width + c.starts[k]) * 3 : (c.starts[k] * width + x) * 3
                            let kw = w + k * c.taps
                            for ch in 0..<3 {
                                var sum = Int32(1 << (precisionBits - 1))
                                var p = s + first + ch
                                for j in 0..<c.counts[k] { sum &+= Int32(p.pointee) &* kw[j]; p += tapStride }
                                o[(y * outW + x) * 3 + ch] = UInt8(clamping: sum >> Int32(precisionBits))
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
