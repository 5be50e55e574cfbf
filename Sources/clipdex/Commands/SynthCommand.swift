import ArgumentParser
import Foundation
import Synth

/// `clipdex synth`: synthetic "shapes world" videos with exact ground truth.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate synthetic shapes-world videos (the demo model's world) with ground truth.",
        discussion: """
            Actions (labels): \(SynthAction.allCases.map(\.rawValue).joined(separator: ", ")).
            brighten = a dark shape (black, blue, purple, red) turns light (white, yellow, pink, orange); darken = the reverse.
            The same --seed gives the same scenes, frames and CSV files on every machine.
            """,
        subcommands: [SynthTrimmedCommand.self, SynthUntrimmedCommand.self])
}

/// Options shared by both kinds of dataset.
struct SynthOptions: ParsableArguments {
    @Option(help: "The folder to write (created if missing).") var out: String
    @Option(help: "Random seed: the same seed gives the same videos and CSV files.") var seed: UInt64 = 1
    @Option(help: "Frame size WxH (even numbers; shapes stay inside the centred square).") var size: String = "224x224"
    @Option(help: "Frames per second.") var fps: Int = 8

    /// The parsed --size and --fps.
    func format() throws -> VideoFormat {
        let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2 else { throw ValidationError("--size \(size): give WIDTHxHEIGHT, e.g. 224x224") }
        return VideoFormat(width: parts[0], height: parts[1], fps: fps)
    }

    /// A writer for --out with a progress line per video on stderr.
    func writer() throws -> DatasetWriter {
        var w = try DatasetWriter(directory: absolutePath(out), format: format(), seed: seed)
        guard isatty(2) != 0 else { return w }
        w.progress = { done, total, path in
            FileHandle.standardError.write(Data("\r[\(done)/\(total)] \(path)\(done == total ? "\n" : "")".utf8))
        }
        return w
    }
}

/// `clipdex synth trimmed`: one folder per action class, one action per clip.
struct SynthTrimmedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trimmed", abstract: "Clips of one action each, one folder per class (move_left/0000.mp4, …), and captions.csv.")

    @OptionGroup var options: SynthOptions
    @Option(help: "Clips per class.") var perClass: Int = 10
    @Option(help: "Comma-separated classes (default: all), e.g. grow,shrink,move_left.") var classes: String?
    @Option(help: "Seconds per clip.") var seconds: Double = 4

    func run() throws {
        guard perClass > 0 else { throw ValidationError("--per-class must be positive") }
        guard seconds >= 1, seconds <= 60 else { throw ValidationError("--seconds \(seconds): give 1 to 60 seconds per clip") }
        let actions = try parseClasses(classes)
        let start = Date()
        do {
            let writer = try options.writer()
            let videos = writer.trimmedScenes(actions, perClass: perClass, seconds: seconds)
            try writer.write(videos, groundTruth: false)
            print("\(writer.directory): \(videos.count) clips in \(actions.count) classes, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        } catch { fail("\(error)") }
    }

    private func parseClasses(_ text: String?) throws -> [SynthAction] {
        guard let text else { return SynthAction.allCases }
        return try text.split(separator: ",").map { name in
            guard let a = SynthAction(label: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--classes: unknown class '\(name)'; known: \(SynthAction.allCases.map(\.folderName).joined(separator: ","))")
            }
            return a
        }
    }
}

/// `clipdex synth untrimmed`: longer videos with several actions and ground truth segments.
struct SynthUntrimmedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "untrimmed",
        abstract: "Videos with several action segments between idle stretches, ground_truth.csv (video,start,end,label) and captions.csv.")

    @OptionGroup var options: SynthOptions
    @Option(help: "How many videos.") var videos: Int = 10

    func run() throws {
        guard videos > 0 else { throw ValidationError("--videos must be positive") }
        let start = Date()
        do {
            let writer = try options.writer()
            let list = writer.untrimmedScenes(count: videos)
            try writer.write(list, groundTruth: true)
            let segments = list.map(\.scene.segments.count).reduce(0, +)
            print("\(writer.directory): \(list.count) videos, \(segments) segments, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        } catch { fail("\(error)") }
    }
}
