import Adapters
import ArgumentParser
import CLIP
import Foundation
import Tensor

/// `clipdex bench train`: seconds per adapter training step (prompts through the frozen text tower
/// plus the temporal module) on a standard architecture's random weights, and the time to add
/// labels to the vocabulary and re-tag stored segments from their features.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Adapter training step time and re-tagging time on random weights of a standard CLIP.")

    @Option(help: "Architecture: \(CLIPConfig.standardNames.joined(separator: ", ")).") var random = "vit-b-32"
    @Option(help: "Labels in the training vocabulary.") var labels = 50
    @Option(help: "Clips per batch.") var batch = 32
    @Option(help: "Frames per clip.") var frames = 8
    @Option(help: "Timed training steps (after one warm-up step).") var steps = 3
    @Option(name: .customLong("prompt-tokens"), help: "Learned prompt vectors on each side.") var promptTokens = 16
    @Option(help: "Labels added to the vocabulary before re-tagging.") var addLabels = 100
    @Option(help: "Stored segments re-tagged.") var segments = 100_000
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var engine: EngineOptions

    func run() throws {
        engine.apply()
        guard let config = CLIPConfig.standard(random) else { fail("--random \(random): unknown architecture (\(CLIPConfig.standardNames.joined(separator: ", ")))") }
        do {
            let tower = try FrozenTextTower(source: RandomWeights(), config: config.text, projectionDim: config.projectionDim)
            let d = config.projectionDim
            var rng = SplitMix(seed: 1)
            func randomVector() -> [Float] { (0..<d).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 } }
            let words = (0..<labels).map { _ in (0..<3).map { _ in 300 + Int(rng.next() % 40000) } }
            let clips = (0..<batch).map { i in TrainingClip(frames: (0..<frames).map { _ in randomVector() }, label: i % labels) }
            var o = TrainingOptions()
            o.steps = 1; o.batchSize = batch; o.framesPerClip = frames; o.prefixTokens = promptTokens; o.postfixTokens = promptTokens
            let names = (0..<labels).map { "label \($0)" }
            _ = try Trainer.train(tower: tower, modelIdentity: random, labels: names, labelTokens: words, clips: clips, options: o)
            o.steps = steps
            let t0 = Date()
            let (adapter, _) = try Trainer.train(tower: tower, modelIdentity: random, labels: names, labelTokens: words,
                                                 clips: clips, options: o)
            let perStep = Date().timeIntervalSince(t0) / Double(steps)
            // vocabulary growth and re-tagging from stored features
            let newWords = (0..<addLabels).map { _ in (0..<3).map { _ in 300 + Int(rng.next() % 40000) } }
            let t1 = Date()
            let added = adapter.encodeLabels(tokens: newWords)
            let encodeSeconds = Date().timeIntervalSince(t1)
            let vocabulary = adapter.encodeLabels(tokens: words) + added
            let stored = FloatBuffer(count: segments * d, zeroed: false)
            for i in 0..<stored.count { stored[i] = Float(Int(rng.next() % 2001) - 1000) / 1000 }
            let t2 = Date()
            let tags = tagSegments(features: stored.pointer, count: segments, labels: vocabulary, temperature: adapter.temperature,
                                   topK: 3, threshold: 0)
            let tagSeconds = Date().timeIntervalSince(t2)
            precondition(tags.count == segments)
            let result: [String: Any] = [
                "architecture": random, "labels": labels, "batch": batch, "frames": frames, "prompt_tokens": promptTokens,
                "seconds_per_step": perStep, "threads": Threads.count,
                "retag": ["added_labels": addLabels, "segments": segments, "encode_seconds": encodeSeconds,
                          "tag_seconds": tagSeconds, "total_seconds": encodeSeconds + tagSeconds],
            ]
            if json { try printJSON(result) } else {
                print("\(random) random weights, \(Threads.count) threads")
                print(String(format: "training step (%d labels × %d clips × %d frames, %d+%d prompt tokens): %.2f s",
                             labels, batch, frames, promptTokens, promptTokens, perStep))
                print(String(format: "add %d labels: %.2f s; re-tag %d segments against %d labels: %.2f s; total %.2f s",
                             addLabels, encodeSeconds, segments, labels + addLabels, tagSeconds, encodeSeconds + tagSeconds))
            }
        } catch { fail("\(error)") }
    }
}
