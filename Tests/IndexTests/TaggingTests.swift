@testable import Adapters
import CLIP
import Foundation
import GRDB
import Tensor
@testable import Index
import XCTest

/// The vocabulary, label cache and re-tagging of stored segments, on the tiny fixture CLIP.
final class TaggingTests: XCTestCase {
    var dir: TempDir!
    override func setUp() { dir = TempDir() }
    override func tearDown() { dir.cleanup() }

    private let file = FileIdentity(device: 1, inode: 2, size: 100, mtimeNanos: 5, fingerprint: "abc")

    /// A store holding `videos` videos of 3 random segments each, of the tiny CLIP (no adapter).
    private func storeWithSegments(videos: Int = 2, seed: UInt64 = 7) throws -> (IndexStore, ModelRecord) {
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        let m = try store.registerModel(identity: TinyCLIP.model.identity, dim: TinyCLIP.dim, imageSize: 2, directory: TinyCLIP.directory)
        var rng = SeededRandom(seed: seed)
        for v in 0..<videos {
            let segs = (0..<3).map { i in
                SegmentInput(start: Double(i), end: Double(i + 1), score: 1, frames: i..<(i + 1),
                             embedding: normalized((0..<TinyCLIP.dim).map { _ in rng.normal() }))
            }
            let content = VideoContent(metadata: VideoMetadata(duration: 3, width: 4, height: 4, codec: "x"), fps: 1,
                                       times: [0, 1, 2], frames: segs.map(\.embedding), segments: segs)
            try store.commitVideo(path: "/v/\(v).mp4", file: file, modelID: m.id, content: content)
        }
        return (store, m)
    }

    /// Every stored tag as segment id → [(label, score)] by rank.
    private func storedTags(_ store: IndexStore, _ ids: [Int64]) throws -> [Int64: [SegmentTag]] {
        try store.tags(segmentIDs: ids)
    }

    func testLabelsAddTagsStoredSegmentsAsTagSegmentsAndRemoveDropsThem() throws {
        let (store, model) = try storeWithSegments()
        let retagger = Retagger(store: store, tokenizer: TinyCLIP.tokenizer)
        let report = try retagger.apply(adding: ["red", "a fractal", "bars", "red"])
        XCTAssertEqual(report.labels, 3)
        XCTAssertEqual(report.added, ["red", "a fractal", "bars"])
        XCTAssertEqual(report.segmentsRetagged, 6)
        XCTAssertEqual(try store.vocabulary(), ["a fractal", "bars", "red"])

        // Expected: tagSegments on the stored embeddings against the template's label embeddings.
        let stored = try store.segmentEmbeddings(model: model, adapterID: nil)
        XCTAssertEqual(stored.count, 6)
        let labels = ["a fractal", "bars", "red"]
        let encoder = LabelEncoder.template(model: TinyCLIP.model, tokenizer: TinyCLIP.tokenizer)
        let expected = stored.values.withUnsafeBufferPointer {
            tagSegments(features: $0.baseAddress!, count: stored.count, labels: encoder.embed(labels),
                        temperature: LabelEncoder.templateTemperature, topK: 3, threshold: 0.2)
        }
        let got = try storedTags(store, stored.ids)
        var tagged = 0
        for (i, id) in stored.ids.enumerated() {
            let tags = got[id] ?? []
            XCTAssertEqual(tags.map(\.label), expected[i].map { labels[$0.label] }, "segment \(id)")
            for (t, e) in zip(tags, expected[i]) { XCTAssertEqual(t.score, Double(e.score), accuracy: 1e-6) }
            XCTAssertEqual(tags.map(\.rank), Array(1...max(1, tags.count)).prefix(tags.count).map { $0 })
            tagged += tags.count
        }
        XCTAssertGreaterThan(tagged, 0, "3 labels: every softmax has one label ≥ 1/3 > 0.2")
        let usage = try store.vocabularyUsage()
        XCTAssertEqual(usage.map(\.segments).reduce(0, +), tagged)
        // Label embeddings are cached per (model, prompt set, text).
        XCTAssertEqual(try store.labelEmbeddings(modelID: model.id, promptSet: "template", texts: labels, dim: model.dim).count, 3)

        let removal = try retagger.apply(removing: ["red", "unknown"])
        XCTAssertEqual(removal.removed, ["red"])
        let after = try storedTags(store, stored.ids)
        XCTAssertFalse(after.values.joined().contains { $0.label == "red" })
        XCTAssertEqual(try store.vocabularyUsage().map(\.label), ["a fractal", "bars"])
        _ = try retagger.apply(removing: ["a fractal", "bars"])
        XCTAssertTrue(try storedTags(store, stored.ids).isEmpty)
        XCTAssertEqual(try store.vocabulary(), [])
    }

