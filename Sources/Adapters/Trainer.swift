import CLIP
import Foundation
import Tensor

/// One trimmed training clip: its frame embeddings (from the frozen image encoder) and label index.
public struct TrainingClip: Sendable {
    public var frames: [[Float]]
    public var label: Int
    public init(frames: [[Float]], label: Int) { self.frames = frames; self.label = label }
}

/// Training settings. The defaults are chosen to work on a few clips per class.
public struct TrainingOptions: Sendable {
    /// Learned prompt vectors before and after the label (paper: 16 each).
    public var prefixTokens = 16
    public var postfixTokens = 16
    /// Temporal transformer layers (0 = mean pooling only).
    public var temporalLayers = 1
    /// Frames sampled from each clip per step.
    public var framesPerClip = 8
    /// Passes over the clips; the step count is epochs × ⌈clips / batch⌉, at least `minimumSteps`.
    public var epochs = 60
    public var minimumSteps = 300
    public var batchSize = 32
    /// AdamW. The paper uses 1e-4 over 1100 steps of 64 clips; few clips need a larger rate
    /// (measured on ffmpeg-made temporal-order clips with the tiny random CLIP: 1e-3 × 150 steps left
    /// one class pair unseparated, 2e-3 × 300 steps separated all four classes for every seed tried).
    public var learningRate: Float = 2e-3
    public var weightDecay: Float = 0.01
    public var temperature: Float = 0.07
    public var seed: UInt64 = 0
    /// Proposal heads (trained when untrimmed videos are given): full-batch steps and rate.
    public var headSteps = 300
    public var headLearningRate: Float = 3e-3
    /// Explicit step count (overrides epochs).
    public var steps: Int?

    public init() {}

    func totalSteps(clips: Int) -> Int {
        if let steps { return max(1, steps) }
        let perEpoch = (clips + batchSize - 1) / max(1, batchSize)
        return max(minimumSteps, epochs * perEpoch)
    }
}

/// What a training run did.
public struct TrainingReport: Sendable {
    public var steps: Int
    public var finalLoss: Float
    /// Mean loss over the last tenth of the steps (smoother than the last step's).
    public var tailLoss: Float
    public var trainAccuracy: Float
    public var seconds: Double
}

