import CLIP
import Foundation
import Index
import Synth

/// A demo query about a shape the demo videos really contain, so every hit can be checked.
struct DemoQuery {
    var text: String
    var colour: ShapeColour
    var shape: ShapeKind
    /// WORLD.md's 3×3 cell when the query names a position.
    var cell: Int?

    /// Whether a shape in this state is what the query asks for.
    func matches(_ s: ObjectState) -> Bool {
        s.visible && s.colourName == colour && s.shape == shape && (cell == nil || s.cell == cell)
    }

    /// Up to three queries: two videos' main shapes and a still distractor with its position.
    static func pick(_ videos: [WrittenVideo]) -> [DemoQuery] {
        var out: [DemoQuery] = []
        func add(_ s: ObjectState, position: Bool) {
            let text = "\(article(s.colourName.rawValue)) \(s.colourName.rawValue) \(s.shape.rawValue)" + (position ? " \(s.positionPhrase)" : "")
            let q = DemoQuery(text: text, colour: s.colourName, shape: s.shape, cell: position ? s.cell : nil)
            if !out.contains(where: { $0.text == q.text }) { out.append(q) }
        }
        for v in videos.prefix(2) { add(v.scene.tracks[0].initial, position: false) }
        if let d = videos.lazy.compactMap({ $0.scene.tracks.count > 1 ? $0.scene.tracks[1].initial : nil }).first { add(d, position: true) }
        return out
    }
}

/// Runs the demo queries on the index and prints each top hit beside the ground truth of its moment.
struct DemoSearches {
    let db: IndexStore
    /// Absolute video path → the scene it was rendered from.
    let scenes: [String: Scene]

    /// Prints the top `limit` hits of each query; returns (hits showing what was asked, hits).
    func run(_ queries: [DemoQuery], limit: Int = 3) throws -> (right: Int, total: Int) {
        let (clip, record) = queryModel(db, directory: nil)
        let index = try SegmentIndex.load(store: db, model: record)
        let tokenizer = try Tokenizer.bundled()
        var right = 0, total = 0
        for q in queries {
            let embedding = clip.encodeTexts(tokens: [tokenizer.encode(q.text)])[0]
            let hits = decorate(index.search(embedding, limit: limit), db, query: embedding)
            print("\nclipdex search \"\(q.text)\" --limit \(limit)")
            let truth = scenes.keys.sorted().filter { p in (scenes[p]?.tracks.contains { q.matches($0.initial) || q.matches($0.final) }) == true }
            print("  (in the ground truth: \(truth.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")))")
            for (i, h) in hits.enumerated() {
                let t = h.moment ?? (h.start + h.end) / 2
                let scene = scenes[h.path]
                let ok = scene?.tracks.contains { q.matches($0.state(at: t)) } ?? false
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
