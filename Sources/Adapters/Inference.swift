import CLIP
import Foundation
import Tensor

extension Adapter {
    /// L2-normalised embeddings of labels (or any text) through the learned prompts, given the
    /// tokenizer's ids for each text (with or without SOT/EOT). Batched 32 at a time.
    public func encodeLabels(tokens: [[Int]]) -> [[Float]] {
        let context = tower.config.maxPositions
        var out: [[Float]] = []
        out.reserveCapacity(tokens.count)
        var start = 0
        while start < tokens.count {
            let chunk = tokens[start..<min(tokens.count, start + 32)].map { prompts.content($0, context: context) }
            let e = prompts.embed(labels: chunk, tower: tower)
            let emb = tower.forward(e.x, batch: chunk.count, seq: e.seq, ends: e.ends)
            let d = tower.projectionDim
            for i in 0..<chunk.count { out.append(normalized(Array(UnsafeBufferPointer(start: emb.pointer + i * d, count: d)))) }
            withExtendedLifetime(emb) {}
            start += chunk.count
        }
        return out
    }

    /// Label embeddings for label texts, tokenized with `tokenizer`.
    public func encodeLabels(_ labels: [String], tokenizer: Tokenizer) -> [[Float]] {
        encodeLabels(tokens: labels.map { tokenizer.encode($0) })
    }

    /// A search query through the same prompts as the labels, so search and tags agree.
    public func encodeQuery(_ text: String, tokenizer: Tokenizer) -> [Float] {
        encodeLabels(tokens: [tokenizer.encode(text)])[0]
    }

    /// Dense per-frame features of a whole video's frame embeddings [T][D] (any T): windows of the
    /// module's length overlapping by half, each frame's output blended across the windows that
    /// contain it with triangular weights (largest at a window's centre), so there are no seams.
    /// Without a temporal module, the normalised frames themselves.
    public func temporalFeatures(frames: [[Float]]) -> [[Float]] {
        let x = frames.map(normalized)
        guard let temporal, !x.isEmpty else { return x }
        let d = temporal.width, n = x.count, win = min(temporal.maxFrames, n)
        let hop = max(1, win / 2)
        var starts = Array(stride(from: 0, through: max(0, n - win), by: hop))
        if starts.last! + win < n { starts.append(n - win) }
        var acc = [Float](repeating: 0, count: n * d), weight = [Float](repeating: 0, count: n)
        let input = FloatBuffer(count: win * d, zeroed: false)
        for s in starts {
            for f in 0..<win { (input.pointer + f * d).update(from: x[s + f], count: d) }
            let y = temporal.forward(input.pointer, batch: 1, frames: win)
            for f in 0..<win {
                let w = Float(min(f + 1, win - f))
                for i in 0..<d { acc[(s + f) * d + i] += w * y.pointer[f * d + i] }
                weight[s + f] += w
            }
            withExtendedLifetime(y) {}
        }
        return (0..<n).map { f in (0..<d).map { acc[f * d + $0] / weight[f] } }
    }

    /// The embedding of a trimmed clip: `framesPerClip` frames sampled uniformly (as in training),
    /// through the temporal module, mean-pooled and L2-normalised.
    public func clipFeature(frames: [[Float]]) -> [Float] {
        guard !frames.isEmpty else { return [] }
        let picks = uniformSample(count: frames.count, take: info.framesPerClip)
        let dense = temporal == nil ? picks.map { normalized(frames[$0]) } : temporalFeatures(frames: picks.map { frames[$0] })
        return meanNormalized(dense, range: 0..<dense.count)
    }

    /// The embedding of a segment of a video's dense features: their normalised mean over `range`.
    public func segmentFeature(dense: [[Float]], range: Range<Int>) -> [Float] {
        meanNormalized(dense, range: range)
    }

    /// Tags of one pooled feature against label embeddings: softmax of cosine/temperature over all
    /// labels, the `topK` most probable at or above `threshold`, most probable first.
    public func tag(feature: [Float], labels: [[Float]], topK: Int = 3, threshold: Float = 0.2) -> [(label: Int, score: Float)] {
        scoreTags(feature: feature, labels: labels, temperature: info.temperature, topK: topK, threshold: threshold)
    }

