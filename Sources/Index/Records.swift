import Foundation
import GRDB

/// A CLIP model whose embeddings the index holds.
public struct ModelRecord: Sendable, Equatable {
    public var id: Int64
    /// Fingerprint of the weights (`CLIPModel.identity`).
    public var identity: String
    /// Embedding width.
    public var dim: Int
    public var imageSize: Int
    /// The directory the weights were read from: `search` loads the text tower from there.
    public var directory: String

    init(row: Row) {
        id = row["id"]; identity = row["identity"]; dim = row["dim"]
        imageSize = row["image_size"]; directory = row["directory"]
    }
}

/// A video adapter whose segments the index holds.
public struct AdapterRecord: Sendable, Equatable {
    public var id: Int64
    /// Fingerprint of the adapter file (`Adapter.identity`).
    public var identity: String
    /// The file it was read from: `labels add` and `search` reload it from there.
    public var path: String
    /// Its base CLIP's row.
    public var modelID: Int64

    init(row: Row) { id = row["id"]; identity = row["identity"]; path = row["path"]; modelID = row["model_id"] }

    /// The prompt set of its label embeddings in `labels`.
    public var promptSet: String { "adapter:" + identity }
}

/// Where a video stands in the index.
public enum VideoStatus: String, Sendable, Equatable {
    case indexed, failed, queued
}

/// A file's identity on disk and a fingerprint of its content: what decides "unchanged".
public struct FileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time in nanoseconds since 1970.
    public var mtimeNanos: Int64
    /// Hash of the size and of bytes at the head, middle and tail (see `FileIdentity.read`).
    public var fingerprint: String

    public init(device: UInt64, inode: UInt64, size: Int64, mtimeNanos: Int64, fingerprint: String) {
        self.device = device; self.inode = inode; self.size = size
        self.mtimeNanos = mtimeNanos; self.fingerprint = fingerprint
    }

    /// Same content as far as the index tells: same size, mtime and fingerprint.
    public func sameContent(as other: FileIdentity) -> Bool {
        size == other.size && mtimeNanos == other.mtimeNanos && fingerprint == other.fingerprint
    }
}

/// One row of `videos`: an indexed or failed file.
public struct VideoRecord: Sendable, Equatable {
    public var id: Int64
    public var path: String
    /// nil for records without a stat (failures recorded before the file could be read).
    public var file: FileIdentity?
    public var duration: Double?
    public var width: Int?
    public var height: Int?
    public var codec: String?
    public var status: VideoStatus
    public var error: String?
    public var modelID: Int64?
    /// The adapter its segments were made with (nil: frozen CLIP, mean pooling).
    public var adapterID: Int64?
    public var frameCount: Int
    /// Frames sampled per second when it was indexed.
    public var fps: Double?
    /// Seconds since 1970.
    public var indexedAt: Double

    init(row: Row) {
        id = row["id"]; path = row["path"]
        if let size: Int64 = row["size"], let mtime: Int64 = row["mtime_ns"] {
            let dev: Int64 = row["device"] ?? 0, ino: Int64 = row["inode"] ?? 0
            file = FileIdentity(device: UInt64(bitPattern: dev), inode: UInt64(bitPattern: ino), size: size,
                                mtimeNanos: mtime, fingerprint: row["fingerprint"] ?? "")
        }
        duration = row["duration"]; width = row["width"]; height = row["height"]; codec = row["codec"]
        status = VideoStatus(rawValue: row["status"]) ?? .failed
        error = row["error"]; modelID = row["model_id"]; adapterID = row["adapter_id"]; frameCount = row["frame_count"]
        fps = row["fps"]; indexedAt = row["indexed_at"]
    }
}

/// One segment of a video: a stretch of time with one embedding.
public struct SegmentRecord: Sendable, Equatable {
    public var id: Int64
    public var videoID: Int64
    public var modelID: Int64
    /// The adapter that made it (nil: frozen CLIP, mean pooling).
    public var adapterID: Int64?
    public var start: Double
    public var end: Double
    /// Proposal score: 1 for training-free cuts, a learned proposal's confidence otherwise.
    public var score: Double
    public var frameCount: Int

    init(row: Row) {
        id = row["id"]; videoID = row["video_id"]; modelID = row["model_id"]; adapterID = row["adapter_id"]
        start = row["start"]; end = row["end"]; score = row["score"]; frameCount = row["frame_count"]
    }
}

/// A tag of a segment: a label of the vocabulary with its score and rank among the segment's tags.
public struct SegmentTag: Sendable, Equatable {
    public var label: String
    public var score: Double
    public var rank: Int
    public init(label: String, score: Double, rank: Int) { self.label = label; self.score = score; self.rank = rank }
}

/// What a decoder reports about a video.
public struct VideoMetadata: Sendable, Equatable {
    /// Seconds; nil when the container does not say.
    public var duration: Double?
    public var width: Int
    public var height: Int
    public var codec: String

    public init(duration: Double?, width: Int, height: Int, codec: String) {
        self.duration = duration; self.width = width; self.height = height; self.codec = codec
    }
}

/// A segment to store: its span, proposal score, pooled embedding and tags (label ids).
public struct SegmentInput: Sendable {
    public var start: Double
    public var end: Double
    public var score: Double
    /// Indices of the frames it pools, into the video's frame list.
    public var frames: Range<Int>
    /// Unit-length pooled embedding.
    public var embedding: [Float]
    /// (label id in `labels`, score); ranks follow the order given.
    public var tags: [(label: Int64, score: Double)]

    public init(start: Double, end: Double, score: Double, frames: Range<Int>, embedding: [Float],
                tags: [(label: Int64, score: Double)] = []) {
        self.start = start; self.end = end; self.score = score; self.frames = frames
        self.embedding = embedding; self.tags = tags
    }
}

/// Everything one video contributes to the index, committed in one transaction.
public struct VideoContent: Sendable {
    public var metadata: VideoMetadata
    public var fps: Double
    /// Sample times in seconds, ascending.
    public var times: [Double]
    /// Unit-length frame embeddings, one per time.
    public var frames: [[Float]]
    public var segments: [SegmentInput]

    public init(metadata: VideoMetadata, fps: Double, times: [Double], frames: [[Float]], segments: [SegmentInput]) {
        self.metadata = metadata; self.fps = fps; self.times = times; self.frames = frames; self.segments = segments
    }
}
