import Foundation
import GRDB
import XCTest
@testable import Index

final class StoreTests: XCTestCase {
    var dir: TempDir!
    override func setUp() { dir = TempDir() }
    override func tearDown() { dir.cleanup() }

    private func content(_ segs: [(Double, Double, [Float])]) -> VideoContent {
        VideoContent(metadata: VideoMetadata(duration: 10, width: 320, height: 240, codec: "h264"), fps: 1,
                     times: [0, 1], frames: [[1, 0, 0, 0], [0, 1, 0, 0]],
                     segments: segs.enumerated().map { i, s in SegmentInput(start: s.0, end: s.1, score: 1, frames: i..<(i + 1), embedding: s.2) })
    }

    private let fileA = FileIdentity(device: 1, inode: 2, size: 100, mtimeNanos: 5, fingerprint: "abc")

    func testCommitReplacesAVideosRowsAndReopens() throws {
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        let m = try store.registerModel(identity: "m1", dim: 4, imageSize: 2, directory: "/models/m1")
        let id = try store.commitVideo(path: "/v/a.mp4", file: fileA, modelID: m.id,
                                       content: content([(0, 4, [1, 0, 0, 0]), (4, 10, [0, 1, 0, 0])]))
        XCTAssertEqual(try store.segments(videoID: id).map(\.start), [0, 4])
        // Re-commit replaces: one segment left, same video id, frames replaced too.
        let id2 = try store.commitVideo(path: "/v/a.mp4", file: fileA, modelID: m.id, content: content([(0, 10, [0, 0, 1, 0])]))
        XCTAssertEqual(id, id2)
        let segs = try store.segments(videoID: id)
        XCTAssertEqual(segs.map(\.end), [10])
        XCTAssertEqual(try store.frames(videoID: id).times, [0, 1])
        XCTAssertEqual(try store.segmentEmbedding(id: segs[0].id), [0, 0, 1, 0])
        // Reopening migrates nothing and sees the same rows.
        let again = try IndexStore(path: dir.file("i.sqlite"), create: false)
        XCTAssertEqual(try again.video(path: "/v/a.mp4")?.file, fileA)
        XCTAssertEqual(try again.primaryModel()?.directory, "/models/m1")
        XCTAssertEqual(try again.summary().segments, 1)
    }

    func testRemoveMoveAndFailureDropRows() throws {
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        let m = try store.registerModel(identity: "m1", dim: 4, imageSize: 2, directory: "")
        try store.commitVideo(path: "/v/a.mp4", file: fileA, modelID: m.id, content: content([(0, 10, [1, 0, 0, 0])]))
        try store.commitVideo(path: "/v/b.mp4", file: fileA, modelID: m.id, content: content([(0, 10, [0, 1, 0, 0])]))
        try store.moveVideo(from: "/v/a.mp4", to: "/w/a.mp4")
        XCTAssertNil(try store.video(path: "/v/a.mp4"))
        XCTAssertEqual(try store.video(path: "/w/a.mp4")?.status, .indexed)
        // Moving onto an existing record replaces it.
        try store.moveVideo(from: "/w/a.mp4", to: "/v/b.mp4")
        XCTAssertEqual(try store.summary().videos, 1)
        let bID = try store.video(path: "/v/b.mp4")!.id
        XCTAssertEqual(try store.segmentEmbedding(id: try store.segments(videoID: bID)[0].id), [1, 0, 0, 0])
        try store.recordFailure(path: "/v/b.mp4", file: fileA, reason: "broken")
        let s = try store.summary()
        XCTAssertEqual([s.indexed, s.failed, s.segments, s.frames], [0, 1, 0, 0])
        XCTAssertEqual(s.failures.first?.error, "broken")
        try store.removeVideo(path: "/v/b.mp4")
        XCTAssertEqual(try store.summary().videos, 0)
    }

    func testRemoveUnderAFolderKeepsSiblingsWithTheSamePrefix() throws {
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        let m = try store.registerModel(identity: "m1", dim: 4, imageSize: 2, directory: "")
        for p in ["/v/a.mp4", "/v/sub/b.mp4", "/vv/c.mp4"] {
            try store.commitVideo(path: p, file: fileA, modelID: m.id, content: content([(0, 10, [1, 0, 0, 0])]))
        }
        XCTAssertEqual(try store.videos(under: ["/v"]).map(\.path), ["/v/a.mp4", "/v/sub/b.mp4"])
        XCTAssertEqual(try store.removeVideos(under: "/v/"), 2)
        XCTAssertEqual(try store.videos().map(\.path), ["/vv/c.mp4"])
    }

