import ArgumentParser
import Media

/// `clipdex probe FILE`: what a video declares (duration, size, rate, codec, rotation, ...), nothing decoded.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Describe a video file: duration, frame size, frame rate, codec, rotation, start time.")

    @Argument(help: "A video file in any container and codec FFmpeg reads.") var file: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let info: VideoInfo
        do { info = try VideoFile(file).info } catch { fail("\(error)") }
        if json { try printJSON(info.jsonObject); return }
        let rows: [(String, String)] = [
            ("duration", info.duration.map { String(format: "%.3f s", $0) } ?? "unknown"),
            ("size", "\(info.width)×\(info.height)" + (info.rotation != 0 ? " (displayed \(info.displayWidth)×\(info.displayHeight))" : "")),
            ("fps", info.frameRate.map { String(format: "%.3f", $0) } ?? "unknown"),
            ("codec", "\(info.codec) (\(info.pixelFormat), colour \(info.colorSpace)/\(info.colorRange))"),
            ("rotation", "\(info.rotation)°"),
            ("start time", String(format: "%.3f s", info.startTime)),
            ("frames", info.frameCount.map(String.init) ?? "unknown"),
            ("container", "\(info.container), stream \(info.streamIndex) of \(info.videoStreams) video stream(s)"),
        ]
        for (k, v) in rows { print("\(k.padding(toLength: 11, withPad: " ", startingAt: 0)) \(v)") }
    }
}
