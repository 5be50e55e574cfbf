import CFFmpeg
import Imaging

/// Decoded pictures → RGB24 through swscale, honouring the stream's colour matrix and range, at the
/// stored size or shrunk in the same pass. Keeps one swscale context and one scratch buffer, rebuilt
/// only when the source format, size or colour description changes.
final class FrameConverter {
    private struct Key: Equatable {
        var width, height: Int32
        var format: AVPixelFormat
        var outWidth, outHeight: Int32
        var matrix: Int32
        var fullRange: Bool
        var flags: Int32
    }

    private let fullSizeFlags: Int32
    private let reducedFlags: Int32
    private var sws: OpaquePointer?
    private var key: Key?
    private var buffer: UnsafeMutablePointer<UInt8>?
    private var capacity = 0

    init(fullSizeFlags: Int32 = FrameConverter.fullSizeFlags, reducedFlags: Int32 = FrameConverter.reducedFlags) {
        self.fullSizeFlags = fullSizeFlags
        self.reducedFlags = reducedFlags
    }

    deinit {
        sws_freeContext(sws)
        av_free(buffer)
    }

    /// swscale filter at the stored size (only chroma upsampling happens): the ffmpeg CLI's default,
    /// so frames match what `ffmpeg -pix_fmt rgb24` extracts.
    static let fullSizeFlags = Int32(SWS_BICUBIC)
    /// swscale filter when shrinking: bicubic (of swscale's filters, the closest to Pillow's in MediaTests).
    static let reducedFlags = Int32(SWS_BICUBIC)

    /// The RGB size for a `width`×`height` picture under `scale` (the shorter side shrunk, aspect kept).
    static func outputSize(width: Int, height: Int, scale: FrameScale) -> (width: Int, height: Int) {
        guard case .reduced(let side) = scale, min(width, height) > side else { return (width, height) }
        let factor = Double(side) / Double(min(width, height))
        return width <= height ? (side, max(1, Int((Double(height) * factor).rounded())))
                               : (max(1, Int((Double(width) * factor).rounded())), side)
    }

    /// Converts `frame` to RGB (not rotated); nil if swscale cannot read its pixel format.
    func rgb(_ frame: UnsafePointer<AVFrame>, scale: FrameScale) -> RGBImage? {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        guard width > 0, height > 0 else { return nil }
        let out = Self.outputSize(width: width, height: height, scale: scale)
        let colour = colourOf(frame)
        let next = Key(width: Int32(width), height: Int32(height), format: colour.format,
                       outWidth: Int32(out.width), outHeight: Int32(out.height), matrix: colour.matrix,
                       fullRange: colour.fullRange, flags: out == (width, height) ? fullSizeFlags : reducedFlags)
        guard prepare(next) else { return nil }
        let rowBytes = (out.width * 3 + 63) & ~63
        reserve(rowBytes * out.height + 64)
        var dst: [UnsafeMutablePointer<UInt8>?] = [buffer, nil, nil, nil]
        var dstStride: [Int32] = [Int32(rowBytes), 0, 0, 0]
        var data = frame.pointee.data, lines = frame.pointee.linesize
        let rows = withUnsafePointer(to: &data) { d in
            withUnsafePointer(to: &lines) { l in
                d.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
                    l.withMemoryRebound(to: Int32.self, capacity: 8) { strides in
                        sws_scale(sws, planes, strides, 0, Int32(height), &dst, &dstStride)
                    }
                }
            }
        }
        guard rows == Int32(out.height), let buffer else { return nil }
        let rgbRow = out.width * 3
        let pixels = [UInt8](unsafeUninitializedCapacity: rgbRow * out.height) { p, count in
            for y in 0..<out.height { (p.baseAddress! + y * rgbRow).update(from: buffer + y * rowBytes, count: rgbRow) }
            count = rgbRow * out.height
        }
        return RGBImage(width: out.width, height: out.height, pixels: pixels)
    }

    private func prepare(_ next: Key) -> Bool {
        if next == key { return true }
        sws_freeContext(sws)
        key = nil
        sws = sws_getContext(next.width, next.height, next.format, next.outWidth, next.outHeight,
                             AV_PIX_FMT_RGB24, next.flags, nil, nil, nil)
        guard let sws else { return false }
        _ = sws_setColorspaceDetails(sws, sws_getCoefficients(next.matrix), next.fullRange ? 1 : 0,
                                     sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
        key = next
        return true
    }

    private func reserve(_ bytes: Int) {
        guard bytes > capacity else { return }
        av_free(buffer)
        buffer = av_malloc(bytes)?.assumingMemoryBound(to: UInt8.self)
        capacity = buffer == nil ? 0 : bytes
    }
}

/// The pixel format to hand swscale, the YUV matrix (an SWS_CS_* / AVColorSpace value) and the range.
/// FFmpeg's `yuvj*` formats mean "full range": they become their plain twins with full range set.
/// An unspecified matrix is BT.709 for HD sizes and BT.601 below, as players assume (the ffmpeg CLI
/// assumes BT.601 everywhere). RGB, grey and palette sources need no matrix.
private func colourOf(_ frame: UnsafePointer<AVFrame>) -> (format: AVPixelFormat, matrix: Int32, fullRange: Bool) {
    let format = AVPixelFormat(rawValue: frame.pointee.format)
    let plainTwins: [AVPixelFormat: AVPixelFormat] = [
        AV_PIX_FMT_YUVJ420P: AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ422P: AV_PIX_FMT_YUV422P,
        AV_PIX_FMT_YUVJ444P: AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVJ440P: AV_PIX_FMT_YUV440P,
        AV_PIX_FMT_YUVJ411P: AV_PIX_FMT_YUV411P,
    ]
    let space = frame.pointee.colorspace
    let declared = space != AVCOL_SPC_UNSPECIFIED && space != AVCOL_SPC_RESERVED && space != AVCOL_SPC_RGB
    let hd = frame.pointee.width >= 1280 || frame.pointee.height > 576
    let matrix = declared ? Int32(space.rawValue) : (hd ? SWS_CS_ITU709 : SWS_CS_DEFAULT)
    if let plain = plainTwins[format] { return (plain, matrix, true) }
    let isYUV = av_pix_fmt_desc_get(format).map { d in
        d.pointee.nb_components >= 3 && d.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL) == 0
    } ?? false
    return (format, matrix, !isYUV || frame.pointee.color_range == AVCOL_RANGE_JPEG)
}
