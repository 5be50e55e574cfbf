import Imaging

/// A sampled video frame: its time in seconds from the start and its pixels.
public struct SampledFrame: Sendable {
    public var time: Double
    public var image: RGBImage
    public init(time: Double, image: RGBImage) { self.time = time; self.image = image }
}

/// Decodes a video and hands out frames sampled at a target rate: the seam between the pipeline
/// and the decoder (Media's sampler in production, a fake in tests).
public protocol FrameSource: Sendable {
    /// Samples `path` at `fps` frames per second, calling `frame` for each in time order, and returns
    /// the video's metadata. Errors are `IndexError`s naming the file: `.notAVideo` when it cannot be
    /// decoded (permanent), `.unreadable`/`.fileMissing` otherwise. An error thrown by `frame`
    /// (cancellation) stops the sampling and is rethrown as is.
    func sample(_ path: String, fps: Double, frame: (SampledFrame) throws -> Void) throws -> VideoMetadata
}
