import Adapters
import ArgumentParser
import CLIP
import Foundation
import Index
import Tensor

/// `clipdex bench labels`: `labels add` end to end through the store — label embeddings through an
/// adapter's prompts, one re-tag of every stored segment from its stored embedding, one commit —
/// on a temporary index of random segments of one (model, adapter). Beside it, the same change
/// with one label (the re-tag and commit alone, nearly nothing to encode).
struct BenchLabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels", abstract: "Time `labels add` (embed labels, re-tag stored segments, commit) on a temporary index.")

    @Option(help: "Architecture of random weights: \(CLIPConfig.standardNames.joined(separator: ", ")) (ignored with --model).")
    var random = "vit-b-32"
    @Option(help: "A real CLIP directory instead of random weights (then the model and adapter are loaded from their files, as `labels add` does).")
    var model: String?
    @Option(help: "Random segments in the index.") var segments = 100_000
    @Option(help: "Segments per video.") var perVideo = 100
    @Option(help: "Labels added at once.") var labels = 100
    @Option(name: .customLong("prompt-tokens"), help: "Learned prompt vectors on each side of the adapter.") var promptTokens = 16
    @Option(help: "Tag threshold (0: every segment keeps its top 3 labels, the most rows to write; `labels add` uses 0.2).")
    var threshold: Float = 0
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        guard segments > 0, perVideo > 0, labels > 0, promptTokens >= 0 else { throw ValidationError("counts must be positive") }
    }

    func run() throws {
        engine.apply()
        let work = NSTemporaryDirectory() + "clipdex-bench-labels-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let tokenizer = try Tokenizer.bundled()
            let (tower, identity, directory) = try textTower()
            let adapter = try makeAdapter(tower: tower, identity: identity, path: work + "/adapter.safetensors", tokenizer: tokenizer)
            let store = try IndexStore(path: work + "/index.sqlite", create: true)
            let m = try store.registerModel(identity: identity, dim: tower.projectionDim, imageSize: 224, directory: directory)
            let a = try store.registerAdapter(identity: adapter.identity, path: adapter.path, modelID: m.id)
            let t0 = now()
            try fill(store, model: m.id, adapter: a.id, dim: tower.projectionDim)
            let fillSeconds = now() - t0
            let policy = TagPolicy(topK: 3, threshold: threshold)
            let retagger = model == nil
                ? Retagger(store: store, policy: policy) { _, _ in LabelEncoder.adapter(adapter, tokenizer: tokenizer) }
                : Retagger(store: store, policy: policy, tokenizer: tokenizer)
            let texts = Self.labelTexts(labels)
            let add = try retagger.apply(adding: texts)
            let one = try retagger.apply(adding: ["one more label"])
            let tags = try store.vocabularyUsage().map(\.segments).reduce(0, +)
            report(fillSeconds: fillSeconds, add: add, one: one, tags: tags)
        } catch { fail("\(error)") }
    }

    /// The text tower (random weights, or the model's), its identity and directory ("" for random).
    private func textTower() throws -> (FrozenTextTower, String, String) {
        if let model {
            let clip = try CLIPModel(directory: absolutePath(model))
            return (try FrozenTextTower(model: clip), clip.identity, absolutePath(model))
        }
        guard let config = CLIPConfig.standard(random) else {
            fail("--random \(random): unknown architecture (\(CLIPConfig.standardNames.joined(separator: ", ")))")
        }
        return (try FrozenTextTower(source: RandomWeights(), config: config.text, projectionDim: config.projectionDim), random, "")
    }

    /// An adapter of one training step (prompts and a temporal module), saved to `path` and loaded back.
    private func makeAdapter(tower: FrozenTextTower, identity: String, path: String, tokenizer: Tokenizer) throws -> Adapter {
        var rng = SplitMix(seed: 3)
        let d = tower.projectionDim
        let clips = (0..<4).map { i in TrainingClip(frames: (0..<8).map { _ in Self.randomUnit(d, &rng) }, label: i % 2) }
        var o = TrainingOptions()
        o.steps = 1; o.batchSize = 4; o.prefixTokens = promptTokens; o.postfixTokens = promptTokens
        let names = ["growing", "shrinking"]
        let (a, _) = try Trainer.train(tower: tower, modelIdentity: identity, labels: names,
                                       labelTokens: names.map { tokenizer.encode($0) }, clips: clips, options: o)
        try a.save(to: path)
        return try Adapter.load(path, modelIdentity: identity, tower: tower)
    }

    /// `segments` random unit embeddings (float16, as `index` stores them), `perVideo` per video.
    private func fill(_ store: IndexStore, model: Int64, adapter: Int64, dim: Int) throws {
        var rng = SplitMix(seed: 7)
        let meta = VideoMetadata(duration: Double(perVideo), width: 320, height: 240, codec: "h264")
        var made = 0, video = 0
        while made < segments {
            let n = min(perVideo, segments - made)
            let segs = (0..<n).map { i in
                SegmentInput(start: Double(i), end: Double(i + 1), score: 1, frames: i..<(i + 1), embedding: Self.randomUnit(dim, &rng))
            }
            let file = FileIdentity(device: 1, inode: UInt64(video), size: 1, mtimeNanos: 0, fingerprint: "bench")
            try store.commitVideo(path: "/bench/\(video).mp4", file: file, modelID: model, adapterID: adapter,
                                  content: VideoContent(metadata: meta, fps: 1, times: [], frames: [], segments: segs))
            made += n; video += 1
        }
    }

    private static func randomUnit(_ d: Int, _ rng: inout SplitMix) -> [Float] {
        normalized((0..<d).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 })
    }

    /// `n` distinct label texts such as "a red circle moving left".
    static func labelTexts(_ n: Int) -> [String] {
        let colours = ["red", "green", "blue", "yellow", "white", "black", "orange", "purple"]
        let shapes = ["circle", "square", "triangle", "star", "ring"]
        let motions = ["moving left", "moving right", "growing", "shrinking", "spinning", "appearing", "fading"]
        var out: [String] = []
        for m in motions { for s in shapes { for c in colours where out.count < n { out.append("a \(c) \(s) \(m)") } } }
        var k = 0
        while out.count < n { out.append("label \(k)"); k += 1 }
        return out
    }

    private func report(fillSeconds: Double, add: RetagReport, one: RetagReport, tags: Int) {
        let source = model.map { absolutePath($0) } ?? "\(random) random weights"
        if json {
            try? printJSON(["model": source, "segments": segments, "labels_added": add.added.count, "threads": Threads.count,
                            "fill_seconds": fillSeconds, "seconds": add.seconds, "segments_retagged": add.segmentsRetagged,
                            "one_label_seconds": one.seconds, "tags": tags, "target_seconds": 30])
        } else {
            print("\(source), \(Threads.count) threads; \(segments) random segments stored in \(String(format: "%.1f", fillSeconds)) s")
            print(String(format: "labels add of %d labels (embed, re-tag %d segments, commit): %.2f s (target ≤ 30 s)",
                         add.added.count, add.segmentsRetagged, add.seconds))
            print(String(format: "labels add of 1 more label (re-tag and commit alone): %.2f s; %d tags stored", one.seconds, tags))
        }
    }
}
