import CFFmpeg
import Foundation
import Imaging

/// Why an image file could not be read; every message names the file and what to do.
public enum ImageFileError: Error, CustomStringConvertible, Equatable {
    /// No file at the path (or not a regular file).
    case missing(path: String)
    /// FFmpeg reads the file as something other than a still image (a video, audio, text...).
    case notAnImage(path: String, detail: String)
    /// An image format, but it does not decode (corrupt, truncated, unsupported variant, too large).
    case undecodable(path: String, detail: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path): no such image file; check the path"
        case .notAnImage(let path, let detail):
            return "\(path): not an image file (\(detail)); give a PNG, JPEG, BMP, WebP, GIF, TIFF or similar"
        case .undecodable(let path, let detail):
            return "\(path): cannot decode the image (\(detail)); the file may be corrupt or truncated"
        }
    }
}

/// Still-image files decoded through FFmpeg (libavformat → libavcodec → libswscale to RGB24).
public enum ImageFile {
    /// Largest image accepted, in pixels (100 MP): a guard against decompression bombs.
    public static let maxPixels = 100_000_000

    /// Decodes the first picture of an image file into 8-bit RGB at its stored size.
    /// Alpha is dropped (as Pillow's `convert("RGB")` does); YUV sources (JPEG, WebP) are converted
    /// with their own colour matrix and range (JPEG: BT.601 full range). EXIF orientation is not
    /// applied, matching Pillow's `Image.open`, which CLIP's reference preprocessing uses.
    public static func load(_ path: String) throws -> RGBImage {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ImageFileError.missing(path: path)
        }
        let input = try ImageInput(path: path)
        defer { input.close() }
        let frame = try input.decodeFirstFrame()
        defer { var f: UnsafeMutablePointer<AVFrame>? = frame; av_frame_free(&f) }
        return try convertToRGB(frame, path: path)
    }
}

/// The demuxer families that hold still images: FFmpeg's `image2`, the per-codec `*_pipe` demuxers,
/// and the animated-image containers (first frame only).
private func isImageDemuxer(_ name: String) -> Bool {
    name == "image2" || name.hasSuffix("_pipe") || name == "gif" || name == "apng" || name == "webp"
}

/// FFmpeg's message for an error code.
private func ffmpegErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    _ = cdx_error_string(code, &buffer, buffer.count)
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// An opened image file: format context, chosen stream and an opened decoder.
private final class ImageInput {
    let path: String
    var format: UnsafeMutablePointer<AVFormatContext>?
    var codec: UnsafeMutablePointer<AVCodecContext>?
    var streamIndex: Int32 = -1

    init(path: String) throws {
        self.path = path
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        let opened = avformat_open_input(&ctx, path, nil, nil)
        guard opened >= 0, let ctx else {
            if opened == cdx_averror(ENOENT) { throw ImageFileError.missing(path: path) }
            throw ImageFileError.notAnImage(path: path, detail: "FFmpeg cannot read it: \(ffmpegErrorString(opened))")
        }
        format = ctx
        do { try openDecoder(ctx) } catch { close(); throw error }
    }

    private func openDecoder(_ ctx: UnsafeMutablePointer<AVFormatContext>) throws {
        let demuxer = ctx.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        let probed = avformat_find_stream_info(ctx, nil)
        var decoder: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard isImageDemuxer(demuxer), index >= 0, let decoder else {
            let what = index >= 0 ? "FFmpeg reads it as \(demuxer)" : "FFmpeg finds no picture in it (format \(demuxer))"
            throw ImageFileError.notAnImage(path: path, detail: what)
        }
        if probed < 0 && ctx.pointee.streams[Int(index)]!.pointee.codecpar.pointee.width <= 0 {
            throw ImageFileError.undecodable(path: path, detail: ffmpegErrorString(probed))
        }
        streamIndex = index
        guard let cc = avcodec_alloc_context3(decoder) else {
            throw ImageFileError.undecodable(path: path, detail: "out of memory for the decoder")
        }
        codec = cc
        var status = avcodec_parameters_to_context(cc, ctx.pointee.streams[Int(index)]!.pointee.codecpar)
        if status >= 0 { status = avcodec_open2(cc, decoder, nil) }
        if status < 0 {
            throw ImageFileError.undecodable(path: path, detail: "decoder \(String(cString: decoder.pointee.name)): \(ffmpegErrorString(status))")
        }
    }

