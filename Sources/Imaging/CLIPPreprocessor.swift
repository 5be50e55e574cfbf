/// CLIP's image preprocessing for images of one size, built once and reused for every frame of a video.
///
/// Steps (as Hugging Face's CLIPImageProcessor with Pillow 9.4): bicubic resize so the shorter side is
/// `size` (the other `int(size * long / short)`), centre crop `size`×`size` at
/// `round((dim - size) / 2)`, RGB / 255, `(x - mean) / std` per channel → float32 CHW [3, size, size].
/// Only the cropped part of the resized image is computed (same bytes as resize-then-crop), and the
/// scaling + normalisation is one table lookup per sample.
public struct CLIPPreprocessor: Sendable {
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let size: Int
    let resampler: Resampler
    /// [3 × 256]: normalised value of byte `v` in channel `c` at `c * 256 + v`.
    let table: [Float]

    /// Floats written per image: 3 × size × size.
    public var outputCount: Int { 3 * size * size }

    public init(sourceWidth: Int, sourceHeight: Int, size: Int, mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3, "CLIP preprocessing wants 3 means and 3 stds, got \(mean) and \(std)")
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.size = size
        let target = shorterSideTarget(width: sourceWidth, height: sourceHeight, size: size)
        let left = centerCropOffset(length: target.width, crop: size)
        let top = centerCropOffset(length: target.height, crop: size)
        resampler = Resampler(sourceWidth: sourceWidth, sourceHeight: sourceHeight,
                              targetWidth: target.width, targetHeight: target.height,
                              columns: left..<(left + size), rows: top..<(top + size))
        table = normalizationTable(mean: mean, std: std)
    }

    /// Preprocesses `image` (of the source size) into `out`, which must hold `outputCount` floats.
    public func callAsFunction(_ image: RGBImage, into out: UnsafeMutablePointer<Float>) {
        precondition(image.width == sourceWidth && image.height == sourceHeight,
                     "CLIPPreprocessor built for \(sourceWidth)×\(sourceHeight) got a \(image.width)×\(image.height) image")
        image.pixels.withUnsafeBufferPointer { callAsFunction(pixels: $0.baseAddress!, rowBytes: sourceWidth * 3, into: out) }
    }

    /// Preprocesses raw RGB24 pixels whose rows are `rowBytes` apart (e.g. a decoder frame's linesize).
    ///   pixels [sourceHeight, rowBytes ≥ sourceWidth × 3] → out [3, size, size]
    public func callAsFunction(pixels: UnsafePointer<UInt8>, rowBytes: Int, into out: UnsafeMutablePointer<Float>) {
        let plane = size * size
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: plane * 3) { crop in
            let c = crop.baseAddress!
            resampler.resample(pixels: pixels, rowBytes: rowBytes, into: c, outputRowBytes: size * 3)
            table.withUnsafeBufferPointer { t in
                let lut = t.baseAddress!
                for channel in 0..<3 {
                    let o = out + channel * plane, l = lut + channel * 256
                    for i in 0..<plane { o[i] = l[Int(c[i * 3 + channel])] }
                }
            }
        }
    }
}

/// Per channel, the normalised float of each byte value, computed as the reference does in float32:
/// `Float(v * (1/255))` (rescale in double, stored as float), then `(x - mean) / std` in float.
func normalizationTable(mean: [Float], std: [Float]) -> [Float] {
    var table = [Float](repeating: 0, count: 3 * 256)
    for c in 0..<3 {
        for v in 0..<256 {
            let x = Float(Double(v) * (1.0 / 255.0))
            table[c * 256 + v] = (x - mean[c]) / std[c]
        }
    }
    return table
}

/// CLIP preprocessing of one image into `out` ([3, size, size] float32, channel-major).
/// For many images of one size (video frames) build a `CLIPPreprocessor` once instead.
public func clipPreprocess(_ image: RGBImage, size: Int, mean: [Float], std: [Float], into out: UnsafeMutablePointer<Float>) {
    CLIPPreprocessor(sourceWidth: image.width, sourceHeight: image.height, size: size, mean: mean, std: std)(image, into: out)
}

/// CLIP preprocessing of one image, returned as a new [3 × size × size] array (channel-major).
public func clipPreprocess(_ image: RGBImage, size: Int, mean: [Float], std: [Float]) -> [Float] {
    [Float](unsafeUninitializedCapacity: 3 * size * size) { buffer, count in
        clipPreprocess(image, size: size, mean: mean, std: std, into: buffer.baseAddress!)
        count = 3 * size * size
    }
}

/// OpenAI CLIP's normalisation constants (RGB), the defaults of every released CLIP checkpoint.
public enum CLIPNormalization {
    public static let mean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    public static let std: [Float] = [0.26862954, 0.26130258, 0.27577711]
}
