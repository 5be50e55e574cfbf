import Media

/// The production `FrameSource`: Media's in-process FFmpeg sampler (`VideoFile` + `FrameSampler`),
/// with its typed `MediaError`s mapped to `IndexError`s (permanent for files that are not videos,
/// transient for time-outs and missing files).
public struct MediaFrameSource: FrameSource {
    /// Decoder threads and the RGB size frames are converted at.
    public var options: SampleOptions
    public var limits: MediaLimits

    /// With `modelInputSize`, Media's indexing options (`SampleOptions.modelInput`, as the daemon
    /// uses): frames at their stored size for CLIP's one Pillow-exact resize, deblocking skipped.
    /// Without it, plain full-size frames.
    public init(modelInputSize: Int? = nil, decoderThreads: Int = 0, limits: MediaLimits = MediaLimits()) {
        options = modelInputSize.map { _ in SampleOptions.modelInput(threads: decoderThreads) }
            ?? SampleOptions(threads: decoderThreads)
        self.limits = limits
    }

    public func sample(_ path: String, fps: Double, frame: (SampledFrame) throws -> Void) throws -> VideoMetadata {
        do {
            let video = try VideoFile(path, limits: limits)
            let sampler = try video.frames(.fps(fps), options: options)
            while let f = try sampler.next() { try frame(SampledFrame(time: f.time, image: f.image)) }
            let info = video.info
            return VideoMetadata(duration: info.duration, width: info.displayWidth, height: info.displayHeight, codec: info.codec)
        } catch let e as MediaError {
            throw Self.indexError(e)
        }
    }

    static func indexError(_ e: MediaError) -> IndexError {
        switch e {
        case let .missing(path, _): return .fileMissing(path)
        case let .timedOut(path, _): return .unreadable(path, e.description)
        case .cancelled: return .cancelled
        default: return .notAVideo(e.path, e.description)
        }
    }
}