    /// Reads packets of the image stream until the decoder yields a picture (then flushes if needed).
    func decodeFirstFrame() throws -> UnsafeMutablePointer<AVFrame> {
        guard let format, let codec, let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            throw ImageFileError.undecodable(path: path, detail: "out of memory")
        }
        defer { var p: UnsafeMutablePointer<AVPacket>? = packet; av_packet_free(&p) }
        var lastError: Int32 = 0
        while av_read_frame(format, packet) >= 0 {
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            let sent = avcodec_send_packet(codec, packet)
            if sent < 0 && sent != cdx_averror(EAGAIN) { lastError = sent; continue }
            let got = avcodec_receive_frame(codec, frame)
            if got >= 0 { return frame }
            if got != cdx_averror(EAGAIN) { lastError = got }
        }
        _ = avcodec_send_packet(codec, nil)
        if avcodec_receive_frame(codec, frame) >= 0 { return frame }
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
        let cause = lastError < 0 ? ffmpegErrorString(lastError) : "no picture decoded"
        throw ImageFileError.undecodable(path: path, detail: cause)
    }

    func close() {
        if codec != nil { avcodec_free_context(&codec) }
        if format != nil { avformat_close_input(&format) }
    }
}

/// Converts a decoded picture to RGB24 at the same size with swscale (pixel format and colour only).
/// Range: RGB, grey and palette sources are full range by nature; YUV sources follow the frame's
/// `color_range` (FFmpeg's `yuvj*` formats are mapped to their plain twins with full range set, which
/// is what they mean). Matrix: the frame's colour space; unspecified means BT.601, as JPEG/JFIF defines.
private func convertToRGB(_ frame: UnsafeMutablePointer<AVFrame>, path: String) throws -> RGBImage {
    let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
    guard width > 0, height > 0, frame.pointee.format >= 0 else {
        throw ImageFileError.undecodable(path: path, detail: "decoder returned an empty picture")
    }
    guard width * height <= ImageFile.maxPixels else {
        throw ImageFileError.undecodable(path: path, detail: "\(width)×\(height) exceeds the \(ImageFile.maxPixels)-pixel limit")
    }
    let (source, fullRange) = sourceFormat(frame)
    let flags = SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP
    guard let sws = sws_getContext(Int32(width), Int32(height), source, Int32(width), Int32(height),
                                   AV_PIX_FMT_RGB24, Int32(flags), nil, nil, nil) else {
        let name = av_get_pix_fmt_name(source).map { String(cString: $0) } ?? "\(source.rawValue)"
        throw ImageFileError.undecodable(path: path, detail: "no conversion from pixel format \(name) to RGB")
    }
    defer { sws_freeContext(sws) }
    let matrix = sws_getCoefficients(Int32(frame.pointee.colorspace.rawValue))
    _ = sws_setColorspaceDetails(sws, matrix, fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)

    // swscale writes through SIMD paths: give it an aligned, padded buffer, then copy the rows out.
    let rowBytes = (width * 3 + 63) & ~63
    guard let buffer = av_malloc(rowBytes * height + 64)?.assumingMemoryBound(to: UInt8.self) else {
        throw ImageFileError.undecodable(path: path, detail: "out of memory for \(width)×\(height) pixels")
    }
    defer { av_free(buffer) }
    var dst: [UnsafeMutablePointer<UInt8>?] = [buffer, nil, nil, nil]
    var dstStride: [Int32] = [Int32(rowBytes), 0, 0, 0]
    let rows = withUnsafePointer(to: &frame.pointee.data) { data in
        withUnsafePointer(to: &frame.pointee.linesize) { lines in
            data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
                lines.withMemoryRebound(to: Int32.self, capacity: 8) { strides in
                    sws_scale(sws, planes, strides, 0, Int32(height), &dst, &dstStride)
                }
            }
        }
    }
    guard rows == Int32(height) else {
        throw ImageFileError.undecodable(path: path, detail: "pixel conversion to RGB failed")
    }
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    pixels.withUnsafeMutableBufferPointer { out in
        for y in 0..<height { (out.baseAddress! + y * width * 3).update(from: buffer + y * rowBytes, count: width * 3) }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// The pixel format to hand swscale and whether its samples are full range.
private func sourceFormat(_ frame: UnsafeMutablePointer<AVFrame>) -> (AVPixelFormat, Bool) {
    let format = AVPixelFormat(rawValue: frame.pointee.format)
    let plainTwins: [AVPixelFormat: AVPixelFormat] = [
        AV_PIX_FMT_YUVJ420P: AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ422P: AV_PIX_FMT_YUV422P,
        AV_PIX_FMT_YUVJ444P: AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVJ440P: AV_PIX_FMT_YUV440P,
        AV_PIX_FMT_YUVJ411P: AV_PIX_FMT_YUV411P,
    ]
    if let plain = plainTwins[format] { return (plain, true) }
    guard let desc = av_pix_fmt_desc_get(format) else { return (format, true) }
    let flags = desc.pointee.flags
    let isYUV = desc.pointee.nb_components >= 3
        && flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0 && flags & UInt64(AV_PIX_FMT_FLAG_PAL) == 0
    return (format, !isYUV || frame.pointee.color_range == AVCOL_RANGE_JPEG)
}
