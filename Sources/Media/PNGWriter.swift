import CFFmpeg
import Foundation
import Imaging

/// Why a PNG could not be written; names the file and the cause.
public struct PNGWriteError: Error, CustomStringConvertible {
    public let path: String
    public let detail: String
    public var description: String { "\(path): cannot write the PNG (\(detail)); check the folder exists and is writable" }
}

/// Writes RGB images as PNG files through FFmpeg's png encoder (lossless, 8-bit RGB).
/// Keeps one encoder per image size, so writing a video's frames opens it once.
public final class PNGWriter {
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var size: (width: Int, height: Int)?
    private let frame = FrameBox()
    private let packet = PacketBox()

    public init() {}

    deinit { avcodec_free_context(&encoder) }

    /// Encodes `image` and writes it to `path` (replacing any file there).
    public func write(_ image: RGBImage, to path: String) throws {
        let data = try encode(image, path: path)
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw PNGWriteError(path: path, detail: "cannot create the file")
        }
    }

    /// The PNG bytes of `image`.
    public func encode(_ image: RGBImage, path: String = "PNG") throws -> Data {
        let ctx = try encoder(width: image.width, height: image.height, path: path)
        let f = frame.frame
        av_frame_unref(f)
        f.pointee.width = Int32(image.width)
        f.pointee.height = Int32(image.height)
        f.pointee.format = AV_PIX_FMT_RGB24.rawValue
        guard av_frame_get_buffer(f, 0) >= 0 else { throw PNGWriteError(path: path, detail: "out of memory") }
        let rowBytes = image.width * 3, stride = Int(f.pointee.linesize.0)
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<image.height {
                (f.pointee.data.0! + y * stride).update(from: src.baseAddress! + y * rowBytes, count: rowBytes)
            }
        }
        var status = avcodec_send_frame(ctx, f)
        if status >= 0 { status = avcodec_receive_packet(ctx, packet.packet) }
        guard status >= 0 else { throw PNGWriteError(path: path, detail: "png encoder: \(ffmpegMessage(status))") }
        defer { av_packet_unref(packet.packet) }
        return Data(bytes: packet.packet.pointee.data, count: Int(packet.packet.pointee.size))
    }

    private func encoder(width: Int, height: Int, path: String) throws -> UnsafeMutablePointer<AVCodecContext> {
        if let encoder, let size, size == (width, height) { return encoder }
        avcodec_free_context(&encoder)
        size = nil
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_PNG), let ctx = avcodec_alloc_context3(codec) else {
            throw PNGWriteError(path: path, detail: "this FFmpeg build has no png encoder")
        }
        encoder = ctx
        ctx.pointee.width = Int32(width)
        ctx.pointee.height = Int32(height)
        ctx.pointee.pix_fmt = AV_PIX_FMT_RGB24
        ctx.pointee.time_base = AVRational(num: 1, den: 25)
        let status = avcodec_open2(ctx, codec, nil)
        guard status >= 0 else { throw PNGWriteError(path: path, detail: "png encoder: \(ffmpegMessage(status))") }
        size = (width, height)
        return ctx
    }
}
