import Foundation

/// Evaluation measures: recognition top-k, text→video recall@k, temporal localisation mAP.
public enum Metrics {
    /// Cosine scores [N][C] of normalised features against normalised label embeddings.
    public static func scores(_ features: [[Float]], _ labels: [[Float]]) -> [[Float]] {
        features.map { f in labels.map { l in zip(f, l).reduce(0) { $0 + $1.0 * $1.1 } } }
    }

    /// Share of rows whose true class is among the k highest scores (ties count against).
    public static func topK(_ scores: [[Float]], truth: [Int], k: Int) -> Double {
        guard !truth.isEmpty else { return 0 }
        var hits = 0
        for (row, t) in zip(scores, truth) {
            let better = row.enumerated().filter { $0.offset != t && $0.element >= row[t] }.count
            if better < k { hits += 1 }
        }
        return Double(hits) / Double(truth.count)
    }

    /// Text→video recall@k: for each query (a label), whether a clip of that label is among the
    /// k clips scoring highest; averaged over the queries that have at least one clip.
    public static func recallAtK(_ scores: [[Float]], truth: [Int], queries: Int, k: Int) -> Double {
        var hit = 0, asked = 0
        for q in 0..<queries where truth.contains(q) {
            asked += 1
            let ranked = scores.indices.sorted { scores[$0][q] > scores[$1][q] || (scores[$0][q] == scores[$1][q] && $0 < $1) }
            if ranked.prefix(k).contains(where: { truth[$0] == q }) { hit += 1 }
        }
        return asked == 0 ? 0 : Double(hit) / Double(asked)
    }

    /// Temporal IoU of two intervals.
    public static func tIoU(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let inter = max(0, min(a.1, b.1) - max(a.0, b.0))
        let union = max(a.1, b.1) - min(a.0, b.0)
        return union > 0 ? inter / union : 0
    }

    /// A detection: video, interval, label, score.
    public struct Detection: Sendable {
        public var video: Int, start: Double, end: Double, label: Int, score: Float
        public init(video: Int, start: Double, end: Double, label: Int, score: Float) {
            self.video = video; self.start = start; self.end = end; self.label = label; self.score = score
        }
    }

    /// ActivityNet/THUMOS-style mAP at a tIoU threshold: per class, detections sorted by score are
    /// matched greedily to unmatched ground truth of the same video; AP is the area under the
    /// interpolated precision–recall curve; mean over classes that have ground truth.
    public static func meanAP(detections: [Detection], truth: [Detection], threshold: Double) -> Double {
        let classes = Set(truth.map(\.label))
        guard !classes.isEmpty else { return 0 }
        var total = 0.0
        for c in classes {
            let gt = truth.filter { $0.label == c }
            var used = [Bool](repeating: false, count: gt.count)
            let dets = detections.filter { $0.label == c }.sorted { $0.score > $1.score }
            var tp: [Double] = [], fp: [Double] = []
            for d in dets {
                var best = -1, bestIoU = threshold
                for (i, g) in gt.enumerated() where g.video == d.video && !used[i] {
                    let iou = tIoU((d.start, d.end), (g.start, g.end))
                    if iou >= bestIoU { best = i; bestIoU = iou }
                }
                if best >= 0 { used[best] = true; tp.append(1); fp.append(0) } else { tp.append(0); fp.append(1) }
            }
            var ctp = 0.0, cfp = 0.0
            var precision: [Double] = [], recall: [Double] = []
            for i in 0..<tp.count {
                ctp += tp[i]; cfp += fp[i]
                precision.append(ctp / (ctp + cfp)); recall.append(ctp / Double(gt.count))
            }
            // interpolated AP (VOC 2010+ / ActivityNet): precision made monotone, summed over recall steps
            var ap = 0.0, prevRecall = 0.0
            for i in 0..<precision.count {
                let p = precision[i...].max() ?? 0
                ap += (recall[i] - prevRecall) * p
                prevRecall = recall[i]
            }
            total += ap
        }
        return total / Double(classes.count)
    }
}
