import Foundation

/// Errors of the generator, each naming what went wrong and what to do.
public enum SynthError: Error, CustomStringConvertible {
    case ffmpegMissing
    case ffmpegFailed(String, String)
    case badFormat(String)
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .ffmpegMissing:
            "the ffmpeg program is not on PATH; install it (Debian: apt-get install ffmpeg) to write synthetic videos"
        case .ffmpegFailed(let path, let message): "\(path): ffmpeg failed to encode the video: \(message)"
        case .badFormat(let detail): detail
        case .cannotWrite(let path, let detail): "\(path): cannot write (\(detail)); check the folder is writable"
        }
    }
}

/// Encodes raw RGB frames to an H.264 MP4 (yuv420p) by piping them to the `ffmpeg` program.
public final class VideoWriter {
    private let process = Process()
    private let input = Pipe()
    private let errors = Pipe()
    private let path: String

    /// The ffmpeg executable on PATH, or nil.
    public static func ffmpegPath() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts ffmpeg writing `path` (overwritten) for frames of width × height at `fps`.
    public init(path: String, format: VideoFormat) throws {
        guard let ffmpeg = Self.ffmpegPath() else { throw SynthError.ffmpegMissing }
        signal(SIGPIPE, SIG_IGN)        // an ffmpeg that dies early must give an error, not kill us
        self.path = path
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        process.arguments = ["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24",
                             "-s", "\(format.width)x\(format.height)", "-r", "\(format.fps)", "-i", "-",
                             "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                             "-g", "\(format.fps * 2)", "-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
                             "-map_metadata", "-1", "-movflags", "+faststart", path]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do { try process.run() } catch { throw SynthError.ffmpegFailed(path, "cannot start \(ffmpeg): \(error)") }
    }

    /// Sends one frame (width × height × 3 bytes).
    public func write(_ rgb: [UInt8]) throws {
        do { try input.fileHandleForWriting.write(contentsOf: rgb) } catch { throw SynthError.ffmpegFailed(path, finishMessage()) }
    }

    /// Closes the input and waits for ffmpeg; throws with its last error line if it failed.
    public func finish() throws {
        try? input.fileHandleForWriting.close()
        let message = finishMessage()
        guard process.terminationStatus == 0 else { throw SynthError.ffmpegFailed(path, message) }
    }

    private func finishMessage() -> String {
        try? input.fileHandleForWriting.close()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
    }
}

extension Scene {
    /// Renders every frame and encodes the video to `path`.
    public func writeVideo(to path: String) throws {
        let writer = try VideoWriter(path: path, format: VideoFormat(width: width, height: height, fps: fps))
        for k in 0..<frameCount { try writer.write(render(frame: k)) }
        try writer.finish()
    }
}
