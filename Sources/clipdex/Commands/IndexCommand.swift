import Adapters
import ArgumentParser
import CLIP
import Foundation
import Index
import Tensor

/// `clipdex index`: indexes video files and folders in the foreground.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index videos (files, or folders searched recursively) into the database; unchanged files are skipped.")

    @Option(help: "CLIP model directory in the Hugging Face layout (default: [model] path of the config, else the bundled demo model).")
    var model: String?
    @Option(help: "Adapter file from `clipdex train`: segments, embeddings and tags through it (default: the frozen CLIP, mean pooling).")
    var adapter: String?
    @Option(help: "Frames sampled per second of video.") var fps: Double = 1
    @Option(help: "Frames per image-encoder batch.") var batch: Int = 16
    @Flag(help: "Re-index files even when unchanged.") var force = false
    @Argument(help: "Video files and folders.") var paths: [String]
    @OptionGroup var store: StoreOptions
    @OptionGroup var engine: EngineOptions

    /// Extensions picked up inside folders (files named explicitly are always tried).
    static let videoExtensions: Set<String> = ["mp4", "mkv", "mov", "webm", "avi", "m4v", "mpg", "mpeg", "ts", "wmv", "flv", "3gp"]

    func validate() throws {
        guard fps > 0, fps <= 60 else { throw ValidationError("--fps must be in (0, 60]") }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        guard !paths.isEmpty else { throw ValidationError("give at least one video file or folder") }
    }

    func run() throws {
        engine.apply()
        let files: [String]
        do { files = try Self.expand(paths.map(absolutePath)) } catch { fail("\(error)") }
        let db = store.open(create: true)
        let indexer: Indexer
        do {
            guard let dir = try model.map(modelDirectory) ?? defaultModelDirectory() else {
                throw IndexError.noModel("no model: pass --model DIR (a Hugging Face CLIP directory); this build has no demo model")
            }
            let clip = try CLIPModel(directory: dir)
            let adapted = try adapter.map { try Adapter.load(adapterFile($0), model: clip) }
            let tokenizer = try Tokenizer.bundled()
            let labels = adapted.map { LabelEncoder.adapter($0, tokenizer: tokenizer) } ?? .template(model: clip, tokenizer: tokenizer)
            var options = IndexOptions()
            options.fps = fps; options.batchSize = batch; options.force = force
            let source = MediaFrameSource(modelInputSize: clip.config.vision.imageSize, decoderThreads: engine.threads)
            indexer = try Indexer(store: db, embedder: CLIPImageEmbedder(model: clip, batchSize: batch), source: source,
                                  adapter: adapted, labels: labels, options: options)
        } catch { fail("\(error)") }
        let progress = IndexProgress(files: files, terminal: isatty(2) == 1 && !store.json)
        let start = now()
        let results = indexer.index(files, events: { progress.handle($0) })
        progress.finish()
        report(files, results, seconds: now() - start, frames: progress.frames)
    }

    private func report(_ files: [String], _ results: [Result<IndexOutcome, IndexError>], seconds: Double, frames: Int) {
        var indexed = 0, unchanged = 0, failed: [(String, String)] = [], segments = 0
        for (f, r) in zip(files, results) {
            switch r {
            case let .success(.indexed(_, _, n)): indexed += 1; segments += n
            case .success(.unchanged): unchanged += 1
            case let .failure(e): failed.append((f, e.description))
            }
        }
        if store.json {
            try? printJSON(["files": files.count, "indexed": indexed, "unchanged": unchanged, "failed": failed.count,
                            "frames": frames, "segments": segments, "seconds": seconds,
                            "errors": failed.map { ["video": $0.0, "error": $0.1] }])
        } else {
            print("\(indexed) indexed, \(unchanged) unchanged, \(failed.count) failed: \(frames) frames, \(segments) segments in \(String(format: "%.1f", seconds)) s -> \(store.path)")
        }
        for (_, why) in failed { FileHandle.standardError.write(Data("clipdex: \(why)\n".utf8)) }
        if !failed.isEmpty { Foundation.exit(1) }
    }

    /// Files named, plus the videos inside folders (recursively, by extension), sorted, without duplicates.
    static func expand(_ paths: [String]) throws -> [String] {
        var out: [String] = [], seen = Set<String>()
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw IndexError.fileMissing(p) }
            var found: [String] = []
            if isDir.boolValue {
                guard let walker = fm.enumerator(atPath: p) else { throw IndexError.unreadable(p, "cannot list the folder") }
                while let rel = walker.nextObject() as? String {
                    if videoExtensions.contains((rel as NSString).pathExtension.lowercased()) { found.append(p + "/" + rel) }
                }
                found.sort()
            } else {
                found = [p]
            }
            for f in found where seen.insert(f).inserted { out.append(f) }
        }
        return out
    }
}

/// The progress display of `clipdex index`: a redrawn bar (files, frames/s, ETA by bytes) on a
/// terminal, one plain line per finished file otherwise. Called from the pipeline's threads.
final class IndexProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let files: [String]
    private let sizes: [Int64]
    private let total: Int64
    private let terminal: Bool
    private let start = now()
    private var done = 0
    private var doneBytes: Int64 = 0
    private(set) var frames = 0
    private var lastDraw = 0.0

    init(files: [String], terminal: Bool) {
        self.files = files
        sizes = files.map { ((try? FileManager.default.attributesOfItem(atPath: $0)[.size]) as? NSNumber)?.int64Value ?? 0 }
        total = max(1, sizes.reduce(0, +))
        self.terminal = terminal
    }

    func handle(_ e: IndexEvent) {
        lock.lock(); defer { lock.unlock() }
        switch e {
        case .started: break
        case let .encoded(_, n):
            frames += n
            if terminal, now() - lastDraw > 0.2 { draw() }
        case let .finished(i, path, result):
            done += 1
            doneBytes += sizes[i]
            if terminal { draw() } else { FileHandle.standardError.write(Data("[\(done)/\(files.count)] \(path): \(describe(result))\n".utf8)) }
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func describe(_ r: Result<IndexOutcome, IndexError>) -> String {
        switch r {
        case let .success(.indexed(_, f, s)): return "indexed, \(f) frames, \(s) segments"
        case .success(.unchanged): return "unchanged"
        case let .failure(e): return "failed: \(e)"
        }
    }

    private func draw() {
        lastDraw = now()
        let elapsed = lastDraw - start
        let share = Double(doneBytes) / Double(total)
        let width = 30, filled = Int(share * Double(width))
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let rate = elapsed > 0 ? Double(frames) / elapsed : 0
        let eta = share > 0 ? timecode(elapsed * (1 - share) / share) : "--:--:--"
        let line = String(format: "\r[%@] %d/%d files  %.1f frames/s  ETA %@ ", bar, done, files.count, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
