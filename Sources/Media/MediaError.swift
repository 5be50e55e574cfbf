import Foundation

/// Why a video could not be opened or sampled. Every message names the file, the cause and what to do.
public enum MediaError: Error, Equatable, CustomStringConvertible {
    /// No such file, or not a regular file (a directory, a FIFO, a device).
    case missing(path: String, detail: String)
    /// The file has zero bytes.
    case empty(path: String)
    /// FFmpeg does not recognise the container, or it is a still image / text rather than a video.
    case notAVideo(path: String, detail: String)
    /// A container FFmpeg reads, but without a video stream (audio only, cover art only, data).
    case noVideoStream(path: String, streams: String)
    /// A video stream whose codec this FFmpeg build cannot decode.
    case unsupportedCodec(path: String, codec: String)
    /// Width or height is zero, negative or beyond what any encoder produces.
    case invalidDimensions(path: String, width: Int, height: Int)
    /// A configured limit (`MediaLimits`) is exceeded: pixels, duration or file size.
    case limitExceeded(path: String, what: String, value: String, limit: String)
    /// The stream opened but not a single frame decoded.
    case undecodable(path: String, detail: String)
    /// The plan needs a duration the file does not declare (e.g. `.count` over the whole file of a raw stream).
    case unknownDuration(path: String)
    /// A sampling plan or option that cannot be run (non-positive rate, empty range).
    case invalidPlan(path: String, detail: String)
    /// The per-file time limit passed (a stalled read or a very slow file).
    case timedOut(path: String, seconds: Double)
    /// `VideoFile.cancel()` was called.
    case cancelled(path: String)

    public var path: String {
        switch self {
        case .missing(let p, _), .empty(let p), .notAVideo(let p, _), .noVideoStream(let p, _),
             .unsupportedCodec(let p, _), .invalidDimensions(let p, _, _), .limitExceeded(let p, _, _, _),
             .undecodable(let p, _), .unknownDuration(let p), .invalidPlan(let p, _), .timedOut(let p, _),
             .cancelled(let p):
            return p
        }
    }

    public var description: String {
        switch self {
        case .missing(let p, let detail):
            return "\(p): \(detail); check the path"
        case .empty(let p):
            return "\(p): the file is empty (0 bytes); it may still be copying or be a failed download"
        case .notAVideo(let p, let detail):
            return "\(p): not a video file (\(detail)); give a video in a container and codec FFmpeg reads"
        case .noVideoStream(let p, let streams):
            return "\(p): no video stream (the file holds \(streams)); only files with video can be indexed"
        case .unsupportedCodec(let p, let codec):
            return "\(p): video codec '\(codec)' is not supported by this FFmpeg build; re-encode it (e.g. to H.264)"
        case .invalidDimensions(let p, let w, let h):
            return "\(p): invalid frame size \(w)×\(h); the file is corrupt"
        case .limitExceeded(let p, let what, let value, let limit):
            return "\(p): \(what) \(value) exceeds the limit of \(limit); raise the limit to accept it"
        case .undecodable(let p, let detail):
            return "\(p): no frame could be decoded (\(detail)); the file is corrupt or truncated"
        case .unknownDuration(let p):
            return "\(p): the file declares no duration; sample it by rate (fps) instead of by count"
        case .invalidPlan(let p, let detail):
            return "\(p): \(detail)"
        case .timedOut(let p, let s):
            return "\(p): gave up after \(formatSeconds(s)) without progress (stalled read or pathological file); raise the timeout if the file is fine"
        case .cancelled(let p):
            return "\(p): cancelled"
        }
    }
}

/// Problems a sampling run survived: the frames it delivered are good, but the caller should know.
public enum MediaWarning: Equatable, Sendable, CustomStringConvertible {
    /// The stream ended (or became unreadable) before its declared duration.
    case truncated(path: String, decodedUntil: Double, duration: Double, detail: String)
    /// Damage survived: packets the decoder rejected or the demuxer flagged, frames decoded with errors
    /// concealed, and the errors FFmpeg reported while reading (resyncs, broken slices).
    case corruptData(path: String, packets: Int, frames: Int, reports: Int)

    public var description: String {
        switch self {
        case .truncated(let p, let until, let duration, let detail):
            return "\(p): the video ends at \(formatSeconds(until)) of its declared \(formatSeconds(duration)) (\(detail)); frames up to there were kept, the rest is missing (truncated file?)"
        case .corruptData(let p, let packets, let frames, let reports):
            return "\(p): damaged data: \(packets) packet(s) skipped, \(frames) frame(s) with concealed errors, \(reports) error report(s) from FFmpeg; the rest of the video was used"
        }
    }
}

func formatSeconds(_ s: Double) -> String {
    s.isFinite ? String(format: "%.2f s", s) : "unknown time"
}
