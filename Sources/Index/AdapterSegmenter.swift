import Adapters

/// Segments of a video through an Efficient-Prompt adapter: its temporal module turns the frame
/// embeddings into dense features; the proposal heads (when the adapter has them) propose the
/// segments, else the training-free `CutSegmenter` cuts the frames. A segment's embedding is its
/// pooled temporal feature, the space the adapter's label and query embeddings live in.
public struct AdapterSegmenter: Segmenter {
    public let adapter: Adapter
    /// The training-free fallback for adapters without proposal heads (or when they propose nothing).
    public var fallback: CutSegmenter

    public init(adapter: Adapter, fallback: CutSegmenter = CutSegmenter()) {
        self.adapter = adapter
        self.fallback = fallback
    }

    public func segment(_ frames: FrameEmbeddings) -> [SegmentInput] {
        guard !frames.vectors.isEmpty else { return [] }
        let dense = adapter.temporalFeatures(frames: frames.vectors)
        if let proposals = adapter.proposals(dense: dense, times: frames.times), !proposals.isEmpty {
            return proposals.sorted { ($0.start, $0.end) < ($1.start, $1.end) }.map { p in
                SegmentInput(start: p.start, end: p.end, score: Double(p.score), frames: p.frames,
                             embedding: adapter.segmentFeature(dense: dense, range: p.frames))
            }
        }
        return fallback.segment(frames).map { s in
            var s = s
            s.embedding = adapter.segmentFeature(dense: dense, range: s.frames)
            return s
        }
    }
}
