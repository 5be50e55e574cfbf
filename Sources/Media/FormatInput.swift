import CFFmpeg
import Foundation

/// An opened container (libavformat) with its best video stream chosen and described.
/// Reads packets, converts timestamps, seeks by keyframe. Not thread-safe: one reader at a time.
final class FormatInput {
    let path: String
    let watchdog: Watchdog
    /// FFmpeg's error reports about this file (demuxer and decoder).
    let damage = DamageCounter()
    private var context: UnsafeMutablePointer<AVFormatContext>?
    let streamIndex: Int32
    let stream: UnsafeMutablePointer<AVStream>
    let decoder: UnsafePointer<AVCodec>
    let info: VideoInfo
    /// The stream's start in its own time base (0 when it declares none).
    let startTimestamp: Int64
    let timeBase: Double

    init(path: String, limits: MediaLimits, watchdog: Watchdog) throws {
        self.path = path
        self.watchdog = watchdog
        let fileSize = try checkFile(path, limits: limits)
        let ctx = try openContext(path, watchdog: watchdog, damage: damage)
        let chosen: ChosenStream
        do {
            chosen = try chooseStream(ctx, path: path, watchdog: watchdog)
        } catch {
            var c: UnsafeMutablePointer<AVFormatContext>? = ctx
            avformat_close_input(&c)
            throw error
        }
        context = ctx
        streamIndex = chosen.index
        stream = chosen.stream
        decoder = chosen.decoder
        timeBase = av_q2d(chosen.stream.pointee.time_base)
        let start = chosen.stream.pointee.start_time
        startTimestamp = start == cdx_nopts() ? 0 : start
        info = describe(ctx, stream: chosen.stream, index: Int(chosen.index), fileSize: fileSize,
                        startTimestamp: startTimestamp, videoStreams: chosen.videoStreams)
        try checkLimits(info, limits: limits, path: path)    // deinit closes the context
        // Other streams (audio, subtitles) are never decoded: let the demuxer drop their packets.
        for i in 0..<Int(ctx.pointee.nb_streams) where Int32(i) != streamIndex { ctx.pointee.streams[i]?.pointee.discard = AVDISCARD_ALL }
    }

    deinit { avformat_close_input(&context) }

    /// Seconds from the stream start for a timestamp in the stream's time base (in floating point: a
    /// damaged file's timestamps may be anywhere in Int64's range).
    func seconds(_ timestamp: Int64) -> Double { (Double(timestamp) - Double(startTimestamp)) * timeBase }

    /// The timestamp in the stream's time base of `seconds` from the stream start (clamped).
    func timestamp(_ seconds: Double) -> Int64 { startTimestamp &+ clampedInt64(seconds / timeBase) }

    /// Reads the next packet of any stream into `packet` (unreferenced by the caller after use).
    /// Returns FFmpeg's status: 0, AVERROR_EOF, AVERROR_EXIT (watchdog), or another error.
    func read(_ packet: UnsafeMutablePointer<AVPacket>) -> Int32 {
        let status = av_read_frame(context, packet)
        if status >= 0 { watchdog.progress() }
        return status
    }

    /// Whether the container has a seek index for the stream (mp4, mkv and avi do; MPEG-TS does not).
    var hasIndex: Bool { avformat_index_get_entries_count(stream) > 0 }

    /// The index timestamp of the last keyframe at or before `seconds`, if the index has one.
    func keyframe(atOrBefore seconds: Double) -> Int64? {
        let i = av_index_search_timestamp(stream, timestamp(max(0, seconds)), AVSEEK_FLAG_BACKWARD)
        guard i >= 0, let entry = avformat_index_get_entry(stream, i) else { return nil }
        return entry.pointee.timestamp
    }

    /// Seeks the video stream to the last keyframe at or before `seconds`; false if FFmpeg refuses.
    func seek(to seconds: Double) -> Bool {
        av_seek_frame(context, streamIndex, timestamp(max(0, seconds)), AVSEEK_FLAG_BACKWARD) >= 0
    }

    /// Back to the first packet (for a second sampling run on the same file).
    func rewind() -> Bool {
        avformat_seek_file(context, streamIndex, Int64.min, startTimestamp, startTimestamp, 0) >= 0
            || av_seek_frame(context, streamIndex, startTimestamp, AVSEEK_FLAG_BACKWARD) >= 0
    }
}

