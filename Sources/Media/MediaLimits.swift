/// What a video may cost before it is refused, and how long FFmpeg may stall on it.
/// Exceeding a size limit is a `MediaError.limitExceeded`; exceeding a time limit is `.timedOut`.
public struct MediaLimits: Sendable, Equatable {
    /// Largest frame, width × height. Default 40 MP: 8K (7680×4320 ≈ 33 MP) passes, absurd headers do not.
    public var maxPixels: Int
    /// Largest width or height on its own (guards against 1×40,000,000 frames).
    public var maxDimension: Int
    /// Longest declared duration in seconds. Default 24 h.
    public var maxDuration: Double
    /// Largest file in bytes. Default 256 GiB.
    public var maxFileSize: Int64
    /// Seconds without progress (no packet read, no frame decoded) before giving up on a file.
    public var stallTimeout: Double
    /// Wall-clock seconds for one file from open to the end of sampling; nil = no total limit
    /// (a two-hour 4K file can legitimately take a long time; stalls are caught by `stallTimeout`).
    public var totalTimeout: Double?

    public init(maxPixels: Int = 40_000_000, maxDimension: Int = 16_384, maxDuration: Double = 24 * 3600,
                maxFileSize: Int64 = 256 << 30, stallTimeout: Double = 30, totalTimeout: Double? = nil) {
        self.maxPixels = maxPixels
        self.maxDimension = maxDimension
        self.maxDuration = maxDuration
        self.maxFileSize = maxFileSize
        self.stallTimeout = stallTimeout
        self.totalTimeout = totalTimeout
    }
}
