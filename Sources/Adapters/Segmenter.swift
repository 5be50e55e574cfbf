import Foundation

/// Localisation without trained heads: cut a video's frame features where consecutive frames
/// differ (cosine below the video's own median similarity by a margin), keep segments of at least
/// `minFrames`, label each by its pooled feature. The baseline (and the fallback for adapters
/// without proposal heads) in evaluation; the Index module keeps its own segmenter for indexing.
public enum ChangeSegmenter {
    /// Frame ranges covering 0..<features.count.
    public static func segments(_ features: [[Float]], minFrames: Int = 2, margin: Float = 0.05) -> [Range<Int>] {
        let n = features.count
        guard n > 1 else { return n == 1 ? [0..<1] : [] }
        let x = features.map(normalized)
        let sims = (1..<n).map { i in zip(x[i - 1], x[i]).reduce(0) { $0 + $1.0 * $1.1 } }
        let median = sims.sorted()[sims.count / 2]
        var cuts: [Int] = [0]
        for i in 1..<n where sims[i - 1] < median - margin && i - cuts.last! >= minFrames { cuts.append(i) }
        if n - cuts.last! < minFrames && cuts.count > 1 { cuts.removeLast() }
        cuts.append(n)
        return (0..<(cuts.count - 1)).map { cuts[$0]..<cuts[$0 + 1] }
    }
}

/// Temporal non-maximum suppression: keeps the best-scoring intervals, dropping any whose tIoU
/// with a kept one exceeds `threshold`.
public func temporalNMS(_ items: [(start: Double, end: Double, score: Float)], threshold: Double) -> [Int] {
    var kept: [Int] = []
    for i in items.indices.sorted(by: { items[$0].score > items[$1].score }) {
        if kept.allSatisfy({ Metrics.tIoU((items[$0].start, items[$0].end), (items[i].start, items[i].end)) <= threshold }) {
            kept.append(i)
        }
    }
    return kept
}

import Tensor
