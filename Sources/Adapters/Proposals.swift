import Foundation
import Tensor

/// An untrimmed training video: frame embeddings at `times` (seconds) and its labelled segments.
public struct TrainingVideo: Sendable {
    public var frames: [[Float]]
    public var times: [Double]
    public var segments: [(start: Double, end: Double, label: Int)]
    public init(frames: [[Float]], times: [Double], segments: [(start: Double, end: Double, label: Int)]) {
        self.frames = frames; self.times = times; self.segments = segments
    }
}

/// A class-agnostic proposal: an interval of frames and its confidence.
public struct Proposal: Sendable, Equatable {
    public var frames: Range<Int>
    public var start: Double, end: Double
    public var score: Float
}

extension ProposalHeads {
    /// Per-step targets [T, 3] (actionness, start, end) of segments at frame `times`: actionness 1
    /// inside a segment; start/end 1 at the frame nearest each boundary and ½ at its neighbours.
    static func targets(times: [Double], segments: [(start: Double, end: Double, label: Int)]) -> [Float] {
        let t = times.count
        var y = [Float](repeating: 0, count: t * 3)
        func nearest(_ s: Double) -> Int { times.indices.min { abs(times[$0] - s) < abs(times[$1] - s) } ?? 0 }
        for s in segments {
            for f in 0..<t where times[f] >= s.start && times[f] <= s.end { y[f * 3] = 1 }
            for (c, b) in [(1, nearest(s.start)), (2, nearest(s.end))] {
                y[b * 3 + c] = 1
                for nb in [b - 1, b + 1] where nb >= 0 && nb < t { y[nb * 3 + c] = max(y[nb * 3 + c], 0.5) }
            }
        }
        return y
    }
}

extension Adapter {
    /// Per-step probabilities [T][3] (actionness, start, end) of dense temporal features; nil without heads.
    public func proposalScores(dense: [[Float]]) -> [[Float]]? {
        guard let heads, !dense.isEmpty else { return nil }
        let x = FloatBuffer(dense.flatMap { $0 })
        let tape = heads.forward(x.pointer, frames: dense.count)
        withExtendedLifetime(x) {}
        return (0..<dense.count).map { f in (0..<3).map { 1 / (1 + expf(-tape.logits[f * 3 + $0])) } }
    }

    /// Class-agnostic proposals of a video from its dense features (see `temporalFeatures`), or nil
    /// when the adapter has no heads (then use the training-free segmenter). Candidates pair start
    /// peaks with later end peaks and take runs of high actionness; each is scored by
    /// p_start · p_end · mean actionness, then temporal NMS at tIoU `nms`.
    public func proposals(dense: [[Float]], times: [Double], maxProposals: Int = 50, nms: Double = 0.5) -> [Proposal]? {
        guard let p = proposalScores(dense: dense) else { return nil }
        let n = p.count
        let step = n > 1 ? (times[n - 1] - times[0]) / Double(n - 1) : 1
        func peaks(_ c: Int) -> [Int] {
            let top = p.map { $0[c] }.max() ?? 0
            return (0..<n).filter { f in
                let v = p[f][c]
                return (v >= 0.5 * top && (f == 0 || v >= p[f - 1][c]) && (f == n - 1 || v >= p[f + 1][c])) || v > 0.7
            }
        }
        var candidates: [(range: Range<Int>, score: Float)] = []
        let starts = peaks(1), ends = peaks(2)
        for s in starts {
            for e in ends where e >= s {
                let mean = (s...e).reduce(Float(0)) { $0 + p[$1][0] } / Float(e - s + 1)
                candidates.append((s..<(e + 1), p[s][1] * p[e][2] * mean))
            }
        }
        var f = 0
        while f < n {   // runs of actionness above ½
            guard p[f][0] > 0.5 else { f += 1; continue }
            let s = f
            while f < n && p[f][0] > 0.5 { f += 1 }
            let mean = (s..<f).reduce(Float(0)) { $0 + p[$1][0] } / Float(f - s)
            candidates.append((s..<f, mean * p[s][1].squareRoot() * p[f - 1][2].squareRoot()))
        }
        let items = candidates.map { (start: max(0, times[$0.range.lowerBound] - step / 2), end: times[$0.range.upperBound - 1] + step / 2, score: $0.score) }
        return temporalNMS(items, threshold: nms).prefix(maxProposals).map {
            Proposal(frames: candidates[$0].range, start: items[$0].start, end: items[$0].end, score: items[$0].score)
        }
    }
}

extension Trainer {
    /// Trains the proposal heads on the dense features of untrimmed videos (the prompts and temporal
    /// module stay as they are). Deterministic for a seed.
    static func trainHeads(_ adapter: Adapter, videos: [TrainingVideo], steps: Int, learningRate: Float, seed: UInt64) -> Float {
        var rng = SeededRandom(seed: seed &+ 17)
        let d = adapter.tower.projectionDim
        let heads = ProposalHeads(width: d, rng: &rng)
        adapter.heads = heads
        adapter.info.hasProposalHeads = true
        let data = videos.filter { !$0.frames.isEmpty }.map { v in
            (x: FloatBuffer(adapter.temporalFeatures(frames: v.frames).flatMap { $0 }), y: ProposalHeads.targets(times: v.times, segments: v.segments), t: v.frames.count)
        }
        guard !data.isEmpty else { return 0 }
        var adam = AdamW(lr: learningRate, weightDecay: 0.01, totalSteps: steps)
        var last: Float = 0
        for _ in 0..<steps {
            var loss: Float = 0
            for v in data {
                let tape = heads.forward(v.x.pointer, frames: v.t)
                let (l, dl) = ProposalHeads.loss(logits: tape.logits, targets: v.y, frames: v.t)
                for i in 0..<dl.count { dl.pointer[i] /= Float(data.count) }
                heads.backward(tape, dLogits: dl.pointer)
                loss += l / Float(data.count)
            }
            adam.update(heads.parameters)
            for p in heads.parameters { p.zeroGrad() }
            last = loss
        }
        return last
    }
}
