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
        let parameters = ctx.pointee.streams[Int(index)]!.pointee.codecpar!
        let (width, height) = (Int(parameters.pointee.width), Int(parameters.pointee.height))
        if probed < 0 && width <= 0 {
            throw ImageFileError.undecodable(path: path, detail: ffmpegErrorString(probed))
        }
        if width * height > ImageFile.maxPixels {  // refuse before decoding allocates it
            throw ImageFileError.undecodable(path: path, detail: "\(width)×\(height) exceeds the \(ImageFile.maxPixels)-pixel limit")
        }
        streamIndex = index
        guard let cc = avcodec_alloc_context3(decoder) else {
            throw ImageFileError.undecodable(path: path, detail: "out of memory for the decoder")
        }
        codec = cc
        var status = avcodec_parameters_to_context(cc, parameters)
        // A truncated JPEG otherwise decodes with its missing part concealed (grey): fail instead, as
        // Pillow does. Only for JPEG: other decoders (TIFF) also "explode" on harmless unknown tags.
        if decoder.pointee.id == AV_CODEC_ID_MJPEG { cc.pointee.err_recognition |= AV_EF_EXPLODE }
        if status >= 0 { status = avcodec_open2(cc, decoder, nil) }
        if status < 0 {
            throw ImageFileError.undecodable(path: path, detail: "decoder \(String(cString: decoder.pointee.name)): \(ffmpegErrorString(status))")
        }
    }

    /// Reads packets of the image stream until the decoder yields a picture (then flushes if needed).
    func decodeFirstFrame() throws -> UnsafeMutablePointer<AVFrame> {
        guard let format, let codec, let packet = av_packet_alloc() else {
            throw ImageFileError.undecodable(path: path, detail: "out of memory")
        }
        defer { var p: UnsafeMutablePointer<AVPacket>? = packet; av_packet_free(&p) }
        guard let frame = av_frame_alloc() else { throw ImageFileError.undecodable(path: path, detail: "out of memory") }
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
/// Subsampled YUV (4:2:0 JPEG and WebP, 4:2:2) is first brought to 4:4:4 with bilinear chroma
/// interpolation at the stream's chroma siting: swscale's direct YUV→RGB path repeats chroma rows
/// instead of interpolating them, which differs from libjpeg (and so Pillow) by up to 80 levels at
/// colour edges; the two-step path stays within a few levels.
private func convertToRGB(_ frame: UnsafeMutablePointer<AVFrame>, path: String) throws -> RGBImage {
    let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
    guard width > 0, height > 0, frame.pointee.format >= 0 else {
        throw ImageFileError.undecodable(path: path, detail: "decoder returned an empty picture")
    }
    guard width * height <= ImageFile.maxPixels else {
        throw ImageFileError.undecodable(path: path, detail: "\(width)×\(height) exceeds the \(ImageFile.maxPixels)-pixel limit")
    }
    let (format, fullRange) = sourceFormat(frame)
    frame.pointee.format = format.rawValue
    var source = frame
    var upsampled: UnsafeMutablePointer<AVFrame>?
    defer { av_frame_free(&upsampled) }
    if let wide = fullChromaTwin(format) {
        upsampled = try scale(frame, to: wide, fullRange: fullRange, path: path)
        source = upsampled!
    }
    var rgb: UnsafeMutablePointer<AVFrame>? = try scale(source, to: AV_PIX_FMT_RGB24, fullRange: fullRange, path: path)
    defer { av_frame_free(&rgb) }
    let data = rgb!.pointee.data.0!, stride = Int(rgb!.pointee.linesize.0)
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    pixels.withUnsafeMutableBufferPointer { out in
        for y in 0..<height { (out.baseAddress! + y * width * 3).update(from: data + y * stride, count: width * 3) }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}

/// The pixel format to hand swscale and whether its samples are full range.
/// FFmpeg's deprecated `yuvj*` formats become their plain twins with full range set (what they mean).
/// RGB, grey and palette sources are full range by nature; YUV follows the frame's `color_range`.
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

/// For YUV with subsampled chroma, the 4:4:4 format to upsample into first (nil otherwise).
private func fullChromaTwin(_ format: AVPixelFormat) -> AVPixelFormat? {
    guard let desc = av_pix_fmt_desc_get(format) else { return nil }
    let flags = desc.pointee.flags
    guard desc.pointee.nb_components >= 3, flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0,
          desc.pointee.log2_chroma_w > 0 || desc.pointee.log2_chroma_h > 0 else { return nil }
    return desc.pointee.comp.0.depth > 8 ? cdx_pix_fmt_yuv444p16() : AV_PIX_FMT_YUV444P
}

/// One same-size swscale step into a new frame of `target` format (caller frees it).
private func scale(_ src: UnsafeMutablePointer<AVFrame>, to target: AVPixelFormat, fullRange: Bool,
                   path: String) throws -> UnsafeMutablePointer<AVFrame> {
    let source = AVPixelFormat(rawValue: src.pointee.format)
    let sourceName = av_get_pix_fmt_name(source).map { String(cString: $0) } ?? "\(source.rawValue)"
    guard let sws = makeConverter(src, to: target, fullRange: fullRange) else {
        throw ImageFileError.undecodable(path: path, detail: "no conversion from pixel format \(sourceName) to RGB")
    }
    defer { sws_freeContext(sws) }
    guard let dst = av_frame_alloc() else { throw ImageFileError.undecodable(path: path, detail: "out of memory") }
    dst.pointee.width = src.pointee.width
    dst.pointee.height = src.pointee.height
    dst.pointee.format = target.rawValue
    var status = av_frame_get_buffer(dst, 0)
    if status >= 0 { status = sws_scale_frame(sws, dst, src) }
    guard status >= 0 else {
        var owned: UnsafeMutablePointer<AVFrame>? = dst
        av_frame_free(&owned)
        throw ImageFileError.undecodable(path: path, detail: "converting \(sourceName) pixels: \(ffmpegErrorString(status))")
    }
    return dst
}

/// A same-size swscale context from the frame's format to `target`, with the frame's colour matrix,
/// range and chroma siting (JPEG's and WebP's chroma samples sit between luma samples).
/// YUV → YUV steps keep the range; the RGB output is full range.
private func makeConverter(_ frame: UnsafeMutablePointer<AVFrame>, to target: AVPixelFormat, fullRange: Bool) -> OpaquePointer? {
    guard let sws = sws_alloc_context() else { return nil }
    let source = AVPixelFormat(rawValue: frame.pointee.format)
    let toRGB = target == AV_PIX_FMT_RGB24
    let (hPos, vPos) = chromaPosition(frame.pointee.chroma_location)
    let desc = av_pix_fmt_desc_get(source)
    let flags = SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP
    var options: [(String, Int64)] = [
        ("srcw", Int64(frame.pointee.width)), ("srch", Int64(frame.pointee.height)), ("src_format", Int64(source.rawValue)),
        ("dstw", Int64(frame.pointee.width)), ("dsth", Int64(frame.pointee.height)), ("dst_format", Int64(target.rawValue)),
        ("sws_flags", Int64(flags)), ("src_range", fullRange ? 1 : 0), ("dst_range", toRGB || fullRange ? 1 : 0),
    ]
    if let desc, desc.pointee.log2_chroma_w > 0 { options.append(("src_h_chr_pos", hPos)) }
    if let desc, desc.pointee.log2_chroma_h > 0 { options.append(("src_v_chr_pos", vPos)) }
    for (name, value) in options where av_opt_set_int(UnsafeMutableRawPointer(sws), name, value, 0) < 0 {
        sws_freeContext(sws)
        return nil
    }
    guard sws_init_context(sws, nil, nil) >= 0 else { sws_freeContext(sws); return nil }
    if toRGB {
        let matrix = sws_getCoefficients(Int32(frame.pointee.colorspace.rawValue))
        _ = sws_setColorspaceDetails(sws, matrix, fullRange ? 1 : 0, matrix, 1, 0, 1 << 16, 1 << 16)
    }
    return sws
}

/// Chroma sample position in 1/256 luma samples (swscale's `src_*_chr_pos`); unspecified is taken as
/// centred, which is JPEG's and WebP's siting.
private func chromaPosition(_ location: AVChromaLocation) -> (Int64, Int64) {
    switch location {
    case AVCHROMA_LOC_LEFT: return (0, 128)
    case AVCHROMA_LOC_TOPLEFT: return (0, 0)
    case AVCHROMA_LOC_TOP: return (128, 0)
    case AVCHROMA_LOC_BOTTOMLEFT: return (0, 256)
    case AVCHROMA_LOC_BOTTOM: return (128, 256)
    default: return (128, 128)
    }
}
