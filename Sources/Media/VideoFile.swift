import CFFmpeg

/// A video file opened through FFmpeg: its description and its sampled frames.
///
///     let video = try VideoFile(path, limits: MediaLimits())
///     print(video.info.duration, video.info.width, video.info.rotation)
///     let summary = try video.sample(.fps(1), options: .modelInput()) { frame in
///         // frame.time (s from the stream start), frame.image (RGB, rotated for display)
///     }
///     summary.warnings.forEach { print($0) }     // truncation, corrupt packets
///
/// Any container and codec the installed FFmpeg reads. Opening reads only the headers (typed
/// `MediaError` for empty, non-video, audio-only, unsupported or over-limit files). Sampling streams:
/// memory does not grow with duration. Use one `VideoFile` from one thread at a time (it may move
/// between threads); `cancel()` may be called from any thread.
public final class VideoFile {
    public let path: String
    public let info: VideoInfo
    public let limits: MediaLimits
    private let input: FormatInput
    private let watchdog: Watchdog
    private var used = false

    /// Opens `path` and reads its headers. The time limits in `limits` apply from here on.
    public init(_ path: String, limits: MediaLimits = MediaLimits()) throws {
        self.path = path
        self.limits = limits
        watchdog = Watchdog(limits: limits)
        input = try FormatInput(path: path, limits: limits, watchdog: watchdog)
        info = input.info
    }

    /// A pull-based sampler over the whole file. A second sampler on the same file starts again at
    /// the beginning; do not interleave two.
    public func frames(_ plan: SamplingPlan = .fps(1), options: SampleOptions = SampleOptions()) throws -> FrameSampler {
        if used && !input.rewind() {
            throw MediaError.invalidPlan(path: path, detail: "the file cannot be read a second time (not seekable); open it again")
        }
        used = true
        watchdog.progress()
        return try FrameSampler(input: input, plan: plan, options: options, limits: limits)
    }

    /// Calls `body` with each sampled frame in time order; returns what the run survived.
    @discardableResult
    public func sample(_ plan: SamplingPlan = .fps(1), options: SampleOptions = SampleOptions(),
                       _ body: (VideoFrame) throws -> Void) throws -> SampleSummary {
        let sampler = try frames(plan, options: options)
        while let frame = try sampler.next() { try body(frame) }
        return sampler.summary
    }

    /// Makes the running (or next) sampling throw `MediaError.cancelled` soon; safe from any thread.
    public func cancel() { watchdog.cancel() }
}