    /// The adapter's temperature (also the tag softmax temperature).
    public var temperature: Float { info.temperature }
    /// Whether the adapter has a temporal module.
    public var hasTemporalModule: Bool { temporal != nil }
    /// Whether the adapter can propose segments (else use the training-free segmenter).
    public var hasProposalHeads: Bool { heads != nil }
}

/// Indices of `take` frames spread uniformly over `count` (each at the centre of its share).
public func uniformSample(count: Int, take: Int) -> [Int] {
    guard count > 0, take > 0 else { return [] }
    return (0..<take).map { min(count - 1, Int((Double($0) + 0.5) * Double(count) / Double(take))) }
}

/// The L2-normalised mean of rows in `range`.
public func meanNormalized(_ rows: [[Float]], range: Range<Int>) -> [Float] {
    guard let first = rows.first, !range.isEmpty else { return [] }
    var m = [Float](repeating: 0, count: first.count)
    for r in range { for i in 0..<m.count { m[i] += rows[r][i] } }
    return normalized(m)
}

/// Softmax tags of a feature against normalised label embeddings at a temperature.
public func scoreTags(feature: [Float], labels: [[Float]], temperature: Float, topK: Int, threshold: Float) -> [(label: Int, score: Float)] {
    guard !labels.isEmpty, !feature.isEmpty else { return [] }
    let f = normalized(feature)
    var logits = labels.map { l in zip(f, l).reduce(0) { $0 + $1.0 * $1.1 } / temperature }
    logits.withUnsafeMutableBufferPointer { softmaxRow($0.baseAddress!, cols: $0.count, validCols: $0.count) }
    return logits.enumerated().filter { $0.element >= threshold }
        .sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
        .prefix(topK).map { (label: $0.offset, score: $0.element) }
}

/// Tags many stored segment features at once (re-tagging after the vocabulary changes, without
/// decoding anything): one sgemm of features [N, D] against labels [C, D], then a softmax per row
/// at `temperature`; each row's `topK` labels at or above `threshold`, most probable first.
/// Features need not be normalised (they are normalised here); labels must be.
public func tagSegments(features: UnsafePointer<Float>, count n: Int, labels: [[Float]], temperature: Float,
                        topK: Int, threshold: Float) -> [[(label: Int, score: Float)]] {
    guard n > 0, let d = labels.first?.count else { return Array(repeating: [], count: n) }
    let c = labels.count
    let table = FloatBuffer(labels.flatMap { $0 })
    var out: [[(label: Int, score: Float)]] = []
    out.reserveCapacity(n)
    let chunk = 8192
    let logits = FloatBuffer(count: min(n, chunk) * c, zeroed: false)
    var start = 0
    while start < n {
        let m = min(chunk, n - start)
        // logits[m, C] = f[m, D] · labelsᵀ / τ, then each row divided by |f| (normalising f)
        gemm(transB: true, m: m, n: c, k: d, alpha: 1 / temperature, a: features + start * d, lda: d,
             b: table.pointer, ldb: d, c: logits.pointer, ldc: c)
        for r in 0..<m {
            let f = features + (start + r) * d, row = logits.pointer + r * c
            let norm = dot(f, f, count: d).squareRoot()
            let inv = norm > 0 ? 1 / norm : 0
            for j in 0..<c { row[j] *= inv }
            softmaxRow(row, cols: c, validCols: c)
            var best: [(label: Int, score: Float)] = []
            for j in 0..<c where row[j] >= threshold {
                if best.count < topK { best.append((j, row[j])); best.sort { $0.score > $1.score } } else if row[j] > best[topK - 1].score {
                    best[topK - 1] = (j, row[j]); best.sort { $0.score > $1.score }
                }
            }
            out.append(best)
        }
        start += m
    }
    withExtendedLifetime((table, logits)) {}
    return out
}