    func testRetagIsOneTransaction() throws {
        let (store, _) = try storeWithSegments(videos: 3)
        let observer = CommitCounter()
        store.pool.add(transactionObserver: observer, extent: .observerLifetime)
        let report = try Retagger(store: store, tokenizer: TinyCLIP.tokenizer).apply(adding: ["cat", "dog", "car"])
        XCTAssertEqual(observer.commits, 1, "vocabulary, label cache and all tags must commit together")
        XCTAssertEqual(observer.changes, 3, "the 3 label rows (tags and vocabulary are WITHOUT ROWID: no update hook)")
        XCTAssertEqual(report.segmentsRetagged, 9)
        let tags = try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tags")! }
        XCTAssertGreaterThanOrEqual(tags, 9, "every segment has at least its best label (≥ 1/3 > 0.2)")
    }

    func testCommitsCheckTheVocabularyAndTheSpacesInsideTheirTransaction() throws {
        let (store, model) = try storeWithSegments(videos: 1)
        try store.addVocabulary(["cat"])
        let content = VideoContent(metadata: VideoMetadata(duration: 1, width: 4, height: 4, codec: "x"), fps: 1, times: [0],
                                   frames: [[Float](repeating: 0.5, count: model.dim)],
                                   segments: [SegmentInput(start: 0, end: 1, score: 1, frames: 0..<1, embedding: [Float](repeating: 0.5, count: model.dim))])
        // Tagged with an older vocabulary: refused, nothing written; with the current one: committed.
        XCTAssertNil(try store.commitVideo(path: "/v/new.mp4", file: file, modelID: model.id, adapterID: nil, content: content, taggedWith: []))
        XCTAssertNil(try store.video(path: "/v/new.mp4"))
        XCTAssertNotNil(try store.commitVideo(path: "/v/new.mp4", file: file, modelID: model.id, adapterID: nil, content: content,
                                              taggedWith: ["cat"]))
        // A re-tag prepared for other (model, adapter) spaces than those holding segments: nothing written.
        XCTAssertNil(try store.commitVocabulary(adding: ["dog"], spaces: [], policy: TagPolicy()))
        XCTAssertEqual(try store.vocabulary(), ["cat"])
    }

    func testMigrationFromV1KeepsRows() throws {
        let path = dir.file("v1.sqlite")
        do {
            let q = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(q, upTo: "v1")
            try q.write { db in
                try db.execute(sql: """
                    INSERT INTO models (id, identity, dim, image_size, directory, created_at) VALUES (1, 'm', 2, 2, '/m', 0);
                    INSERT INTO videos (id, path, status, model_id, frame_count, indexed_at) VALUES (1, '/v/a.mp4', 'indexed', 1, 1, 0);
                    INSERT INTO segments (id, video_id, model_id, start, "end", score, frame_count, embedding) VALUES (5, 1, 1, 0, 2, 1, 1, x'003c0000');
                    INSERT INTO labels (id, model_id, prompt_set, text, embedding) VALUES (3, 1, 'template', 'cat', x'0000803f00000000');
                    INSERT INTO tags (segment_id, label_id, score, rank) VALUES (5, 3, 0.9, 1);
                    """)
            }
        }
        let store = try IndexStore(path: path, create: false)
        let v = try XCTUnwrap(store.video(path: "/v/a.mp4"))
        XCTAssertNil(v.adapterID)
        let segs = try store.segments(videoID: v.id)
        XCTAssertEqual(segs.map(\.id), [5])
        XCTAssertNil(segs[0].adapterID)
        XCTAssertEqual(try store.segmentEmbedding(id: 5), [1, 0])
        XCTAssertEqual(try store.tags(segmentIDs: [5])[5]?.map(\.label), ["cat"])
        XCTAssertEqual(try store.vocabulary(), [])
        XCTAssertEqual(try store.adapters(), [])
        XCTAssertEqual(try store.segmentEmbeddings(model: store.models()[0], adapterID: nil).ids, [5])
    }
}

/// Counts commits (and row changes) of the database it observes.
final class CommitCounter: TransactionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var _commits = 0, _changes = 0
    var commits: Int { lock.withLock { _commits } }
    var changes: Int { lock.withLock { _changes } }
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
    func databaseDidChange(with event: DatabaseEvent) { lock.withLock { _changes += 1 } }
    func databaseDidCommit(_ db: Database) { lock.withLock { _commits += 1 } }
    func databaseDidRollback(_ db: Database) {}
}
