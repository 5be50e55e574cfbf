import Foundation
import XCTest
@testable import Index

final class PipelineTests: XCTestCase {
    var dir: TempDir!
    override func setUp() { dir = TempDir() }
    override func tearDown() { dir.cleanup() }

    private func indexer(_ source: LetterFrameSource, batch: Int = 3) throws -> Indexer {
        var options = IndexOptions()
        options.batchSize = batch
        options.queueFrames = 4
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        return try Indexer(store: store, embedder: ColourEmbedder(), source: source,
                           segmenter: CutSegmenter(minSeconds: 2, maxSeconds: 60), options: options)
    }

    func testIndexesShotsAndFindsAFrameInTheRightSegment() throws {
        let src = LetterFrameSource()
        let ix = try indexer(src)
        let a = dir.file("a.vid"), b = dir.file("b.vid")
        writeFile(a, "rrrrgggggbbbb")        // red 0–4 s, green 4–9 s, blue 9–13 s
        writeFile(b, "wwwwww")
        let results = ix.index([a, b])
        guard case let .success(.indexed(aID, frames, segments)) = results[0] else { return XCTFail("\(results[0])") }
        XCTAssertEqual([frames, segments], [13, 3])
        XCTAssertEqual(try ix.store.segments(videoID: aID).map { [$0.start, $0.end] }, [[0, 4], [4, 9], [9, 13]])
        XCTAssertEqual(try ix.store.video(id: aID)?.codec, "letters")
        XCTAssertEqual(try ix.store.frames(videoID: aID).times.count, 13)
        // A green frame: video a, the 4–9 s segment, top-1.
        let search = try SegmentIndex.load(store: ix.store, model: ix.model)
        let hit = search.search([0, 1, 0, 0.1], limit: 2)[0]
        XCTAssertEqual(hit.path, a)
        XCTAssertEqual([hit.start, hit.end], [4, 9])
        // Inside it, the first green frame is the best moment (all green frames tie; the red ones before score lower).
        let moment = try ix.store.bestFrame(videoID: hit.videoID, start: 0, end: 13, query: [0, 1, 0, 0.1])
        XCTAssertEqual(moment?.time, 4)
        XCTAssertEqual(Double(moment?.score ?? 0), 1, accuracy: 1e-3)
        XCTAssertEqual(search.search([1, 1, 1, 0.1], limit: 1)[0].path, b)
        XCTAssertEqual(search.search([1, 1, 1, 0.1], limit: 5, pathPrefix: a).map(\.path), [a, a, a])
    }

    func testUnchangedFilesAreSkippedAndChangedOnesReindexed() throws {
        let src = LetterFrameSource()
        let ix = try indexer(src)
        let a = dir.file("a.vid")
        writeFile(a, "rrrrbbbb", mtime: Date(timeIntervalSince1970: 1_700_000_000))
        guard case .indexed = try ix.index(a) else { return XCTFail() }
        XCTAssertEqual(try ix.index(a), .unchanged)
        XCTAssertEqual(src.calls.all.count, 1, "an unchanged file is not decoded again")
        // Same size and mtime, other content: the fingerprint sees it.
        writeFile(a, "ggggbbbb", mtime: Date(timeIntervalSince1970: 1_700_000_000))
        guard case let .indexed(id, _, _) = try ix.index(a) else { return XCTFail() }
        XCTAssertEqual(src.calls.all.count, 2)
        let search = try SegmentIndex.load(store: ix.store, model: ix.model)
        XCTAssertEqual(search.search([0, 1, 0, 0.1], limit: 1).first?.videoID, id)
        XCTAssertEqual(search.count, 2, "old segments are gone")
    }

    func testFailuresAreTypedAndRecordedWithTheirReason() throws {
        let ix = try indexer(LetterFrameSource())
        let bad = dir.file("bad.vid"), missing = dir.file("missing.vid"), empty = dir.file("empty.vid")
        writeFile(bad, "rr!gg")
        writeFile(empty, "")
        XCTAssertThrowsError(try ix.index(bad)) { e in
            XCTAssertEqual(e as? IndexError, .notAVideo(bad, "test: undecodable"))
            XCTAssertTrue((e as! IndexError).isPermanent)
        }
        XCTAssertNil(try ix.store.video(path: bad), "the single-file call leaves recording to its caller")
        let results = ix.index([bad, missing, empty])
        XCTAssertEqual(results.map { (try? $0.get()) == nil }, [true, true, true])
        XCTAssertEqual(try ix.store.summary().failed, 3)
        let listing = try ix.store.listing()
        XCTAssertEqual(listing.first { $0.path == missing }?.error, "\(missing): no such file")
        XCTAssertEqual(listing.first { $0.path == empty }?.error, IndexError.noFrames(empty).description)
        // A failed file that is fixed is indexed on the next run.
        writeFile(bad, "rrgg")
        guard case .indexed = try ix.index(bad) else { return XCTFail() }
    }

    func testCancellingCommitsNothing() throws {
        let ix = try indexer(LetterFrameSource())
        let a = dir.file("a.vid")
        writeFile(a, String(repeating: "r", count: 50))
        let polls = Locked(0)
        XCTAssertThrowsError(try ix.index(a, cancelled: { polls.with { $0 += 1; return $0 > 10 } })) { e in
            XCTAssertEqual(e as? IndexError, .cancelled)
        }
        XCTAssertNil(try ix.store.video(path: a))
        XCTAssertEqual(try ix.store.summary().segments, 0)
    }

    func testEmbeddingsOfAnotherModelAreNeverMixed() throws {
        let src = LetterFrameSource()
        let ix = try indexer(src)
        let a = dir.file("a.vid")
        writeFile(a, "rrrr")
        _ = try ix.index(a)
        var other = ColourEmbedder()
        other.identity = "another-model"
        let ix2 = try Indexer(store: ix.store, embedder: other, source: src)
        XCTAssertNotEqual(ix.model.id, ix2.model.id)
        guard case .indexed = try ix2.index(a) else { return XCTFail("a new model re-indexes") }
        XCTAssertEqual(try SegmentIndex.load(store: ix.store, model: ix.model).count, 0)
        XCTAssertEqual(try SegmentIndex.load(store: ix.store, model: ix2.model).count, 1)
    }
}