    func testWrongDatabaseFilesAreRefusedWithTheirPath() throws {
        let missing = dir.file("none.sqlite")
        XCTAssertThrowsError(try IndexStore(path: missing, create: false)) { e in
            XCTAssertEqual(e as? IndexError, .noIndex(missing))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "a query must not create a database")
        let junk = dir.file("junk.sqlite")
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: junk))
        XCTAssertThrowsError(try IndexStore(path: junk, create: false)) { e in
            guard case .notAnIndex(junk, _)? = e as? IndexError else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains(junk))
        }
        let other = dir.file("other.sqlite")
        let q = try DatabaseQueue(path: other)
        try q.write { try $0.execute(sql: "CREATE TABLE photos (id INTEGER)") }
        try q.close()
        XCTAssertThrowsError(try IndexStore(path: other, create: false)) { e in
            guard case .notAnIndex(other, _)? = e as? IndexError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try IndexStore(path: dir.path, create: true)) { e in
            guard case .notAnIndex? = e as? IndexError else { return XCTFail("\(e)") }
        }
    }

    func testJobQueueClaimsInOrderRetriesAndRecovers() throws {
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        let t0 = Date(timeIntervalSince1970: 1000)
        try store.enqueue("/v/a.mp4", now: t0)
        try store.enqueue("/v/b.mp4", now: t0)
        try store.enqueue("/v/a.mp4", now: t0)            // idempotent
        XCTAssertEqual(try store.queueLength(), 2)
        XCTAssertEqual(try store.listing().map(\.status), [.queued, .queued])
        let a = try XCTUnwrap(try store.claimNextJob(now: t0))
        XCTAssertEqual(a, IndexJob(path: "/v/a.mp4", attempts: 0))
        try store.finish(a, .retry(at: t0.addingTimeInterval(60), reason: "busy"), now: t0)
        let b = try XCTUnwrap(try store.claimNextJob(now: t0))
        XCTAssertEqual(b.path, "/v/b.mp4")
        XCTAssertNil(try store.claimNextJob(now: t0), "a is not due yet")
        XCTAssertEqual(try store.nextDueDate(), t0.addingTimeInterval(60))
        XCTAssertEqual(try store.recoverInterruptedJobs(), 1)   // b was running
        let again = try XCTUnwrap(try store.claimNextJob(now: t0.addingTimeInterval(61)))
        XCTAssertEqual(again, IndexJob(path: "/v/a.mp4", attempts: 1))
        try store.finish(again, .failed(reason: "not a video", file: fileA))
        XCTAssertEqual(try store.video(path: "/v/a.mp4")?.status, .failed)
        XCTAssertEqual(try store.video(path: "/v/a.mp4")?.file, fileA)
        try store.moveVideo(from: "/v/b.mp4", to: "/v/c.mp4")
        XCTAssertEqual(try store.queuedPaths().map(\.path), ["/v/c.mp4"])
        try store.dequeue("/v/c.mp4")
        XCTAssertEqual(try store.queueLength(), 0)
    }

    func testLabelsAndTagsComeBackWithSegments() throws {
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        let m = try store.registerModel(identity: "m1", dim: 4, imageSize: 2, directory: "")
        let ids = try store.upsertLabels(modelID: m.id, promptSet: "default", [("dog", [2, 0, 0, 0]), ("cat", [0, 3, 0, 0])])
        var c = content([(0, 10, [1, 0, 0, 0])])
        c.segments[0].tags = [(ids[1], 0.9), (ids[0], 0.4)]
        let v = try store.commitVideo(path: "/v/a.mp4", file: fileA, modelID: m.id, content: c)
        let seg = try store.segments(videoID: v)[0].id
        XCTAssertEqual(try store.tags(segmentIDs: [seg])[seg], [SegmentTag(label: "cat", score: 0.9, rank: 1), SegmentTag(label: "dog", score: 0.4, rank: 2)])
        XCTAssertEqual(try store.labels(modelID: m.id, promptSet: "default").map(\.embedding), [[1, 0, 0, 0], [0, 1, 0, 0]])
    }

    func testFloat16BlobsRoundTripWithinHalfPrecision() {
        let v = EmbeddingCodec.normalized((0..<64).map { Float(sin(Double($0) * 0.7)) })
        let blob = EmbeddingCodec.encode(v, as: .float16)
        XCTAssertEqual(blob.count, 128)
        let back = EmbeddingCodec.decode(blob, dim: 64)!
        for (a, b) in zip(v, back) { XCTAssertEqual(a, b, accuracy: abs(a) / 1024 + 1e-7) }
        XCTAssertEqual(EmbeddingCodec.decode(EmbeddingCodec.encode(v, as: .float32), dim: 64), v)
        XCTAssertNil(EmbeddingCodec.decode(blob.prefix(100), dim: 64))
    }

    func testFingerprintSeesARewriteWithTheSameSizeAndMtime() throws {
        let f = dir.file("x.bin")
        let when = Date(timeIntervalSince1970: 1_700_000_000)
        writeFile(f, String(repeating: "a", count: 300_000), mtime: when)
        let a = try FileIdentity.read(f)
        writeFile(f, String(repeating: "a", count: 150_000) + "b" + String(repeating: "a", count: 149_999), mtime: when)
        let b = try FileIdentity.read(f)
        XCTAssertEqual(a.size, b.size)
        XCTAssertEqual(a.mtimeNanos, b.mtimeNanos)
        XCTAssertNotEqual(a.fingerprint, b.fingerprint)
        XCTAssertThrowsError(try FileIdentity.read(dir.file("missing"))) { XCTAssertEqual($0 as? IndexError, .fileMissing(dir.file("missing"))) }
    }
}
