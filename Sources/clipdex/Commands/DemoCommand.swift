import ArgumentParser
import Config
import DemoModel
import Foundation
import Index
import Synth

/// `clipdex demo`: the first run. Synthetic videos, the daemon with the bundled demo model,
/// searches checked against the ground truth, and contact sheets to look at.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "First run: generate demo videos, index them with clipdexd and the bundled demo model, search them.",
        discussion: "Writes DIR/videos (with ground_truth.csv), DIR/clipdex.toml, DIR/index.sqlite, DIR/clipdexd.log and DIR/thumbs.")

    @Option(help: "The demo folder.") var dir: String = "~/.local/share/clipdex/demo"
    @Option(help: "How many demo videos.") var videos: Int = 6
    @Option(help: "Random seed of the videos.") var seed: UInt64 = 2026
    @Option(help: "Seconds to wait for the daemon to index everything.") var timeout: Double = 600

    func validate() throws {
        guard (1...100).contains(videos) else { throw ValidationError("--videos \(videos): give 1 to 100") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() throws {
        let root = absolutePath(dir)
        do {
            let t0 = Date()
            let written = try generate(root)
            print(String(format: "1. generated %d videos in %.1f s: %@/videos (ground truth: ground_truth.csv, captions.csv)",
                         written.count, Date().timeIntervalSince(t0), root))
            let config = try writeConfig(root)
            print("2. wrote \(config) (no [model] path: the bundled demo model)")
            let t1 = Date()
            let daemon = try DemoDaemon(config: config, logPath: root + "/clipdexd.log")
            print("3. started clipdexd --config \(config) (pid \(daemon.process.processIdentifier), log \(root)/clipdexd.log)")
            try daemon.waitUntilIndexed(database: root + "/index.sqlite", expected: written.count, timeout: timeout)
            let indexed = Date().timeIntervalSince(t1), status = daemon.stop()
            print(String(format: "   indexed in %.1f s; clipdexd stopped with SIGTERM (exit %d)", indexed, status))
            if status != 0 { print("   warning: clipdexd did not exit cleanly; the end of its log:\n\(daemon.logTail())") }
            print("   check: clipdex status --db \(root)/index.sqlite")
            let db = try IndexStore(path: root + "/index.sqlite", create: false)
            let scenes = Dictionary(uniqueKeysWithValues: written.map { (root + "/videos/" + $0.relativePath, $0.scene) })
            let (right, total) = try DemoSearches(db: db, scenes: scenes).run(DemoQuery.pick(written))
            print("\n4. \(right) of \(total) top hits show what was asked (\"yes\"/\"no\" above, from the ground truth)")
            try writeThumbs(db, root: root, videos: written)
            try actions(root, scenes: scenes, videos: written)
            printNotice()
        } catch { fail("\(error)") }
    }

    /// Renders the videos into DIR/videos, removing an earlier demo's videos and index first.
    private func generate(_ root: String) throws -> [WrittenVideo] {
        let fm = FileManager.default
        for name in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm"] { try? fm.removeItem(atPath: root + "/" + name) }
        let videoDir = root + "/videos"
        for f in (try? fm.contentsOfDirectory(atPath: videoDir)) ?? [] where f.hasPrefix("video_") && f.hasSuffix(".mp4") {
            try? fm.removeItem(atPath: videoDir + "/" + f)
        }
        let writer = try DatasetWriter(directory: videoDir, format: VideoFormat(width: 320, height: 240, fps: 8), seed: seed)
        let list = writer.untrimmedScenes(count: videos)
        try writer.write(list, groundTruth: true)
        return list
    }

    /// DIR/clipdex.toml: watch DIR/videos, index into DIR/index.sqlite, no model path.
    private func writeConfig(_ root: String) throws -> String {
        let path = root + "/clipdex.toml"
        let text = """
            # Written by `clipdex demo`. No [model] path: clipdexd uses the bundled demo model.
            [store]
            database = "index.sqlite"

            [ingest]
            sample_fps = 2.0
            settle_seconds = 0.5
            threads = 2

            [[watch]]
            path = "videos"

            """
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch { throw DemoError("\(path): cannot write (\(error.localizedDescription))") }
        return path
    }

    /// Actions, which frame embeddings alone cannot tell (growing and shrinking look alike frame by
    /// frame): the same videos indexed through the demo adapter into DIR/actions.sqlite, tagged with
    /// its action vocabulary, searched through its prompts.
    private func actions(_ root: String, scenes: [String: Scene], videos: [WrittenVideo]) throws {
        guard DemoModel.adapterPath != nil else { return }
        let db = root + "/actions.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let store = try IndexStore(path: db, create: true)
        try store.addVocabulary(DemoModel.actions)
        let t0 = Date()
        try runSelf(["index", "--model", "demo", "--adapter", "demo", "--fps", "4", "--db", db, root + "/videos"])
        print(String(format: "\n6. indexed again through the demo adapter (temporal module + learned prompts) in %.1f s:", Date().timeIntervalSince(t0)))
        print("   clipdex index --model demo --adapter demo --fps 4 --db \(db) \(root)/videos")
        print("   every segment is tagged with the actions \(DemoModel.actions.joined(separator: ", "))")
        let (right, total) = try DemoSearches(db: store, scenes: scenes).run(DemoQuery.pickActions(videos), db: db)
        print("\n   \(right) of \(total) top hits show the action asked for; see the tags: clipdex show VIDEO --db \(db)")
    }

    /// Runs this clipdex executable with `arguments`, its output discarded; throws with its stderr on failure.
    private func runSelf(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
        p.arguments = arguments
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw DemoError("clipdex \(arguments.joined(separator: " ")) failed: \(message)") }
    }

    private func writeThumbs(_ db: IndexStore, root: String, videos: [WrittenVideo]) throws {
        let dest = root + "/thumbs"
        try FileManager.default.createDirectory(atPath: dest, withIntermediateDirectories: true)
        for v in videos {
            let name = (v.relativePath as NSString).deletingPathExtension
            _ = try writeContactSheet(db, video: root + "/videos/" + v.relativePath, out: "\(dest)/\(name).png")
        }
        print("5. contact sheets (one frame per segment): \(dest)/video_0000.png … (\(videos.count) files)")
    }

    private func printNotice() {
        print("""

            Note: this ran on the bundled DEMO model, a tiny CLIP trained only on these synthetic shapes;
            it finds nothing useful in real videos. For real search, download config.json and
            model.safetensors of openai/clip-vit-base-patch32 from Hugging Face into a folder, set
            [model] path = "/that/folder" in your clipdex.toml (see README.md, "Models"), and run clipdexd.
            """)
    }
}
