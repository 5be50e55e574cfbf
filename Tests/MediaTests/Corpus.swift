import Foundation
import Imaging
import XCTest

/// Test videos made with the ffmpeg CLI at test time (tiny: 64–160 px, 1–4 s), each on first use,
/// in one temporary folder per test process; and what the ffmpeg CLI / ffprobe say about them.
final class Corpus: @unchecked Sendable {
    static let shared = Corpus()

    let dir: String
    private let lock = NSLock()
    private var made: Set<String> = []

    private init() {
        dir = NSTemporaryDirectory() + "clipdex-media-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// testsrc2 (moving, coloured, with text: every frame differs) at a size, rate and duration.
    static func source(_ size: String, rate: Int = 25, seconds: Double = 2) -> [String] {
        ["-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate)", "-t", "\(seconds)"]
    }

    /// Encoding recipes: file name → ffmpeg arguments before the output path.
    static let recipes: [String: [String]] = [
        "h264.mp4": source("160x120", seconds: 3) + ["-c:v", "libx264", "-g", "12", "-bf", "3", "-pix_fmt", "yuv420p"],
        "h264_gop10.mp4": source("96x64", seconds: 4) + ["-c:v", "libx264", "-g", "10", "-pix_fmt", "yuv420p"],
        "hevc.mkv": source("128x96") + ["-c:v", "libx265", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p"],
        "vp9.webm": source("128x96") + ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "15"],
        "av1.mkv": source("64x64", seconds: 1) + (Corpus.av1Encoder.map { ["-c:v", $0] + (Corpus.av1Speed[$0] ?? []) } ?? []),
        "mpeg4.avi": source("160x120") + ["-c:v", "mpeg4", "-bf", "2", "-q:v", "3"],
        "mjpeg.mov": source("96x64") + ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj422p"],
        "odd444.mkv": source("67x45") + ["-c:v", "libx264", "-pix_fmt", "yuv444p"],
        "odd.webm": source("75x49") + ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"],
        "offset.ts": source("96x64") + ["-c:v", "libx264", "-bf", "2", "-g", "12", "-pix_fmt", "yuv420p", "-f", "mpegts"],
        "vfr.mkv": source("96x64", seconds: 3) + ["-vf", "select=lt(mod(n\\,7)\\,4)", "-fps_mode", "passthrough",
                                                   "-c:v", "libx264", "-pix_fmt", "yuv420p"],
        // Lossless H.264 (qp 0) in three colour encodings of the same RGB source.
        "bt709.mp4": source("128x96") + ["-vf", "scale=out_color_matrix=bt709:out_range=tv", "-c:v", "libx264", "-qp", "0",
                                         "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709",
                                         "-color_trc", "bt709", "-color_range", "tv"],
        "fullrange.mp4": source("128x96") + ["-vf", "scale=out_range=pc", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuvj420p"],
        "bt601.mp4": source("128x96") + ["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p"],
        "hd.mp4": source("1280x720", seconds: 0.2) + ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
        "audio.m4a": ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac"],
        // Audio first, video second: the video stream must still be found.
        "withaudio.mp4": ["-f", "lavfi", "-i", "testsrc2=size=128x96:rate=25", "-f", "lavfi", "-i", "sine=frequency=300",
                          "-map", "1:a", "-map", "0:v", "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"],
        "faststart.mp4": source("160x120", seconds: 3) + ["-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
        "stream.mkv": source("160x120", seconds: 3) + ["-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p"],
        "mjpeg.avi": source("64x48", seconds: 1) + ["-c:v", "mjpeg", "-q:v", "5"],
    ]

    /// Files derived from another by stream copy: name → (source, options before -i, options after it).
    /// (The mov muxer's `rotate` tag is the counter-clockwise angle FFmpeg reports; players turn the other way.)
    static let derived: [String: (source: String, before: [String], after: [String])] = [
        "rot90.mp4": ("h264.mp4", [], ["-c", "copy", "-metadata:s:v:0", "rotate=270"]),
        "rot180.mp4": ("h264.mp4", [], ["-c", "copy", "-metadata:s:v:0", "rotate=180"]),
        "rot270.mp4": ("h264.mp4", [], ["-c", "copy", "-metadata:s:v:0", "rotate=90"]),
        // Cut mid-GOP by stream copy: the mp4 keeps the lead-in frames and an edit list hides them.
        "editlist.mp4": ("stream.mkv", ["-ss", "0.5"], ["-c", "copy"]),
    ]

    /// The path of a corpus file, encoding it first if needed.
    func path(_ name: String) throws -> String {
        lock.lock(); defer { lock.unlock() }
        return try makeLocked(name)
    }

    private func makeLocked(_ name: String) throws -> String {
        let out = dir + "/" + name
        if made.contains(name) { return out }
        if let args = Self.recipes[name] {
            _ = try Tool.run("ffmpeg", ["-nostdin", "-v", "error", "-y"] + args + [out])
        } else if let recipe = Self.derived[name] {
            let input = try makeLocked(recipe.source)
            _ = try Tool.run("ffmpeg", ["-nostdin", "-v", "error", "-y"] + recipe.before + ["-i", input] + recipe.after + [out])
        } else {
            throw CorpusError("no recipe for \(name)")
        }
        made.insert(name)
        return out
    }

    /// The first AV1 encoder this ffmpeg has (AV1 files are part of the corpus only where one exists).
    static let av1Encoder: String? = {
        let list = (try? Tool.run("ffmpeg", ["-hide_banner", "-encoders"])).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return ["libsvtav1", "libaom-av1", "librav1e"].first { name in list.contains(" \(name) ") }
    }()
    static let av1Speed = ["libsvtav1": ["-preset", "12"], "libaom-av1": ["-cpu-used", "8"], "librav1e": ["-speed", "10"]]

    /// Corpus names, without the AV1 file when this ffmpeg cannot make one.
    static func available(_ names: [String]) -> [String] {
        names.filter { $0 != "av1.mkv" || av1Encoder != nil }
    }

    /// A path for a file the test writes itself.
    func scratch(_ name: String) -> String { dir + "/" + name }
}

struct CorpusError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Running the ffmpeg CLI tools.
enum Tool {
    /// Runs `tool args`, returns stdout; throws with stderr on a non-zero exit.
    static func run(_ tool: String, _ args: [String]) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw CorpusError("\(tool) \(args.joined(separator: " ")) failed: \(String(decoding: errData, as: UTF8.self))")
        }
        return data
    }

    /// ffprobe's JSON for the first video stream (`-show_entries` as given).
    static func probe(_ path: String, _ entries: String) throws -> [String: Any] {
        let data = try run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "json", path])
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// ffprobe's first video stream fields.
    static func stream(_ path: String) throws -> [String: Any] {
        let json = try probe(path, "stream=width,height,codec_name,pix_fmt,avg_frame_rate,start_time,duration:format=duration")
        var s = (json["streams"] as! [[String: Any]])[0]
        s["format_duration"] = (json["format"] as? [String: Any])?["duration"]
        return s
    }

