import Imaging

/// Which frames to take from a video.
public enum SamplingPlan: Sendable, Equatable {
    /// `rate` frames per second: targets at t = 0, 1/rate, 2/rate, … before the end. Each target gets the
    /// decoded frame nearest to it (with its true timestamp); a frame never serves two targets, so a
    /// rate above the video's own gives each frame once.
    case fps(Double)
    /// Every keyframe (intra frame), nothing else decoded: the cheapest overview of a file.
    case keyframes
    /// `count` frames at the centres of `count` equal slices of `range` seconds (default: the whole file).
    case count(Int, range: ClosedRange<Double>? = nil)
}

/// The size sampled frames are converted to RGB at.
public enum FrameScale: Sendable, Equatable {
    /// The stored size (rotated for display).
    case original
    /// Shrunk in the YUV→RGB conversion (swscale bicubic) so the shorter side is `minShorterSide`, unless
    /// it is already that small: cheap previews and thumbnails. Not for model input: a Pillow resize
    /// after this one is not Pillow's single resize. Converting at twice the model size and then
    /// preprocessing to 224 differed from preprocessing the full frame by mean 0.004–0.007 and max
    /// 0.14–0.26 (normalised; 720p testsrc2 and 1080p mandelbrot), beyond the engine's 0.005 / 0.06.
    case reduced(minShorterSide: Int)
}

/// How to decode. The defaults decode faithfully; `.modelInput()` is the faster preset for indexing.
public struct SampleOptions: Sendable, Equatable {
    /// Decoder threads; 0 = one per core.
    public var threads: Int
    /// Size of the RGB frames handed out.
    public var scale: FrameScale
    /// Skip H.264/HEVC deblocking (`skip_loop_filter = AVDISCARD_ALL`): 15–25% less decoding. Frames
    /// then differ from a full decode by drift that grows through each GOP: preprocessed to 224 px, a
    /// 1080p x264 testsrc2 file with an 8-second GOP differed by mean ≤ 0.0055, max ≤ 0.28 (normalised)
    /// by the end of the GOP.
    public var skipLoopFilter: Bool

    public init(threads: Int = 0, scale: FrameScale = .original, skipLoopFilter: Bool = false) {
        self.threads = threads
        self.scale = scale
        self.skipLoopFilter = skipLoopFilter
    }
}

/// One sampled frame, ready for the caller's preprocessing.
public struct VideoFrame: Sendable {
    /// Presentation time in seconds from the stream start (the first frame is t = 0).
    public var time: Double
    /// RGB pixels, rotated for display.
    public var image: RGBImage
    /// The target this frame was chosen for (k for `.fps`/`.count`), or its running number for `.keyframes`.
    public var sampleIndex: Int
    /// Whether the decoder marked it as a keyframe.
    public var isKeyframe: Bool
}

/// What a sampling run did, and what it survived.
public struct SampleSummary: Sendable {
    /// Frames handed to the caller.
    public var frames = 0
    /// Frames the decoder produced (kept or not).
    public var decodedFrames = 0
    /// Packets the decoder rejected or the demuxer flagged as damaged.
    public var corruptPackets = 0
    /// Frames the decoder output with errors concealed.
    public var corruptFrames = 0
    /// Errors FFmpeg reported about the file while sampling (demuxer resyncs, broken slices).
    public var errorReports = 0
    /// Keyframe seeks made to skip unneeded stretches.
    public var seeks = 0
    /// Time of the last frame decoded, if any.
    public var lastFrameTime: Double?
    /// Truncation and corruption reports (the frames delivered are still good).
    public var warnings: [MediaWarning] = []
}

extension SampleOptions {
    /// What the index pipeline and `clipdex bench decode` use to feed a model: RGB at the stored size
    /// (the caller's Pillow-compatible preprocessing does the one resize), deblocking skipped.
    public static func modelInput(threads: Int = 0) -> SampleOptions {
        SampleOptions(threads: threads, scale: .original, skipLoopFilter: true)
    }
}
