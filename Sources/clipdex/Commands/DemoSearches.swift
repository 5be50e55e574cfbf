import Adapters
import CLIP
import Foundation
import Index
import Synth

/// A demo query about what the demo videos really contain, so every hit can be checked: a shape
/// (colour, kind, maybe position) or an action of the ground truth.
struct DemoQuery {
    var text: String
    var colour: ShapeColour?
    var shape: ShapeKind?
    /// WORLD.md's 3×3 cell when the query names a position.
    var cell: Int?
    /// An action label of the ground truth ("grow", "move left", …).
    var action: String?

    /// Whether a shape in this state is what a shape query asks for.
    func matches(_ s: ObjectState) -> Bool {
        guard let colour, let shape else { return false }
        return s.visible && s.colourName == colour && s.shape == shape && (cell == nil || s.cell == cell)
    }

    /// Whether the moment `t` of `scene` shows what was asked.
    func holds(in scene: Scene, at t: Double) -> Bool {
        if let action { return scene.segments.contains { $0.label == action && $0.start - 0.5 <= t && t <= $0.end + 0.5 } }
        return scene.tracks.contains { matches($0.state(at: t)) }
    }

    /// Whether the scene shows it at some time.
    func occurs(in scene: Scene) -> Bool {
        if let action { return scene.segments.contains { $0.label == action } }
        return scene.tracks.contains { matches($0.initial) || matches($0.final) }
    }

    /// Up to three queries: two videos' main shapes and a still distractor with its position.
    static func pick(_ videos: [WrittenVideo]) -> [DemoQuery] {
        var out: [DemoQuery] = []
        func add(_ q: DemoQuery) { if !out.contains(where: { $0.text == q.text }) { out.append(q) } }
        func add(_ s: ObjectState, position: Bool) {
            let text = "\(article(s.colourName.rawValue)) \(s.colourName.rawValue) \(s.shape.rawValue)" + (position ? " \(s.positionPhrase)" : "")
            add(DemoQuery(text: text, colour: s.colourName, shape: s.shape, cell: position ? s.cell : nil))
        }
        for v in videos.prefix(2) { add(v.scene.tracks[0].initial, position: false) }
        if let d = videos.lazy.compactMap({ $0.scene.tracks.count > 1 ? $0.scene.tracks[1].initial : nil }).first { add(d, position: true) }
        return out
    }

    /// Up to three actions of the ground truth, asked in words through the demo adapter's prompts.
    static func pickActions(_ videos: [WrittenVideo]) -> [DemoQuery] {
        let present = Set(videos.flatMap { $0.scene.segments.map(\.label) })
        return ["grow", "appear", "move left", "spin", "shrink", "bounce"].filter(present.contains).prefix(3)
            .map { DemoQuery(text: $0, action: $0) }
    }
}

/// Runs the demo queries on the index and prints each top hit beside the ground truth of its moment.
struct DemoSearches {
    let db: IndexStore
    /// Absolute video path → the scene it was rendered from.
    let scenes: [String: Scene]

    /// Prints the top `limit` hits of each query; returns (hits showing what was asked, hits).
    func run(_ queries: [DemoQuery], limit: Int = 3, db dbPath: String? = nil) throws -> (right: Int, total: Int) {
        let (clip, record) = queryModel(db, directory: nil)
        // As `clipdex search` does: through the adapter the index was built with, if any.
        let (adapter, adapterRecord) = try queryAdapter(db, model: record, clip: clip, file: nil)
        let index = try SegmentIndex.load(store: db, model: record, adapterID: adapterRecord?.id)
        let tokenizer = try Tokenizer.bundled()
        var right = 0, total = 0
        for q in queries {
            let embedding = queryEmbedding(q.text, clip: clip, adapter: adapter, tokenizer: tokenizer)
            let hits = decorate(index.search(embedding, limit: limit), db, query: embedding)
            print("\nclipdex search \"\(q.text)\" --limit \(limit)" + (dbPath.map { " --db \($0)" } ?? ""))
            let truth = scenes.keys.sorted().filter { p in scenes[p].map(q.occurs) == true }
            print("  (in the ground truth: \(truth.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")))")
            for (i, h) in hits.enumerated() {
                // an action is judged at the segment's middle; a shape at the best-matching frame
                let t = q.action == nil ? h.moment ?? (h.start + h.end) / 2 : (h.start + h.end) / 2
                let scene = scenes[h.path]
                let ok = scene.map { q.holds(in: $0, at: t) } ?? false
                right += ok ? 1 : 0
                total += 1
                let shown = scene.map { s in s.visibleObjects(at: t).joined(separator: " + ") } ?? "?"
                let action = scene.map { s in s.labels(at: t).first ?? "idle" } ?? "?"
                print("  \(i + 1). \(ok ? "yes" : "no ") \((h.path as NSString).lastPathComponent) \(timecode(h.start))-\(timecode(h.end)) "
                      + "at \(timecode(t)) score \(String(format: "%.3f", h.score)): shows \(shown.isEmpty ? "nothing" : shown) [\(action)]")
            }
        }
        return (right, total)
    }
}
