import CFFmpeg

/// Pulls sampled frames out of a video one at a time: `while let frame = try sampler.next() { ... }`.
///
/// Streaming and bounded: besides the decoder's own reference frames it holds one candidate picture
/// (the previous frame), 8 packets read ahead and at most two converted frames. Only frames it hands
/// out are converted to RGB. Work saved, depending on the plan:
/// - a packet whose frame cannot be the nearest to any target (judged from the times of the packets
///   around it) is decoded with `AVDISCARD_NONREF`: the decoder drops it if no other frame references
///   it (never a B-frame that is a reference), so the choice is the same as decoding everything;
/// - when the keyframe before the next target lies ahead of the read position, it seeks there;
/// - `.keyframes` sends only keyframe packets;
/// - reading stops once every target is served.
/// Create one with `VideoFile.frames(_:options:)`; `summary` is complete once `next()` returned nil.
public final class FrameSampler {
    public private(set) var summary = SampleSummary()

    private let input: FormatInput
    private let decoder: VideoDecoder
    private let plan: SamplingPlan
    private let options: SampleOptions
    private var selector: FrameSelector<FrameBox>?
    private let converter = FrameConverter()
    private let packet = PacketBox()
    private let lookahead = PacketLookahead()
    private var endOfInput = false
    private let frame = FrameBox()
    private var ready: [VideoFrame] = []
    private var finished = false
    private var draining = false
    /// Nominal seconds per frame (from the mean frame rate), if known.
    private let frameDuration: Double?
    private var canSeek: Bool
    private var lastReadTime = 0.0
    private var coveredUntil = -Double.infinity
    private var readError: Int32?
    private var lastDecodeError: Int32?
    private var previousTimestamp: Int64?
    private var keyframesSeen = 0
    private var lastSeekTarget = -1
    private let damageAtStart: Int
    private var consecutiveReceiveErrors = 0

    init(input: FormatInput, plan: SamplingPlan, options: SampleOptions, limits: MediaLimits) throws {
        self.input = input
        self.plan = plan
        self.options = options
        damageAtStart = input.damage.count
        frameDuration = input.info.frameRate.map { 1 / $0 }
        let targets = try validatedTargets(plan, info: input.info, path: input.path)
        selector = targets.map { FrameSelector(targets: $0) }
        canSeek = targets != nil && input.hasIndex
        decoder = try VideoDecoder(input, threads: options.threads, skipLoopFilter: options.skipLoopFilter, maxPixels: limits.maxPixels)
    }

    /// The next sampled frame, or nil at the end. Throws `MediaError` when nothing decodes at all, on
    /// timeout or cancellation; damage it survived is reported in `summary.warnings`.
    public func next() throws -> VideoFrame? {
        input.watchdog.progress()    // time spent by the caller between frames is not a stall
        while ready.isEmpty {
            if finished { return nil }
            try step()
        }
        return ready.removeFirst()
    }

    // MARK: decode loop

    private func step() throws {
        let status = decoder.receive(frame.frame)
        if status >= 0 {
            consecutiveReceiveErrors = 0
            try accept(frame.frame)
            av_frame_unref(frame.frame)
        } else if status == cdx_averror_eof() || (draining && status == cdx_averror_eagain()) {
            try finish()
        } else if status != cdx_averror_eagain() {
            lastDecodeError = status
            summary.corruptPackets += 1
            consecutiveReceiveErrors += 1
            if consecutiveReceiveErrors > 1000 { try finish() }
        } else if selector?.nextTarget == nil && selector != nil {
            try finish()            // every target served: the rest of the file is not needed
        } else {
            try feed()
        }
    }

