import CFFmpeg
import Foundation

/// An opened libavcodec decoder for the chosen stream, with the speed knobs set before opening.
final class VideoDecoder {
    let context: UnsafeMutablePointer<AVCodecContext>

    init(_ input: FormatInput, threads: Int, skipLoopFilter: Bool, maxPixels: Int) throws {
        guard let ctx = avcodec_alloc_context3(input.decoder) else {
            throw MediaError.undecodable(path: input.path, detail: "out of memory for the decoder")
        }
        var status = avcodec_parameters_to_context(ctx, input.stream.pointee.codecpar)
        ctx.pointee.pkt_timebase = input.stream.pointee.time_base
        ctx.pointee.thread_count = Int32(threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount)
        ctx.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        ctx.pointee.max_pixels = Int64(maxPixels)
        ctx.pointee.opaque = input.damage.opaque
        if skipLoopFilter { ctx.pointee.skip_loop_filter = AVDISCARD_ALL }
        if status >= 0 { status = avcodec_open2(ctx, input.decoder, nil) }
        guard status >= 0 else {
            var owned: UnsafeMutablePointer<AVCodecContext>? = ctx
            avcodec_free_context(&owned)
            let name = String(cString: input.decoder.pointee.name)
            throw MediaError.undecodable(path: input.path, detail: "decoder \(name) does not open: \(ffmpegMessage(status))")
        }
        context = ctx
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }

    /// Which frames the decoder may drop; read by the decoder for each packet sent after it is set
    /// (frame threads copy it from this context at submission).
    var skipFrame: AVDiscard {
        get { context.pointee.skip_frame }
        set { context.pointee.skip_frame = newValue }
    }

    func send(_ packet: UnsafePointer<AVPacket>?) -> Int32 { avcodec_send_packet(context, packet) }
    func receive(_ frame: UnsafeMutablePointer<AVFrame>) -> Int32 { avcodec_receive_frame(context, frame) }
    func flush() { avcodec_flush_buffers(context) }
}
