import CFFmpeg

/// FFmpeg's message for an error code ("Invalid data found when processing input").
func ffmpegMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    _ = cdx_error_string(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A rational as a Double, or nil when it is 0/x, x/0 or negative.
func positive(_ q: AVRational) -> Double? {
    guard q.num > 0, q.den > 0 else { return nil }
    return Double(q.num) / Double(q.den)
}

/// Owns one AVPacket.
final class PacketBox {
    let packet: UnsafeMutablePointer<AVPacket>
    init() { packet = av_packet_alloc()! }
    deinit { var p: UnsafeMutablePointer<AVPacket>? = packet; av_packet_free(&p) }
}

/// Owns one AVFrame (refcounted buffers: moving a decoded picture in or out costs no copy).
final class FrameBox {
    let frame: UnsafeMutablePointer<AVFrame>
    init() { frame = av_frame_alloc()! }
    deinit { var f: UnsafeMutablePointer<AVFrame>? = frame; av_frame_free(&f) }

    /// A new box holding a reference to the same picture as `source`.
    static func reference(_ source: UnsafePointer<AVFrame>) -> FrameBox? {
        let box = FrameBox()
        return av_frame_ref(box.frame, source) >= 0 ? box : nil
    }
}

/// FFmpeg logs decoder complaints (concealed errors, missing references) to stderr at its default
/// level; MediaWarning reports them once per file instead. Called before the first open.
enum FFmpegLog {
    static let quiet: Void = { av_log_set_level(AV_LOG_FATAL) }()
}
