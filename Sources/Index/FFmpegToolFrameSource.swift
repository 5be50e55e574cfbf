import Foundation
import Imaging

/// A `FrameSource` over the `ffmpeg`/`ffprobe` programs: probes with ffprobe, then reads frames
/// sampled by ffmpeg's `fps` filter as raw RGB from a pipe. The stand-in until Media's in-process
/// sampler is wired in; with `squareSide` set, ffmpeg also resizes the short side (bicubic) and
/// centre-crops, so frames arrive at the model's input size.
public struct FFmpegToolFrameSource: FrameSource {
    public var squareSide: Int?
    public init(squareSide: Int? = nil) { self.squareSide = squareSide }

    public func sample(_ path: String, fps: Double, frame: (SampledFrame) throws -> Void) throws -> VideoMetadata {
        let meta = try probe(path)
        var filter = "fps=\(fps)"
        var (w, h) = (meta.width, meta.height)
        if let s = squareSide {
            filter += ",scale='if(gt(iw,ih),-2,\(s))':'if(gt(iw,ih),\(s),-2)':flags=bicubic,crop=\(s):\(s)"
            (w, h) = (s, s)
        }
        let p = try Self.start(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-vf", filter,
                                "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        let bytes = w * h * 3
        var i = 0
        do {
            while let data = try p.out.read(upToCount: bytes), data.count == bytes {
                try frame(SampledFrame(time: Double(i) / fps, image: RGBImage(width: w, height: h, pixels: [UInt8](data))))
                i += 1
            }
        } catch {
            p.process.terminate(); p.process.waitUntilExit()
            throw error
        }
        p.process.waitUntilExit()
        if p.process.terminationStatus != 0 && i == 0 {
            throw IndexError.notAVideo(path, "ffmpeg could not decode it")
        }
        return meta
    }

    /// Width, height, codec and duration of the first video stream.
    public func probe(_ path: String) throws -> VideoMetadata {
        guard FileManager.default.fileExists(atPath: path) else { throw IndexError.fileMissing(path) }
        guard FileManager.default.isReadableFile(atPath: path) else { throw IndexError.unreadable(path, "permission denied") }
        let p = try Self.start(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                "stream=width,height,codec_name:format=duration", "-of", "json", path])
        let data = try p.out.readToEnd() ?? Data()
        p.process.waitUntilExit()
        guard p.process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let stream = (json["streams"] as? [[String: Any]])?.first,
              let w = stream["width"] as? Int, let h = stream["height"] as? Int, w > 0, h > 0 else {
            throw IndexError.notAVideo(path, "no video stream that FFmpeg can read")
        }
        let duration = ((json["format"] as? [String: Any])?["duration"] as? String).flatMap(Double.init)
        return VideoMetadata(duration: duration, width: w, height: h, codec: stream["codec_name"] as? String ?? "unknown")
    }

    private static func start(_ argv: [String]) throws -> (process: Process, out: FileHandle) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw IndexError.notAVideo(argv[0], "cannot run \(argv[0]): install FFmpeg (apt-get install ffmpeg)")
        }
        return (process, pipe.fileHandleForReading)
    }
}
