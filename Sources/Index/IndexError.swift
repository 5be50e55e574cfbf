import Foundation

/// Why an index operation failed. Every case names the file or thing involved and says what to do.
/// `isPermanent` tells the daemon whether retrying can help before the file changes.
public enum IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database could not be opened or written (path, reason).
    case database(String, String)
    /// The file exists but is not a clipdex index (path, reason).
    case notAnIndex(String, String)
    /// No index at this path yet (path).
    case noIndex(String)
    /// A video file is missing (path).
    case fileMissing(String)
    /// A video file cannot be read now: permissions, I/O (path, reason).
    case unreadable(String, String)
    /// The file is not a video FFmpeg can decode, or is corrupt (path, reason). Permanent.
    case notAVideo(String, String)
    /// The video decoded to no frames at all (path).
    case noFrames(String)
    /// The index holds no embeddings of any model, or not of the one asked for (detail).
    case noModel(String)
    /// No segment with this id.
    case unknownSegment(Int64)
    /// No video recorded at this path.
    case unknownVideo(String)
    /// Stopped on request; nothing was committed.
    case cancelled

    /// Whether the same call will fail again until the file changes (not a video, no frames).
    public var isPermanent: Bool {
        switch self {
        case .notAVideo, .noFrames: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case let .database(path, why): return "\(path): \(why)"
        case let .notAnIndex(path, why):
            return "\(path): not a clipdex index (\(why)); pass --db with an index made by `clipdex index`"
        case let .noIndex(path):
            return "\(path): no index there yet; build one with `clipdex index --db \(path) --model DIR VIDEOS...` or pass the right --db"
        case let .fileMissing(path): return "\(path): no such file"
        case let .unreadable(path, why):
            return why.hasPrefix(path) ? why : "\(path): cannot read the file (\(why)); check its permissions"
        case let .notAVideo(path, why):
            return why.hasPrefix(path) ? why : "\(path): not a readable video (\(why))"   // decoder messages name the file already
        case let .noFrames(path): return "\(path): the video has no decodable frames"
        case let .noModel(why): return why
        case let .unknownSegment(id): return "segment \(id): no such segment in the index; `clipdex search` or `clipdex show VIDEO` list segment ids"
        case let .unknownVideo(path): return "\(path): not in the index; `clipdex list` shows the indexed videos"
        case .cancelled: return "cancelled"
        }
    }
}
