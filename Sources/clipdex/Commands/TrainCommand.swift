import Adapters
import ArgumentParser
import CLIP
import Foundation
import Tensor

/// `clipdex train`: trains an Efficient-Prompt adapter (learned prompts + temporal module) of a
/// frozen CLIP on the user's clips, on this machine.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a video adapter (learned prompts + temporal transformer) on a folder of clips per class.")

    @Option(help: "Model directory in the Hugging Face CLIP layout, or `demo` for the bundled demo model.") var model: String
    @Option(help: "A folder per class of trimmed clips (folder name = label) and/or a CSV video,start,end,label.") var data: String
    @Option(help: "Where to write the adapter (.safetensors).") var out: String
    @Option(help: "Use at most K clips per class (few-shot).") var shots: Int?
    @Option(help: "Passes over the clips (default: 60, at least 300 steps).") var epochs: Int?
    @Option(help: "Exact number of steps (overrides --epochs).") var steps: Int?
    @Option(name: .customLong("prompt-tokens"), help: "Learned prompt vectors on each side of the label (default 16).") var promptTokens: Int?
    @Option(name: .customLong("temporal-layers"), help: "Temporal transformer layers; 0 = mean pooling (default 1).") var temporalLayers: Int?
    @Option(help: "Learning rate (default 2e-3).") var lr: Float?
    @Option(help: "Contrastive temperature (default 0.07).") var temperature: Float?
    @Option(help: "Frames per second sampled from the videos.") var fps: Double = 4
    @Option(help: "Random seed: the same seed and data give the same adapter.") var seed: UInt64 = 0
    @Flag(help: "Print {\"adapter\", \"steps\", \"final_loss\", \"seconds\"} as JSON.") var json = false
    @OptionGroup var engine: EngineOptions

    func run() throws {
        engine.apply()
        do {
            let start = Date()
            let clip = try loadModel(model)
            let tokenizer = try Tokenizer.bundled()
            var dataset = try VideoDataset.load(data)
            if let shots { dataset.clips = fewShot(dataset.clips, shots: shots, seed: seed) }
            let labels = dataset.labels
            let frames = VideoFrames(model: clip, fps: fps)
            var clips: [TrainingClip] = []
            for c in dataset.clips {
                clips.append(TrainingClip(frames: try frames.embeddings(of: c.path).frames, label: labels.firstIndex(of: c.label)!))
            }
            var videos: [TrainingVideo] = []
            for v in dataset.videos {
                let e = try frames.embeddings(of: v.path)
                videos.append(TrainingVideo(frames: e.frames, times: e.times, segments: v.segments.map {
                    (start: $0.start, end: $0.end, label: labels.firstIndex(of: $0.label)!)
                }))
                for s in v.segments {
                    let idx = e.times.indices.filter { e.times[$0] >= s.start && e.times[$0] <= s.end }
                    if !idx.isEmpty { clips.append(TrainingClip(frames: idx.map { e.frames[$0] }, label: labels.firstIndex(of: s.label)!)) }
                }
            }
            var o = TrainingOptions()
            o.seed = seed
            if let epochs { o.epochs = epochs }
            o.steps = steps
            if let promptTokens { o.prefixTokens = promptTokens; o.postfixTokens = promptTokens }
            if let temporalLayers { o.temporalLayers = temporalLayers }
            if let lr { o.learningRate = lr }
            if let temperature { o.temperature = temperature }
            let bar = ProgressBar(enabled: !json && isatty(2) != 0)
            let tower = try FrozenTextTower(model: clip)
            let (adapter, report) = try Trainer.train(
                tower: tower, modelIdentity: clip.identity, labels: labels,
                labelTokens: labels.map { tokenizer.encode($0) }, clips: clips, videos: videos, options: o,
                progress: { step, total, loss in bar.update(step, total, loss) })
            bar.finish()
            adapter.annotateTraining("data", data)
            adapter.annotateTraining("classes", "\(labels.count)")
            try adapter.save(to: out)
            let seconds = Date().timeIntervalSince(start)
            if json {
                try printJSON(["adapter": out, "steps": report.steps, "final_loss": Double(report.finalLoss), "seconds": seconds])
            } else {
                print("adapter     \(out)")
                print("labels      \(labels.count): \(labels.joined(separator: ", "))")
                print("clips       \(clips.count)")
                print("steps       \(report.steps)")
                print(String(format: "final loss  %.4f (last tenth %.4f, train accuracy %.2f)", report.finalLoss, report.tailLoss, report.trainAccuracy))
                print(String(format: "seconds     %.1f (training %.1f)", seconds, report.seconds))
            }
        } catch { fail("\(error)") }
    }

    /// The first K clips of each class after a seeded shuffle.
    private func fewShot(_ clips: [VideoDataset.Clip], shots: Int, seed: UInt64) -> [VideoDataset.Clip] {
        var byLabel: [String: [VideoDataset.Clip]] = [:]
        for c in clips { byLabel[c.label, default: []].append(c) }
        var rng = SplitMix(seed: seed)
        return byLabel.keys.sorted().flatMap { byLabel[$0]!.shuffled(using: &rng).prefix(shots) }
    }
}

/// A seeded generator for the command's own sampling.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A one-line progress bar with the loss, redrawn on stderr when it is a terminal.
final class ProgressBar {
    let enabled: Bool
    private var last = Date.distantPast
    init(enabled: Bool) { self.enabled = enabled }

    func update(_ step: Int, _ total: Int, _ loss: Float) {
        guard enabled, step == total || Date().timeIntervalSince(last) > 0.1 else { return }
        last = Date()
        let width = 30, filled = width * step / max(1, total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r[%@] %d/%d loss %.4f", bar, step, total, loss).utf8))
    }

    func finish() { if enabled { FileHandle.standardError.write(Data("\n".utf8)) } }
}
