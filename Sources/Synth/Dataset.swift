import Foundation

/// One written video with its scene (and so its ground truth).
public struct WrittenVideo: Sendable {
    /// Path relative to the dataset folder, e.g. `move_left/0003.mp4`.
    public var relativePath: String
    public var scene: Scene
}

/// Writes synthetic datasets: trimmed clips in one folder per class, or untrimmed videos, with
/// `captions.csv` (`video,caption`), `objects.csv` (each shape's first state: shape, colour, extent
/// and centre in the visible square) and, for untrimmed ones, `ground_truth.csv` (`video,start,end,label`).
public struct DatasetWriter {
    public var directory: String
    public var format: VideoFormat
    public var seed: UInt64
    /// Called after each video with (done, total, path), for progress lines.
    public var progress: @Sendable (Int, Int, String) -> Void = { _, _, _ in }

    public init(directory: String, format: VideoFormat, seed: UInt64) throws {
        guard format.width >= 32, format.height >= 32, format.width % 2 == 0, format.height % 2 == 0 else {
            throw SynthError.badFormat("--size \(format.width)x\(format.height): width and height must be even and at least 32 (H.264 yuv420p)")
        }
        guard (1...60).contains(format.fps) else { throw SynthError.badFormat("--fps \(format.fps): give 1 to 60 frames per second") }
        self.directory = directory
        self.format = format
        self.seed = seed
    }

    /// The scenes of a trimmed dataset: `perClass` clips of each action. A clip's seed depends only
    /// on (seed, action, index), so a subset of classes gives the same clips for those classes.
    public func trimmedScenes(_ actions: [SynthAction], perClass: Int, seconds: Double) -> [WrittenVideo] {
        actions.flatMap { action in
            let a = UInt64(SynthAction.allCases.firstIndex(of: action)!)
            return (0..<perClass).map { i in
                let clipSeed = SynthRNG(seed: seed, stream: a << 32 | UInt64(i)).peek()
                let scene = SceneBuilder.trimmed(action, format: format, seconds: seconds, seed: clipSeed)
                return WrittenVideo(relativePath: "\(action.folderName)/\(String(format: "%04d", i)).mp4", scene: scene)
            }
        }
    }

    /// The scenes of an untrimmed dataset: `count` videos named `video_0000.mp4`, ….
    public func untrimmedScenes(count: Int) -> [WrittenVideo] {
        (0..<count).map { i in
            let videoSeed = SynthRNG(seed: seed, stream: 0x0B7A_0000_0000 | UInt64(i)).peek()
            return WrittenVideo(relativePath: String(format: "video_%04d.mp4", i),
                                scene: SceneBuilder.untrimmed(format: format, seed: videoSeed))
        }
    }

    /// Renders and encodes the videos (two at a time), then writes the CSV files.
    public func write(_ videos: [WrittenVideo], groundTruth: Bool) throws {
        for v in videos {
            let dir = (directory + "/" + v.relativePath as NSString).deletingLastPathComponent
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw SynthError.cannotWrite(dir, "\(error.localizedDescription)")
            }
        }
        try encodeAll(videos)
        try writeCSV("captions.csv", header: "video,caption", rows: videos.map { [$0.relativePath, $0.scene.caption] })
        try writeCSV("objects.csv", header: "video,object,shape,colour,extent,cx,cy", rows: videos.flatMap { v in
            v.scene.tracks.enumerated().map { k, t in
                let s = t.initial
                return [v.relativePath, k == 0 ? "main" : "distractor", s.shape.rawValue, s.colourName.rawValue,
                        String(format: "%.3f", s.extent), String(format: "%.3f", s.cx), String(format: "%.3f", s.cy)]
            }
        })
        if groundTruth {
            try writeCSV("ground_truth.csv", header: "video,start,end,label", rows: videos.flatMap { v in
                v.scene.segments.map { [v.relativePath, Self.seconds($0.start), Self.seconds($0.end), $0.label] }
            })
        }
    }

    private func encodeAll(_ videos: [WrittenVideo]) throws {
        let failures = Failures(), counter = Failures()
        let dir = directory, report = progress
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for (i, v) in videos.enumerated() where i % 2 == lane && failures.first == nil {
                do { try v.scene.writeVideo(to: dir + "/" + v.relativePath) } catch { failures.record(error) }
                report(counter.tick(), videos.count, v.relativePath)
            }
        }
        if let error = failures.first { throw error }
    }

    /// Seconds with millisecond precision, as the CSV files hold them.
    static func seconds(_ t: Double) -> String { String(format: "%.3f", t) }

    private func writeCSV(_ name: String, header: String, rows: [[String]]) throws {
        let text = ([header] + rows.map { $0.map(csvField).joined(separator: ",") }).joined(separator: "\n") + "\n"
        let path = directory + "/" + name
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch { throw SynthError.cannotWrite(path, "\(error.localizedDescription)") }
    }
}

/// A CSV field, quoted when it holds a comma, quote or newline.
func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}

/// The first error of parallel work, and a shared counter.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    private var count = 0

    var first: Error? { lock.withLock { error } }
    func record(_ e: Error) { lock.withLock { if error == nil { error = e } } }
    func tick() -> Int { lock.withLock { count += 1; return count } }
}

extension SynthRNG {
    /// The next value without advancing (for deriving a seed from a sub-stream).
    func peek() -> UInt64 { var copy = self; return copy.next() }
}