/// Efficient-Prompt training on cached frame embeddings: only the prompt vectors, the temporal
/// module (and the proposal heads) change; the frozen CLIP text tower is run forward and backward.
public enum Trainer {
    /// Trains a new adapter for `labels` (label texts and their token ids) on `clips`.
    /// `progress(step, total, loss)` is called after every step. Deterministic for a given seed.
    public static func train(tower: FrozenTextTower, modelIdentity: String, labels: [String], labelTokens: [[Int]],
                             clips: [TrainingClip], videos: [TrainingVideo] = [], options o: TrainingOptions,
                             progress: ((Int, Int, Float) -> Void)? = nil) throws -> (Adapter, TrainingReport) {
        guard !clips.isEmpty else { throw AdapterError.data("no training clips: give at least one clip per label") }
        guard labels.count >= 2 else { throw AdapterError.data("training needs at least two labels, found \(labels.count)") }
        let d = tower.projectionDim
        for c in clips {
            guard c.label >= 0 && c.label < labels.count else { throw AdapterError.data("clip label \(c.label) is outside the \(labels.count) labels") }
            guard !c.frames.isEmpty, c.frames.allSatisfy({ $0.count == d }) else {
                throw AdapterError.data("a clip of label '\(labels[c.label])' has no frames or frames that are not \(d)-dimensional")
            }
        }
        let start = Date()
        var rng = SeededRandom(seed: o.seed)
        let prompts = PromptLearner(prefix: o.prefixTokens, postfix: o.postfixTokens, width: tower.width, rng: &rng)
        let frames = min(o.framesPerClip, 16)
        let temporal = o.temporalLayers > 0
            ? TemporalModule(width: d, layers: o.temporalLayers, heads: TemporalModule.defaultHeads(width: d), maxFrames: 16, rng: &rng)
            : nil
        let info = AdapterInfo(baseModel: modelIdentity, prefixTokens: o.prefixTokens, postfixTokens: o.postfixTokens,
                               temporalLayers: o.temporalLayers, temporalHeads: temporal?.heads ?? 0,
                               temporalWidth: d, temporalFrames: temporal?.maxFrames ?? 0, framesPerClip: frames,
                               temperature: o.temperature, hasProposalHeads: false, labels: labels, training: [:])
        let adapter = Adapter(info: info, path: "", tower: tower, prompts: prompts, temporal: temporal, heads: nil)
        let params = adapter.parameters
        let total = o.totalSteps(clips: clips.count)
        var adam = AdamW(lr: o.learningRate, weightDecay: o.weightDecay, totalSteps: total)
        let content = labelTokens.map { prompts.content($0, context: tower.config.maxPositions) }
        let batch = min(o.batchSize, clips.count)
        var order: [Int] = [], cursor = 0
        var losses: [Float] = [], correct = 0, seen = 0
        for step in 0..<total {
            var picks: [Int] = []
            while picks.count < batch {
                if cursor == order.count { order = Array(0..<clips.count); order.shuffle(using: &rng); cursor = 0 }
                picks.append(order[cursor]); cursor += 1
            }
            let x = FloatBuffer(count: batch * frames * d, zeroed: false)
            for (b, c) in picks.enumerated() {
                let idx = jitteredSample(count: clips[c].frames.count, take: frames, rng: &rng)
                for (f, i) in idx.enumerated() {
                    let v = normalized(clips[c].frames[i])
                    (x.pointer + (b * frames + f) * d).update(from: v, count: d)
                }
            }
            let r = trainStep(adapter: adapter, x: x, batch: batch, frames: frames, content: content,
                              targets: picks.map { clips[$0].label }, temperature: o.temperature)
            adam.update(params)
            for p in params { p.zeroGrad() }
            losses.append(r.loss)
            if step >= total - max(1, total / 10) { correct += r.correct; seen += batch }
            progress?(step + 1, total, r.loss)
        }
        let tail = losses.suffix(max(1, total / 10))
        let report = TrainingReport(steps: total, finalLoss: losses.last ?? 0, tailLoss: tail.reduce(0, +) / Float(tail.count),
                                    trainAccuracy: Float(correct) / Float(max(1, seen)), seconds: Date().timeIntervalSince(start))
        if !videos.isEmpty {
            let headLoss = trainHeads(adapter, videos: videos, steps: o.headSteps, learningRate: o.headLearningRate, seed: o.seed)
            adapter.info.training["proposal_loss"] = "\(headLoss)"
            adapter.info.training["videos"] = "\(videos.count)"
        }
        adapter.info.training.merge([
            "clips": "\(clips.count)", "steps": "\(total)", "batch": "\(batch)", "seed": "\(o.seed)",
            "learning_rate": "\(o.learningRate)", "final_loss": "\(report.finalLoss)",
            "train_accuracy": "\(report.trainAccuracy)",
        ]) { $1 }
        return (adapter, report)
    }

    /// One forward/backward over a batch x [B, T, D] of normalised frames; gradients accumulate
    /// into the adapter's parameters.
    static func trainStep(adapter: Adapter, x: FloatBuffer, batch: Int, frames: Int, content: [[Int]],
                          targets: [Int], temperature: Float) -> LossResult {
        let d = adapter.tower.projectionDim, tower = adapter.tower
        let tape = adapter.temporal?.forwardTrain(x.pointer, batch: batch, frames: frames)
        let dense = tape?.output ?? x
        let video = meanPool(dense.pointer, batch: batch, frames: frames, width: d)
        let e = adapter.prompts.embed(labels: content, tower: tower)
        let textTape = tower.forwardTrain(e.x, batch: content.count, seq: e.seq, ends: e.ends)
        let r = contrastiveLoss(video: video.pointer, batch: batch, text: textTape.embeds.pointer, classes: content.count,
                                width: d, targets: targets, temperature: temperature)
        if let tape, let temporal = adapter.temporal {
            let dy = meanPoolBackward(r.dVideo.pointer, batch: batch, frames: frames, width: d)
            temporal.backward(tape, dY: dy.pointer)
            withExtendedLifetime(dy) {}
        }
        let dx = tower.backward(textTape, dEmbeds: r.dText.pointer)
        adapter.prompts.accumulate(dX: dx.pointer, labels: content, seq: e.seq)
        withExtendedLifetime((x, dense, video, dx)) {}
        return r
    }

    /// `take` frame indices: one from each of `take` equal shares of the clip, at a random place in
    /// its share (TSN-style sampling, a light augmentation); in order.
    static func jitteredSample(count: Int, take: Int, rng: inout SeededRandom) -> [Int] {
        (0..<take).map { i in
            let lo = Double(i) * Double(count) / Double(take), hi = Double(i + 1) * Double(count) / Double(take)
            let u = Double(rng.next() >> 11) / Double(1 << 53)
            return min(count - 1, Int(lo + u * (hi - lo)))
        }
    }
}
