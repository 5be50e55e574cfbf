import Index
import Media

/// Index's `FrameSource` over Media's in-process FFmpeg sampler: no `ffmpeg`/`ffprobe` processes
/// per file (which cost the daemon about 0.4 s of CPU each on tiny files), frames converted at
/// the model's input scale with deblocking skipped (`SampleOptions.modelInput`).
struct MediaFrameSource: FrameSource {
    /// The model's input side.
    let modelSize: Int
    /// Decoder threads.
    let threads: Int

    func sample(_ path: String, fps: Double, frame: (SampledFrame) throws -> Void) throws -> VideoMetadata {
        do {
            let video = try VideoFile(path)
            try video.sample(.fps(fps), options: .modelInput(size: modelSize, threads: threads)) { f in
                try frame(SampledFrame(time: f.time, image: f.image))
            }
            return VideoMetadata(duration: video.info.duration, width: video.info.width, height: video.info.height,
                                 codec: video.info.codec)
        } catch let e as MediaError {
            throw Self.indexError(e)
        }
    }

    /// Media's errors as the Index's: decoding problems are permanent (`notAVideo`), the rest transient.
    static func indexError(_ e: MediaError) -> IndexError {
        switch e {
        case let .missing(path, _): return .fileMissing(path)
        case let .timedOut(path, _): return .unreadable(path, e.description)
        case .cancelled: return .cancelled
        default: return .notAVideo(e.path, e.description)
        }
    }
}