    /// Sends the next packet to the decoder (seeking first if that skips work), or starts draining.
    private func feed() throws {
        if let error = input.watchdog.error(path: input.path) { throw error }
        if try seekIfWorthIt() { return }
        try readAhead()
        guard let entry = lookahead.pop() else {
            if endOfInput {
                draining = true
                _ = decoder.send(nil)
            }
            return
        }
        defer { lookahead.recycle(entry) }
        decoder.skipFrame = discardLevel(entry.time)
        var sent = decoder.send(entry.box.packet)
        while sent == cdx_averror_eagain() {        // the decoder wants its output read first
            guard decoder.receive(frame.frame) >= 0 else { break }
            try accept(frame.frame)
            av_frame_unref(frame.frame)
            sent = decoder.send(entry.box.packet)
        }
        if sent < 0 && sent != cdx_averror_eagain() {
            summary.corruptPackets += 1
            lastDecodeError = sent
        }
    }

    /// Fills the lookahead with packets of the video stream until it is full or the input ends.
    private func readAhead() throws {
        while !endOfInput && lookahead.count < PacketLookahead.depth {
            let status = input.read(packet.packet)
            if status == cdx_averror_eagain() { return }
            if status < 0 {
                if let error = input.watchdog.error(path: input.path) { throw error }
                if status != cdx_averror_eof() { readError = status }
                endOfInput = true
                return
            }
            let p = packet.packet.pointee
            guard p.stream_index == input.streamIndex else { av_packet_unref(packet.packet); continue }
            note(p)
            if case .keyframes = plan, p.flags & AV_PKT_FLAG_KEY == 0 { av_packet_unref(packet.packet); continue }
            lookahead.push(moving: packet.packet, time: p.pts == cdx_nopts() ? nil : input.seconds(p.pts))
        }
    }

    /// Bookkeeping for a packet of the video stream: damage flags, read position, coverage.
    private func note(_ p: AVPacket) {
        if p.flags & AV_PKT_FLAG_CORRUPT != 0 { summary.corruptPackets += 1 }
        let ts = p.dts != cdx_nopts() ? p.dts : p.pts
        if ts != cdx_nopts() { lastReadTime = input.seconds(ts) }
        if p.pts != cdx_nopts() { coveredUntil = max(coveredUntil, input.seconds(p.pts) + Double(max(0, p.duration)) * input.timeBase) }
    }

    /// NONKEY for keyframe plans; NONREF for a frame that cannot be nearest to a target; else nothing.
    private func discardLevel(_ time: Double?) -> AVDiscard {
        if case .keyframes = plan { return AVDISCARD_NONKEY }
        guard let time, let targets = selector?.targets else { return AVDISCARD_DEFAULT }
        return lookahead.isNeighbourOfATarget(time, targets) ? AVDISCARD_DEFAULT : AVDISCARD_NONREF
    }

    /// Seeks to the keyframe before the next target when it lies well ahead of the read position.
    /// The container index tells where that keyframe is; FFmpeg's own backward seek to a time a few
    /// frames before the target gets there. At most one seek per target, so a container whose seeks land
    /// early cannot loop.
    private func seekIfWorthIt() throws -> Bool {
        guard canSeek, !draining, let selector, let target = selector.nextTarget, selector.next != lastSeekTarget else { return false }
        let fd = frameDuration ?? 0.04
        let seekTime = target - 5 * fd
        guard let keyframe = input.keyframe(atOrBefore: seekTime) else { return false }
        let keyTime = input.seconds(keyframe)
        guard keyTime - lastReadTime > max(0.5, 8 * fd) else { return false }
        lastSeekTarget = selector.next
        guard input.seek(to: seekTime) else {
            if let error = input.watchdog.error(path: input.path) { throw error }
            canSeek = false
            return false
        }
        decoder.flush()
        lookahead.clear()
        endOfInput = false
        self.selector?.forgetPrevious()
        lastReadTime = keyTime
        summary.seeks += 1
        return true
    }

    // MARK: frames

    /// A decoded frame: timestamp it, then keep it (keyframe plan) or offer it to the selector.
    private func accept(_ f: UnsafeMutablePointer<AVFrame>) throws {
        input.watchdog.progress()
        summary.decodedFrames += 1
        if f.pointee.decode_error_flags != 0 || f.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 { summary.corruptFrames += 1 }
        let t = input.seconds(timestamp(f))
        summary.lastFrameTime = max(summary.lastFrameTime ?? t, t)
        guard var selector else {
            try emit(f, time: t, index: keyframesSeen)
            keyframesSeen += 1
            return
        }
        guard let box = FrameBox.reference(f) else { return }
        let picks = selector.offer(time: t, box)
        self.selector = selector
        for pick in picks { try emit(pick.payload.frame, time: pick.time, index: pick.target) }
    }