    /// Every decoded frame of the first video stream: time from the stream start, and keyframe flag.
    static func frames(_ path: String) throws -> [(time: Double, key: Bool)] {
        try framesWithUnknownTimes(path).compactMap { f in f.time.map { ($0, f.key) } }
    }

    /// The same, keeping frames FFmpeg gives no timestamp (time nil), so that positions match the CLI's output.
    static func framesWithUnknownTimes(_ path: String) throws -> [(time: Double?, key: Bool)] {
        let json = try probe(path, "frame=best_effort_timestamp_time,key_frame:stream=start_time")
        let start = Double((json["streams"] as! [[String: Any]])[0]["start_time"] as? String ?? "0") ?? 0
        return (json["frames"] as! [[String: Any]]).map { f in
            ((f["best_effort_timestamp_time"] as? String).flatMap(Double.init).map { $0 - start }, (f["key_frame"] as? Int) == 1)
        }
    }

    /// The first frame of testsrc2 at `size`, rendered straight to RGB24 (no YUV on the way).
    static func sourceFrame(_ size: String) throws -> RGBImage {
        let data = try run("ffmpeg", ["-nostdin", "-v", "error"] + Corpus.source(size) + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        let dims = size.split(separator: "x").map { Int($0)! }
        return RGBImage(width: dims[0], height: dims[1], pixels: [UInt8](data))
    }

    /// Every frame the ffmpeg CLI decodes (RGB24, display-rotated, no frame dropped or repeated), with
    /// its time from ffprobe's list (same frames, same order).
    static func allFrames(_ path: String, width: Int, height: Int) throws -> [(time: Double, image: RGBImage)] {
        let data = try run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-fps_mode", "passthrough",
                                      "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        let times = try framesWithUnknownTimes(path).map(\.time)
        let bytes = width * height * 3
        guard data.count == times.count * bytes else {
            throw CorpusError("ffmpeg gave \(data.count) bytes for \(times.count) frames of \(width)×\(height) in \(path)")
        }
        return times.enumerated().compactMap { i, t in
            t.map { ($0, RGBImage(width: width, height: height, pixels: [UInt8](data[(i * bytes)..<((i + 1) * bytes)]))) }
        }
    }
}

/// Mean and largest absolute difference of two byte images of the same size.
func pixelDifference(_ a: RGBImage, _ b: RGBImage) -> (mean: Double, max: Int) {
    precondition(a.width == b.width && a.height == b.height)
    var sum = 0, worst = 0
    for i in 0..<a.pixels.count {
        let d = abs(Int(a.pixels[i]) - Int(b.pixels[i]))
        sum += d
        worst = max(worst, d)
    }
    return (Double(sum) / Double(a.pixels.count), worst)
}

/// The frames the sampling contract promises, computed independently from ffprobe's frame list: for each
/// target the nearest frame (ties → the later), each frame at most once; past the last frame, the last
/// frame only for a target within half a step of it.
func expectedPicks(frames: [Double], targets: [Double], step: Double) -> [Double] {
    let times = frames.sorted()
    var used = Set<Int>(), picks: [Double] = []
    for target in targets {
        var best = 0
        for i in times.indices where abs(times[i] - target) <= abs(times[best] - target) { best = i }
        if target > times.last! && target - times.last! > step / 2 { continue }
        if used.insert(best).inserted { picks.append(times[best]) }
    }
    return picks
}
