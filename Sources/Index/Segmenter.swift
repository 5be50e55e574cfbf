/// A video's sampled frames and their unit-length embeddings: what a segmenter cuts.
public struct FrameEmbeddings: Sendable {
    /// Sample times in seconds, ascending.
    public var times: [Double]
    /// Unit-length embeddings, one per time.
    public var vectors: [[Float]]
    /// The video's duration (seconds), or the last time plus one sample interval when unknown.
    public var duration: Double

    public init(times: [Double], vectors: [[Float]], duration: Double) {
        self.times = times; self.vectors = vectors; self.duration = duration
    }
}

/// Cuts a video into segments from its frame embeddings. The training-free `CutSegmenter` is the
/// default; learned proposals (Adapters) plug in here and may also attach tags.
public protocol Segmenter: Sendable {
    /// Segments covering the video, in time order, each with its frames, pooled embedding and score.
    func segment(_ frames: FrameEmbeddings) -> [SegmentInput]
}

extension FrameEmbeddings {
    /// The segment over frames `range`: from its first frame's time (0 for the first segment) to the
    /// next segment's first frame (the duration for the last), pooled by the normalised mean.
    public func span(_ range: Range<Int>, score: Double = 1) -> SegmentInput {
        let (start, end) = interval(range)
        return SegmentInput(start: start, end: end, score: score, frames: range, embedding: meanVector(range))
    }

    /// Start and end times of the segment over frames `range` (see `span`).
    public func interval(_ range: Range<Int>) -> (start: Double, end: Double) {
        let start = range.lowerBound == 0 ? 0 : times[range.lowerBound]
        let end = range.upperBound >= times.count ? max(duration, times[times.count - 1]) : times[range.upperBound]
        return (start, end)
    }

    /// Unit-length mean of the embeddings in `range`.
    public func meanVector(_ range: Range<Int>) -> [Float] {
        guard let dim = vectors.first?.count else { return [] }
        var sum = [Float](repeating: 0, count: dim)
        for i in range { for j in 0..<dim { sum[j] += vectors[i][j] } }
        return EmbeddingCodec.normalized(sum)
    }

    /// Cosine distance between consecutive frames: d[i] = 1 − cos(v[i], v[i+1]).
    public func consecutiveDistances() -> [Double] {
        guard vectors.count > 1 else { return [] }
        return (0..<(vectors.count - 1)).map { i in
            var dot: Float = 0
            for (a, b) in zip(vectors[i], vectors[i + 1]) { dot += a * b }
            return Double(1 - dot)
        }
    }
}

/// Training-free segmentation: cut where the cosine distance between consecutive frames peaks
/// (shot cuts, scene changes), keeping segments between `minSeconds` and `maxSeconds` long.
///
/// 1. Distances d[i] between frames i and i+1. A cut candidate is a local maximum above `floor`
///    that stands out either globally — above median(d) + `sensitivity` × 1.4826 × MAD(d), robust
///    to each video's own level of motion — or locally — at least `ratio` × the mean distance of
///    the `window` neighbours on each side (as adaptive shot detectors do: a cut next to a static
///    shot is obvious even when the rest of the video moves a lot).
/// 2. Candidates are taken strongest first, each kept only if every segment stays ≥ `minSeconds`.
/// 3. Segments longer than `maxSeconds` are split at their largest interior distance (any frame,
///    peak or not) that keeps both halves ≥ `minSeconds`, repeatedly.
public struct CutSegmenter: Segmenter {
    public var minSeconds: Double
    public var maxSeconds: Double
    public var sensitivity: Double
    public var ratio: Double
    public var window: Int
    public var floor: Double

    public init(minSeconds: Double = 2, maxSeconds: Double = 30, sensitivity: Double = 3, ratio: Double = 3,
                window: Int = 2, floor: Double = 0.05) {
        self.minSeconds = minSeconds; self.maxSeconds = maxSeconds; self.sensitivity = sensitivity
        self.ratio = ratio; self.window = window; self.floor = floor
    }

    public func segment(_ frames: FrameEmbeddings) -> [SegmentInput] {
        let n = frames.times.count
        guard n > 0 else { return [] }
        let d = frames.consecutiveDistances()
        var cuts = Set<Int>()          // a cut at c starts a segment at frame c (1 ≤ c < n)
        for c in candidates(d) where allowed(c, cuts, frames) { cuts.insert(c) }
        var bounds = [0] + cuts.sorted() + [n]
        bounds = splitLong(bounds, d, frames)
        return zip(bounds, bounds.dropFirst()).map { frames.span($0..<$1) }
    }

    /// Cut positions at peaks above the threshold, strongest first.
    private func candidates(_ d: [Double]) -> [Int] {
        guard !d.isEmpty else { return [] }
        let sorted = d.sorted()
        let median = sorted[sorted.count / 2]
        let mad = d.map { abs($0 - median) }.sorted()[d.count / 2]
        let threshold = median + sensitivity * 1.4826 * mad
        var peaks: [(Int, Double)] = []
        for i in d.indices where d[i] > floor {
            let left = i == 0 ? -Double.infinity : d[i - 1], right = i + 1 < d.count ? d[i + 1] : -Double.infinity
            guard d[i] >= left && d[i] >= right else { continue }
            let around = (max(0, i - window)..<min(d.count, i + window + 1)).filter { $0 != i }.map { d[$0] }
            let local = around.isEmpty ? 0 : around.reduce(0, +) / Double(around.count)
            if d[i] > threshold || d[i] >= ratio * local { peaks.append((i + 1, d[i])) }
        }
        return peaks.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
    }

    /// Whether cutting at frame `c` keeps the segments on both sides at least `minSeconds` long.
    private func allowed(_ c: Int, _ cuts: Set<Int>, _ f: FrameEmbeddings) -> Bool {
        let before = cuts.filter { $0 < c }.max() ?? 0, after = cuts.filter { $0 > c }.min() ?? f.times.count
        return length(before, c, f) >= minSeconds && length(c, after, f) >= minSeconds
    }

    /// Seconds covered by the segment of frames a..<b (as `span` lays it out).
    private func length(_ a: Int, _ b: Int, _ f: FrameEmbeddings) -> Double {
        let s = f.interval(a..<b)
        return s.end - s.start
    }

    private func splitLong(_ bounds: [Int], _ d: [Double], _ f: FrameEmbeddings) -> [Int] {
        var out = [bounds[0]]
        for (a, b) in zip(bounds, bounds.dropFirst()) {
            var pending = [(a, b)]
            var pieces: [Int] = []
            while let (lo, hi) = pending.popLast() {
                guard length(lo, hi, f) > maxSeconds,
                      let c = ((lo + 1)..<hi).filter({ length(lo, $0, f) >= minSeconds && length($0, hi, f) >= minSeconds })
                        .max(by: { d[$0 - 1] < d[$1 - 1] }) else { pieces.append(hi); continue }
                pending.append((c, hi)); pending.append((lo, c))
            }
            out += pieces
        }
        return out
    }
}