    /// best_effort_timestamp, else pts, else the previous one plus a frame.
    private func timestamp(_ f: UnsafeMutablePointer<AVFrame>) -> Int64 {
        var ts = f.pointee.best_effort_timestamp
        if ts == cdx_nopts() { ts = f.pointee.pts }
        if ts == cdx_nopts() {
            let step = max(1, clampedInt64((frameDuration ?? 0.04) / input.timeBase))
            ts = (previousTimestamp ?? input.startTimestamp &- step) &+ step
        }
        previousTimestamp = ts
        return ts
    }

    private func emit(_ f: UnsafeMutablePointer<AVFrame>, time: Double, index: Int) throws {
        guard var image = converter.rgb(f, scale: options.scale) else {
            let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: f.pointee.format)).map { String(cString: $0) } ?? "unknown"
            throw MediaError.undecodable(path: input.path, detail: "pixel format \(name) cannot be converted to RGB")
        }
        if input.info.rotation != 0 { image = image.rotatedClockwise(input.info.rotation) }
        ready.append(VideoFrame(time: time, image: image, sampleIndex: index, isKeyframe: f.pointee.key_frame != 0))
        summary.frames += 1
    }

    /// End of the stream (or of the targets): the last frame may serve a final target; then the report.
    private func finish() throws {
        if var selector {
            for pick in selector.finish(end: input.info.duration) { try emit(pick.payload.frame, time: pick.time, index: pick.target) }
            self.selector = selector
        }
        finished = true
        selector = nil
        guard summary.decodedFrames > 0 else {
            let cause = (lastDecodeError ?? readError).map(ffmpegMessage) ?? "the stream holds no decodable picture"
            throw MediaError.undecodable(path: input.path, detail: cause)
        }
        reportDamage()
    }

    private func reportDamage() {
        let path = input.path
        let fd = frameDuration ?? 0.04
        let covered = max(coveredUntil, (summary.lastFrameTime ?? 0) + fd)
        if let readError {
            summary.warnings.append(.truncated(path: path, decodedUntil: covered, duration: input.info.duration ?? covered,
                                               detail: "read error: \(ffmpegMessage(readError))"))
        } else if draining, let duration = input.info.duration, covered < duration - max(0.5, 3 * fd) {
            summary.warnings.append(.truncated(path: path, decodedUntil: covered, duration: duration,
                                               detail: "the data stops early"))
        }
        summary.errorReports = input.damage.count - damageAtStart
        if summary.corruptPackets > 0 || summary.corruptFrames > 0 || summary.errorReports > 0 {
            summary.warnings.append(.corruptData(path: path, packets: summary.corruptPackets, frames: summary.corruptFrames,
                                                 reports: summary.errorReports))
        }
    }
}

/// The targets of a plan, after checking that the plan makes sense for this file.
private func validatedTargets(_ plan: SamplingPlan, info: VideoInfo, path: String) throws -> TargetTimes? {
    switch plan {
    case .keyframes:
        return nil
    case .fps(let rate):
        guard rate > 0, rate <= 1000 else {
            throw MediaError.invalidPlan(path: path, detail: "sampling rate \(rate) must be above 0 and at most 1000 frames per second")
        }
    case .count(let n, let range):
        guard n > 0 else { throw MediaError.invalidPlan(path: path, detail: "frame count \(n) must be positive") }
        if range == nil && !(info.duration ?? 0 > 0) { throw MediaError.unknownDuration(path: path) }
        if let range, !(range.upperBound > range.lowerBound && range.lowerBound >= 0) {
            throw MediaError.invalidPlan(path: path, detail: "time range \(range) is empty or negative")
        }
    }
    return TargetTimes.plan(plan, duration: info.duration)
}