/// Size and kind checks before FFmpeg sees the file; returns its size in bytes.
private func checkFile(_ path: String, limits: MediaLimits) throws -> Int64 {
    var st = stat()
    guard stat(path, &st) == 0 else {
        throw MediaError.missing(path: path, detail: "cannot read the file (\(String(cString: strerror(errno))))")
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
        let kind = (st.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
        throw MediaError.missing(path: path, detail: "\(kind), not a video file")
    }
    let size = Int64(st.st_size)
    if size == 0 { throw MediaError.empty(path: path) }
    if size > limits.maxFileSize {
        throw MediaError.limitExceeded(path: path, what: "file size", value: "\(size) bytes", limit: "\(limits.maxFileSize) bytes")
    }
    return size
}

/// avformat_open_input with the watchdog installed as interrupt callback.
private func openContext(_ path: String, watchdog: Watchdog, damage: DamageCounter) throws -> UnsafeMutablePointer<AVFormatContext> {
    guard let allocated = avformat_alloc_context() else {
        throw MediaError.undecodable(path: path, detail: "out of memory for the demuxer")
    }
    allocated.pointee.interrupt_callback = watchdog.interruptCallback()
    allocated.pointee.opaque = damage.opaque
    var ctx: UnsafeMutablePointer<AVFormatContext>? = allocated
    let status = avformat_open_input(&ctx, path, nil, nil)    // frees the context on failure
    guard status >= 0, let ctx else {
        if let error = watchdog.error(path: path) { throw error }
        if status == cdx_averror(ENOENT) { throw MediaError.missing(path: path, detail: "no such file") }
        throw MediaError.notAVideo(path: path, detail: "FFmpeg cannot open it: \(ffmpegMessage(status))")
    }
    let demuxer = ctx.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
    if isStillImageDemuxer(demuxer) {
        var c: UnsafeMutablePointer<AVFormatContext>? = ctx
        avformat_close_input(&c)
        throw MediaError.notAVideo(path: path, detail: "FFmpeg reads it as \(demuxer), a still image or text format")
    }
    return ctx
}

/// Demuxers that hold a single picture or render text: not videos, whatever their stream says.
private func isStillImageDemuxer(_ name: String) -> Bool {
    name == "image2" || name.hasSuffix("_pipe") || name == "tty" || name == "ico"
}

private struct ChosenStream {
    var index: Int32
    var stream: UnsafeMutablePointer<AVStream>
    var decoder: UnsafePointer<AVCodec>
    var videoStreams: Int
}

/// Reads stream info and picks the video stream FFmpeg ranks best, ignoring cover pictures.
private func chooseStream(_ ctx: UnsafeMutablePointer<AVFormatContext>, path: String, watchdog: Watchdog) throws -> ChosenStream {
    let probed = avformat_find_stream_info(ctx, nil)
    if let error = watchdog.error(path: path) { throw error }
    let streams = (0..<Int(ctx.pointee.nb_streams)).compactMap { ctx.pointee.streams[$0] }
    let videos = streams.filter {
        $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
            && $0.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC == 0
    }
    guard !videos.isEmpty else {
        if probed < 0 && streams.isEmpty {
            throw MediaError.notAVideo(path: path, detail: "FFmpeg finds no streams: \(ffmpegMessage(probed))")
        }
        throw MediaError.noVideoStream(path: path, streams: describeStreams(streams))
    }
    let best = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
    let stream = videos.first { $0.pointee.index == best }
        ?? videos.max { area($0) < area($1) }!
    let par = stream.pointee.codecpar.pointee
    guard let decoder = avcodec_find_decoder(par.codec_id) else {
        throw MediaError.unsupportedCodec(path: path, codec: codecName(par.codec_id, tag: par.codec_tag))
    }
    return ChosenStream(index: stream.pointee.index, stream: stream, decoder: decoder, videoStreams: videos.count)
}

private func area(_ s: UnsafeMutablePointer<AVStream>) -> Int {
    Int(s.pointee.codecpar.pointee.width) * Int(s.pointee.codecpar.pointee.height)
}

/// "audio (aac), subtitle (subrip)" for an error message.
private func describeStreams(_ streams: [UnsafeMutablePointer<AVStream>]) -> String {
    guard !streams.isEmpty else { return "no streams" }
    return streams.map { s in
        let par = s.pointee.codecpar.pointee
        let kind = av_get_media_type_string(par.codec_type).map { String(cString: $0) } ?? "data"
        let cover = s.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 ? " cover picture" : ""
        return "\(kind)\(cover) (\(codecName(par.codec_id, tag: par.codec_tag)))"
    }.joined(separator: ", ")
}

/// FFmpeg's codec name, or the container's FourCC when FFmpeg does not know the codec.
private func codecName(_ id: AVCodecID, tag: UInt32) -> String {
    if id != AV_CODEC_ID_NONE { return String(cString: avcodec_get_name(id)) }
    let bytes = (0..<4).map { UInt8((tag >> (8 * UInt32($0))) & 0xff) }
    let printable = bytes.allSatisfy { $0 >= 32 && $0 < 127 }
    return printable && tag != 0 ? "unknown FourCC '\(String(decoding: bytes, as: UTF8.self))'" : "unknown"
}

private func describe(_ ctx: UnsafeMutablePointer<AVFormatContext>, stream: UnsafeMutablePointer<AVStream>, index: Int,
                      fileSize: Int64, startTimestamp: Int64, videoStreams: Int) -> VideoInfo {
    let par = stream.pointee.codecpar.pointee
    let tb = av_q2d(stream.pointee.time_base)
    var duration: Double?
    if stream.pointee.duration > 0 && stream.pointee.duration != cdx_nopts() {
        duration = Double(stream.pointee.duration) * tb
    } else if let tagged = metadataDuration(stream.pointee.metadata) {
        duration = tagged
    } else if ctx.pointee.duration > 0 && ctx.pointee.duration != cdx_nopts() {
        duration = Double(ctx.pointee.duration) / Double(AV_TIME_BASE)
    }
    let pixelFormat = av_get_pix_fmt_name(AVPixelFormat(rawValue: par.format)).map { String(cString: $0) } ?? "unknown"
    let bitRate = par.bit_rate > 0 ? Int(par.bit_rate) : (ctx.pointee.bit_rate > 0 ? Int(ctx.pointee.bit_rate) : nil)
    return VideoInfo(
        duration: duration,
        frameRate: positive(stream.pointee.avg_frame_rate) ?? positive(stream.pointee.r_frame_rate),
        width: Int(par.width), height: Int(par.height),
        rotation: clockwiseRotation(cdx_stream_rotation(stream)),
        codec: String(cString: avcodec_get_name(par.codec_id)),
        pixelFormat: pixelFormat,
        colorSpace: av_color_space_name(par.color_space).map { String(cString: $0) } ?? "unknown",
        colorRange: av_color_range_name(par.color_range).map { String(cString: $0) } ?? "unknown",
        startTime: stream.pointee.start_time == cdx_nopts() ? 0 : Double(startTimestamp) * tb,
        frameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
        bitRate: bitRate,
        container: ctx.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown",
        streamIndex: index, videoStreams: videoStreams, fileSize: fileSize)
}

/// Matroska writes each stream's duration as a "DURATION" tag ("00:01:02.500000000").
private func metadataDuration(_ dict: OpaquePointer?) -> Double? {
    guard let entry = av_dict_get(dict, "DURATION", nil, 0), let value = entry.pointee.value else { return nil }
    let parts = String(cString: value).split(separator: ":").compactMap { Double($0) }
    guard parts.count == 3 else { return nil }
    let seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
    return seconds > 0 ? seconds : nil
}

/// FFmpeg's counter-clockwise display angle → the clockwise turn a player applies, snapped to 0/90/180/270.
func clockwiseRotation(_ counterClockwise: Double) -> Int {
    let quarter = Int((-counterClockwise / 90).rounded())
    return ((quarter % 4) + 4) % 4 * 90
}

private func checkLimits(_ info: VideoInfo, limits: MediaLimits, path: String) throws {
    let w = info.width, h = info.height
    guard w > 0, h > 0 else { throw MediaError.invalidDimensions(path: path, width: w, height: h) }
    if max(w, h) > limits.maxDimension {
        throw MediaError.limitExceeded(path: path, what: "frame size", value: "\(w)×\(h)",
                                       limit: "\(limits.maxDimension) pixels a side")
    }
    if w * h > limits.maxPixels {
        throw MediaError.limitExceeded(path: path, what: "frame size", value: "\(w)×\(h) (\(w * h) pixels)",
                                       limit: "\(limits.maxPixels) pixels")
    }
    if let d = info.duration, d > limits.maxDuration {
        throw MediaError.limitExceeded(path: path, what: "duration", value: formatSeconds(d), limit: formatSeconds(limits.maxDuration))
    }
}
