import ArgumentParser
import Foundation
import Imaging
import Media

/// `clipdex bench decode FILE`: decode + sample + preprocess to model input, timed, optionally beside
/// the ffmpeg CLI doing the same sampling and scaling in the same run.
struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode", abstract: "Time decoding, sampling and preprocessing a video to model input; compare with the ffmpeg CLI.")

    @Argument(help: "A video file.") var file: String
    @Option(help: "Frames per second to sample.") var fps: Double = 1
    @Option(help: "Model input size (square).") var size: Int = 224
    @Option(help: "Decoder threads (default: one per core); the ffmpeg comparison uses the same.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Also time `ffmpeg -threads T -i FILE -vf fps=F,scale=S:S -f null -` and print the ratio.") var compareFfmpeg = false
    @Option(name: .customLong("repeat"), help: "Runs of each contender, alternating; the medians are reported (shared machines are noisy).")
    var runCount: Int = 1
    @Flag(help: "Print one JSON object.") var json = false

    /// OpenAI CLIP's normalisation (RGB); the bench only needs realistic work, not a particular model.
    private static let mean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    private static let std: [Float] = [0.26862954, 0.26130258, 0.27577711]

    func validate() throws {
        guard fps > 0, size > 0, threads > 0, runCount > 0 else {
            throw ValidationError("--fps, --size, --threads and --repeat must be positive")
        }
    }

    func run() throws {
        warmPageCache(file)
        var results: [[String: Any]] = [], ffmpegRuns: [(wall: Double, cpu: Double)] = []
        for _ in 0..<runCount {
            do { results.append(try measure()) } catch { fail("\(error)") }
            if compareFfmpeg, let run = ffmpegSeconds() { ffmpegRuns.append(run) }
        }
        var result = results.sorted { ($0["seconds"] as! Double) < ($1["seconds"] as! Double) }[results.count / 2]
        result["cpu_seconds"] = median(results.map { $0["cpu_seconds"] as! Double })
        result["runs"] = runCount
        if compareFfmpeg {
            let wall = ffmpegRuns.isEmpty ? nil : median(ffmpegRuns.map(\.wall))
            let cpu = ffmpegRuns.isEmpty ? nil : median(ffmpegRuns.map(\.cpu))
            result["ffmpeg_seconds"] = wall ?? NSNull()
            result["ffmpeg_cpu_seconds"] = cpu ?? NSNull()
            result["speedup_vs_ffmpeg"] = wall.map { $0 / (result["seconds"] as! Double) } ?? NSNull()
            result["cpu_ratio_vs_ffmpeg"] = cpu.map { $0 / (result["cpu_seconds"] as! Double) } ?? NSNull()
        }
        if json { try printJSON(result); return }
        let f = { (k: String) in String(format: "%.3f", result[k] as? Double ?? .nan) }
        print("clipdex  \(f("seconds")) s (CPU \(f("cpu_seconds")) s) for \(result["frames"]!) frames at \(fps) fps → \(size)×\(size) "
              + "(\(result["decoded_frames"]!) decoded, \(result["seeks"]!) seeks), \(f("realtime_factor"))× realtime, \(threads) threads"
              + (runCount > 1 ? ", median of \(runCount) runs" : ""))
        if compareFfmpeg {
            print("ffmpeg   \(f("ffmpeg_seconds")) s (CPU \(f("ffmpeg_cpu_seconds")) s)  (ffmpeg -threads \(threads) -i FILE -vf fps=\(fps),scale=\(size):\(size) -f null -)")
            print("ratio    \(f("speedup_vs_ffmpeg"))× the ffmpeg CLI's speed in wall time, \(f("cpu_ratio_vs_ffmpeg"))× in CPU time")
        }
    }

    private func measure() throws -> [String: Any] {
        let input = UnsafeMutablePointer<Float>.allocate(capacity: 3 * size * size)
        defer { input.deallocate() }
        let start = now(), cpuStart = cpuSeconds(RUSAGE_SELF)
        // Decoding runs a couple of frames ahead on its own thread while this one preprocesses.
        let frames = FramePrefetcher(path: file, plan: .fps(fps), options: .modelInput(threads: threads))
        while let frame = try frames.next() {
            clipPreprocess(frame.image, size: size, mean: Self.mean, std: Self.std, into: input)
        }
        let seconds = now() - start, cpu = cpuSeconds(RUSAGE_SELF) - cpuStart
        let summary = frames.summary!
        let duration = try frames.info().duration ?? summary.lastFrameTime ?? 0
        return ["seconds": seconds, "frames": summary.frames, "realtime_factor": duration / seconds,
                "cpu_seconds": cpu, "decoded_frames": summary.decodedFrames, "seeks": summary.seeks, "video_seconds": duration,
                "threads": threads, "size": size, "fps": fps]
    }

    /// Wall and CPU time of the ffmpeg CLI doing the same job, or nil if it cannot run.
    private func ffmpegSeconds() -> (wall: Double, cpu: Double)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "\(threads)", "-i", file,
                             "-vf", "fps=\(fps),scale=\(size):\(size)", "-f", "null", "-"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = now(), cpuStart = cpuSeconds(RUSAGE_CHILDREN)
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        let wall = now() - start
        return process.terminationStatus == 0 ? (wall, cpuSeconds(RUSAGE_CHILDREN) - cpuStart) : nil
    }

    /// User + system CPU seconds of this process or of its finished children. On a shared machine the
    /// CPU ratio is the steadier comparison; the wall-time ratio is the one users feel.
    private func cpuSeconds(_ who: __rusage_who) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who.rawValue), &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Reads the file once so that neither contender pays for the first disk read.
    private func warmPageCache(_ path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        while let chunk = try? handle.read(upToCount: 1 << 22), !chunk.isEmpty {}
        try? handle.close()
    }
}
