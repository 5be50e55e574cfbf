import CFFmpeg
import Foundation

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

/// `value` rounded down and clamped to Int64's range: timestamps and rates from damaged files can be
/// absurd, and an out-of-range conversion would trap.
func clampedInt64(_ value: Double) -> Int64 {
    if value.isNaN { return 0 }
    if value >= 9.2e18 { return .max }
    if value <= -9.2e18 { return .min }
    return Int64(value.rounded(.down))
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

/// Counts the errors FFmpeg reports about one file (demuxer resyncs, concealed decoding errors):
/// damage that often has no other trace. Attached to a format or codec context through its `opaque`
/// field (frame-threaded decoders copy it to their worker contexts).
final class DamageCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var errors = 0

    init() { FFmpegLog.register(self) }
    deinit { FFmpegLog.unregister(self) }

    var count: Int { lock.lock(); defer { lock.unlock() }; return errors }
    fileprivate func add() { lock.lock(); errors += 1; lock.unlock() }
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}

/// FFmpeg's log, routed: error reports from contexts carrying a live `DamageCounter` are counted there;
/// everything goes on to FFmpeg's default logger, which is quietened to fatal errors (MediaWarning
/// reports damage once per file instead of once per macroblock).
enum FFmpegLog {
    private static let registry = Registry()

    static let install: Void = {
        av_log_set_level(AV_LOG_FATAL)
        av_log_set_callback { avcl, level, format, args in
            if level <= AV_LOG_ERROR, let avcl, let opaque = FFmpegLog.opaque(of: avcl) { FFmpegLog.registry.count(opaque) }
            if let args { av_log_default_callback(avcl, level, format, args) }
        }
    }()

    static func register(_ counter: DamageCounter) { _ = install; registry.insert(counter.opaque) }
    static func unregister(_ counter: DamageCounter) { registry.remove(counter.opaque) }

    /// The `opaque` field of a codec or format context (the only classes that carry a counter).
    private static func opaque(of avcl: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        let cls = avcl.load(as: UnsafePointer<AVClass>?.self)
        if cls == avcodec_get_class() { return avcl.assumingMemoryBound(to: AVCodecContext.self).pointee.opaque }
        if cls == avformat_get_class() { return avcl.assumingMemoryBound(to: AVFormatContext.self).pointee.opaque }
        return nil
    }

    /// The live counters, so that an `opaque` set by other code is never taken for one.
    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var live: Set<UnsafeMutableRawPointer> = []
        func insert(_ p: UnsafeMutableRawPointer) { lock.lock(); live.insert(p); lock.unlock() }
        func remove(_ p: UnsafeMutableRawPointer) { lock.lock(); live.remove(p); lock.unlock() }
        func count(_ p: UnsafeMutableRawPointer) {
            lock.lock(); defer { lock.unlock() }
            if live.contains(p) { Unmanaged<DamageCounter>.fromOpaque(p).takeUnretainedValue().add() }
        }
    }
}
