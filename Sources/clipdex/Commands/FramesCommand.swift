import ArgumentParser
import Foundation
import Imaging
import Media

/// `clipdex frames FILE --out DIR`: sampled frames as PNG files, with their times.
struct FramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames", abstract: "Write sampled video frames as PNG files (RGB, rotated for display) and list their times.")

    @Argument(help: "A video file.") var file: String
    @Option(help: "Frames per second to sample (each target time gets the nearest frame).") var fps: Double = 1
    @Option(help: "Take this many frames spread evenly over the video instead of --fps.") var count: Int?
    @Flag(help: "Take every keyframe instead of --fps.") var keyframes = false
    @Option(help: "Resize so the shorter side is this many pixels (Pillow bicubic); default: original size.") var size: Int?
    @Option(help: "Folder for the PNG files (created if missing).") var out: String
    @Option(help: "Decoder threads (default: one per core).") var threads: Int = 0
    @Flag(help: "Print a JSON list of {t, file}.") var json = false

    func validate() throws {
        guard fps > 0 else { throw ValidationError("--fps must be positive") }
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
        if let size, size <= 0 { throw ValidationError("--size must be positive") }
        if keyframes && count != nil { throw ValidationError("give at most one of --keyframes and --count") }
    }

    func run() throws {
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            fail("\(out): cannot create the output folder (\(error.localizedDescription))")
        }
        let plan: SamplingPlan = keyframes ? .keyframes : count.map { .count($0) } ?? .fps(fps)
        let writer = PNGWriter()
        var listed: [[String: Any]] = []
        let summary: SampleSummary
        do {
            let video = try VideoFile(file)
            summary = try video.sample(plan, options: SampleOptions(threads: threads)) { frame in
                let image = size.map { resizeShorterSide(frame.image, to: $0) } ?? frame.image
                let path = (out as NSString).appendingPathComponent(String(format: "frame_%06d.png", listed.count + 1))
                try writer.write(image, to: path)
                listed.append(["t": frame.time, "file": path])
            }
        } catch { fail("\(error)") }
        for warning in summary.warnings { FileHandle.standardError.write(Data("clipdex: warning: \(warning)\n".utf8)) }
        if json { try printJSON(listed); return }
        for item in listed { print(String(format: "%9.3f  ", item["t"] as! Double) + (item["file"] as! String)) }
    }
}
