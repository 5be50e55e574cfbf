import ArgumentParser
import Foundation
import Index

/// `clipdex export`: cuts a segment out of its video as a playable file (the ffmpeg program).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a segment as its own video file: stream copy from the nearest keyframe, or re-encoded with --exact.")

    @Argument(help: "The segment id.") var segment: Int64
    @Option(help: "The file to write (its extension picks the container).") var out: String
    @Flag(help: "Cut at the exact times by re-encoding (H.264/AAC) instead of copying from the keyframe before.")
    var exact = false
    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = store.open()
        do {
            let (seg, path) = try db.segment(id: segment)
            guard FileManager.default.isReadableFile(atPath: path) else { throw IndexError.fileMissing(path) }
            let dest = absolutePath(out)
            let span = ["-ss", String(format: "%.3f", seg.start), "-i", path, "-t", String(format: "%.3f", seg.end - seg.start)]
            let codec = exact ? ["-map", "0:v:0", "-map", "0:a?", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac"]
                              : ["-map", "0:v:0", "-map", "0:a?", "-c", "copy", "-avoid_negative_ts", "make_zero"]
            try runFFmpeg(["-y"] + span + codec + [dest], what: "\(path) → \(dest)")
            if store.json {
                try printJSON(["segment": segment, "video": path, "start": seg.start, "end": seg.end, "out": dest, "exact": exact])
            } else {
                print("\(dest): \(path) \(timecode(seg.start))–\(timecode(seg.end))\(exact ? " (re-encoded)" : " (stream copy)")")
            }
        } catch { fail("\(error)") }
    }
}

/// Runs ffmpeg quietly; throws with its last error line.
func runFFmpeg(_ args: [String], what: String, stdin: Data? = nil) throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["ffmpeg", "-v", "error", "-nostdin"] + args
    if stdin != nil { p.arguments!.removeAll { $0 == "-nostdin" } }
    let err = Pipe(), input = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    p.standardInput = stdin == nil ? FileHandle.nullDevice : input
    do { try p.run() } catch { throw IndexError.notAVideo(what, "cannot run ffmpeg: install FFmpeg") }
    if let stdin {
        DispatchQueue.global().async { input.fileHandleForWriting.write(stdin); try? input.fileHandleForWriting.close() }
    }
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        throw IndexError.notAVideo(what, "ffmpeg failed: \(message.split(separator: "\n").last ?? "exit \(p.terminationStatus)")")
    }
}

/// Runs ffmpeg and returns its stdout.
func ffmpegOutput(_ args: [String], what: String) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["ffmpeg", "-v", "error", "-nostdin"] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { throw IndexError.notAVideo(what, "cannot run ffmpeg: install FFmpeg") }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return data
}
