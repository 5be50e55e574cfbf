import Foundation

/// What a video file declares about its chosen video stream (read from the headers, nothing decoded).
public struct VideoInfo: Sendable, Equatable {
    /// Duration in seconds of the video stream (the container's when the stream has none); nil if unknown.
    public var duration: Double?
    /// Mean frame rate (frames per second); nil if the container does not say.
    public var frameRate: Double?
    /// Stored frame size, before display rotation (what ffprobe reports).
    public var width: Int
    public var height: Int
    /// Clockwise rotation (0, 90, 180, 270) a player applies for display; sampled frames are already rotated.
    public var rotation: Int
    /// FFmpeg's short codec name ("h264", "hevc", "vp9", "av1", "mpeg4", "mjpeg", ...).
    public var codec: String
    /// Decoded pixel format ("yuv420p", "yuvj422p", ...), or "unknown".
    public var pixelFormat: String
    /// Colour matrix and range the stream declares ("bt709", "unknown"; "tv", "pc", "unknown").
    public var colorSpace: String
    public var colorRange: String
    /// The stream's first timestamp in seconds. Sample times are measured from here (the first frame is t = 0).
    public var startTime: Double
    /// Frame count from the container index, if it has one.
    public var frameCount: Int?
    /// Bits per second of the stream (or of the whole file), if known.
    public var bitRate: Int?
    /// Demuxer name ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi", ...).
    public var container: String
    /// Index of the chosen stream in the container, and the number of video streams there.
    public var streamIndex: Int
    public var videoStreams: Int
    /// File size in bytes.
    public var fileSize: Int64

    /// Frame size after rotation: what sampled frames measure.
    public var displayWidth: Int { rotation % 180 == 0 ? width : height }
    public var displayHeight: Int { rotation % 180 == 0 ? height : width }

    /// The fields as a JSON-ready dictionary (snake_case keys; unknown values are null).
    public var jsonObject: [String: Any] {
        func orNull(_ v: Any?) -> Any { v ?? NSNull() }
        return [
            "duration": orNull(duration), "fps": orNull(frameRate), "width": width, "height": height,
            "display_width": displayWidth, "display_height": displayHeight, "rotation": rotation,
            "codec": codec, "pixel_format": pixelFormat, "color_space": colorSpace, "color_range": colorRange,
            "start_time": startTime, "frame_count": orNull(frameCount), "bit_rate": orNull(bitRate),
            "container": container, "stream_index": streamIndex, "video_streams": videoStreams,
            "file_size": fileSize,
        ]
    }
}
