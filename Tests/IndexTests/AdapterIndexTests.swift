@testable import Adapters
import CLIP
import Foundation
@testable import Index
import Tensor
import XCTest

/// Indexing, tagging and searching through an adapter, on the tiny fixture CLIP and letter "videos".
final class AdapterIndexTests: XCTestCase {
    var dir: TempDir!
    override func setUp() { dir = TempDir() }
    override func tearDown() { dir.cleanup() }

    private func indexer(_ store: IndexStore, adapter: Adapter?) throws -> Indexer {
        let labels = adapter.map { LabelEncoder.adapter($0, tokenizer: TinyCLIP.tokenizer) }
            ?? .template(model: TinyCLIP.model, tokenizer: TinyCLIP.tokenizer)
        return try Indexer(store: store, embedder: CLIPImageEmbedder(model: TinyCLIP.model), source: LetterFrameSource(),
                           adapter: adapter, labels: labels)
    }

    func testAdapterStampsSegmentsTagsThemAndSearchRanksByItsQuery() throws {
        let adapter = try TinyCLIP.adapter(at: dir.file("a.safetensors"))
        XCTAssertTrue(adapter.hasTemporalModule)
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        try store.addVocabulary(["red", "green", "blue"])
        let videos = ["rrrrggggbbbb", "bbbbbbwwwwww", "gggrrrkkkwww"].enumerated().map { i, text in
            let p = dir.file("v\(i).txt"); writeFile(p, text); return p
        }
        // First without the adapter, then with it: the frozen-CLIP rows are stale and replaced.
        let plain = try indexer(store, adapter: nil)
        XCTAssertTrue(plain.index(videos).allSatisfy { (try? $0.get()) != nil })
        let adapted = try indexer(store, adapter: adapter)
        let record = try XCTUnwrap(adapted.adapter)
        XCTAssertEqual(record.identity, adapter.identity)
        XCTAssertEqual(record.path, dir.file("a.safetensors"))
        for r in adapted.index(videos) {
            guard case .indexed = try r.get() else { return XCTFail("not re-indexed under the adapter: \(r)") }
        }
        XCTAssertEqual(try adapted.index(videos[0]), .unchanged)
        XCTAssertFalse(try plain.isUnchanged(videos[0], file: FileIdentity.read(videos[0])), "stale for the plain indexer")

        let model = adapted.model
        XCTAssertEqual(try SegmentIndex.load(store: store, model: model, adapterID: nil).count, 0)
        let index = try SegmentIndex.load(store: store, model: model, adapterID: record.id)
        XCTAssertGreaterThan(index.count, 3)
        XCTAssertEqual(try store.primaryAdapter(modelID: model.id)?.id, record.id)

        // Each stored segment embedding is the adapter's pooled temporal feature of its frames.
        let v0 = try XCTUnwrap(store.video(path: videos[0]))
        XCTAssertEqual(v0.adapterID, record.id)
        let frames = try store.frames(videoID: v0.id)
        let dense = adapter.temporalFeatures(frames: frames.vectors)
        for s in try store.segments(videoID: v0.id) {
            XCTAssertEqual(s.adapterID, record.id)
            let lo = frames.times.firstIndex { $0 >= s.start }!, hi = frames.times.lastIndex { $0 < s.end }! + 1
            let want = adapter.segmentFeature(dense: dense, range: lo..<hi)
            let got = try store.segmentEmbedding(id: s.id)
            XCTAssertLessThan(zip(want, got).map { abs($0 - $1) }.max()!, 3e-3, "segment \(s.start)-\(s.end)")
        }

        // Search: the adapter's query embedding against the stored segment embeddings, computed directly.
        let query = adapter.encodeQuery("red", tokenizer: TinyCLIP.tokenizer)
        let hits = index.search(query, limit: 100)
        XCTAssertEqual(hits.count, index.count)
        for h in hits {
            let e = try store.segmentEmbedding(id: h.segment)
            XCTAssertEqual(h.score, zip(e, normalized(query)).reduce(0) { $0 + $1.0 * $1.1 }, accuracy: 1e-4)
        }
        XCTAssertEqual(hits.map(\.score), hits.map(\.score).sorted(by: >))
        XCTAssertNotEqual(query, normalized(TinyCLIP.model.encodeTexts(tokens: [TinyCLIP.tokenizer.encode("red")])[0]))

        // Tags made at index time: the vocabulary through the adapter's prompts, as tagSegments.
        let labels = ["blue", "green", "red"]
        let labelEmb = adapter.encodeLabels(labels, tokenizer: TinyCLIP.tokenizer)
        let seg = try store.segments(videoID: v0.id)[0]
        let e = try store.segmentEmbedding(id: seg.id)
        let want = e.withUnsafeBufferPointer {
            tagSegments(features: $0.baseAddress!, count: 1, labels: labelEmb, temperature: adapter.temperature, topK: 3, threshold: 0.2)[0]
        }
        let got = try store.tags(segmentIDs: [seg.id])[seg.id] ?? []
        XCTAssertFalse(got.isEmpty)
        XCTAssertEqual(got.map(\.label), want.map { labels[$0.label] })
        for (g, w) in zip(got, want) { XCTAssertEqual(g.score, Double(w.score), accuracy: 2e-3) }
        XCTAssertEqual(try store.labelEmbeddings(modelID: model.id, promptSet: record.promptSet, texts: labels, dim: model.dim).count, 3)
    }

    func testAdapterOnAnotherCLIPIsRefusedNamingTheFile() throws {
        let path = dir.file("wrong.safetensors")
        let wrong = try TinyCLIP.adapter(at: path, base: "some-other-clip")
        XCTAssertThrowsError(try Adapter.load(path, model: TinyCLIP.model)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        XCTAssertThrowsError(try indexer(store, adapter: wrong)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
        XCTAssertEqual(try store.adapters(), [])
    }
}
