/// A Pillow-compatible bicubic resize of RGB images of one fixed size, optionally computing only a
/// window (a crop) of the resized image.
///
/// Built once per (source size, target size, window): the filter coefficients are precomputed, so
/// resizing many frames of a video costs only the two integer passes. Computing a window gives the
/// same bytes as resizing fully and cropping afterwards, because each output pixel depends only on
/// its own taps. Matches Pillow 9.4's `Image.resize(size, Image.BICUBIC)` on RGB images:
/// horizontal pass first into an 8-bit image (rounded and clamped), then the vertical pass, each
/// skipped when its axis keeps its length; only the source rows the vertical pass needs are
/// resampled horizontally.
public struct Resampler: Sendable {
    /// Source image size.
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// Size of the full resized image.
    public let targetWidth: Int
    public let targetHeight: Int
    /// The part of the resized image produced: columns `columns`, rows `rows`.
    public let columns: Range<Int>
    public let rows: Range<Int>

    let horizontal: ResampleAxis
    let vertical: ResampleAxis

    /// - Parameters: `columns`/`rows` select the window of the resized image to compute (default: all).
    public init(sourceWidth: Int, sourceHeight: Int, targetWidth: Int, targetHeight: Int,
                columns: Range<Int>? = nil, rows: Range<Int>? = nil) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        horizontal = ResampleAxis(source: sourceWidth, destination: targetWidth, window: columns)
        vertical = ResampleAxis(source: sourceHeight, destination: targetHeight, window: rows)
        self.columns = horizontal.window
        self.rows = vertical.window
    }

    /// Width and height of the output window.
    public var outputWidth: Int { columns.count }
    public var outputHeight: Int { rows.count }

    /// Resamples `image` (which must have the source size) into a new image of the window's size.
    public func resample(_ image: RGBImage) -> RGBImage {
        precondition(image.width == sourceWidth && image.height == sourceHeight,
                     "Resampler built for \(sourceWidth)×\(sourceHeight) got a \(image.width)×\(image.height) image")
        var out = [UInt8](repeating: 0, count: outputWidth * outputHeight * 3)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                resample(pixels: src.baseAddress!, rowBytes: sourceWidth * 3,
                         into: dst.baseAddress!, outputRowBytes: outputWidth * 3)
            }
        }
        return RGBImage(width: outputWidth, height: outputHeight, pixels: out)
    }

    /// Resamples raw interleaved RGB24 pixels: source rows `rowBytes` apart (≥ width × 3, so decoder
    /// frames with padded lines need no copy), output window rows `outputRowBytes` apart.
    public func resample(pixels src: UnsafePointer<UInt8>, rowBytes: Int,
                         into dst: UnsafeMutablePointer<UInt8>, outputRowBytes: Int) {
        precondition(rowBytes >= sourceWidth * 3 && outputRowBytes >= outputWidth * 3, "row strides too small")
        switch (horizontal.isIdentity, vertical.isIdentity) {
        case (true, true):
            for y in 0..<outputHeight {
                (dst + y * outputRowBytes).update(from: src + (rows.lowerBound + y) * rowBytes + columns.lowerBound * 3,
                                                  count: outputWidth * 3)
            }
        case (false, true):
            horizontalPass(horizontal, src: src + rows.lowerBound * rowBytes, rowBytes: rowBytes,
                           rows: outputHeight, dst: dst, dstRowBytes: outputRowBytes)
        case (true, false):
            verticalPass(vertical, src: src + columns.lowerBound * 3, rowBytes: rowBytes, firstRow: 0,
                         rowLength: outputWidth * 3, dst: dst, dstRowBytes: outputRowBytes)
        case (false, false):
            // Intermediate image: the window's columns × the source rows the vertical pass reads.
            let span = vertical.sourceSpan
            let tempRowBytes = outputWidth * 3
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, span.count * tempRowBytes)) { temp in
                let t = temp.baseAddress!
                horizontalPass(horizontal, src: src + span.lowerBound * rowBytes, rowBytes: rowBytes,
                               rows: span.count, dst: t, dstRowBytes: tempRowBytes)
                verticalPass(vertical, src: t, rowBytes: tempRowBytes, firstRow: span.lowerBound,
                             rowLength: tempRowBytes, dst: dst, dstRowBytes: outputRowBytes)
            }
        }
    }
}
