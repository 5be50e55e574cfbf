import CLIP
import Foundation
import Media
import XCTest
@testable import Index

/// Real videos made by ffmpeg, the tiny fixture CLIP, the real store; the CLI binary for the
/// cross-process checks.
final class EndToEndTests: XCTestCase {
    var dir: TempDir!
    override func setUp() { dir = TempDir() }
    override func tearDown() { dir.cleanup() }

    private func ffmpeg(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-loglevel", "error", "-nostdin", "-y"] + args
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "ffmpeg \(args.joined(separator: " "))")
    }

    private func makeVideo(_ name: String, _ source: String, seconds: Int = 4) throws -> String {
        let path = dir.file(name)
        try ffmpeg(["-f", "lavfi", "-i", "\(source)=size=320x240:rate=25", "-t", String(seconds),
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", path])
        return path
    }

    private func tinyIndexer(_ store: IndexStore) throws -> (Indexer, CLIPModel) {
        let clip = try CLIPModel(directory: Fixtures.path("clip-tiny"))
        let ix = try Indexer(store: store, embedder: CLIPImageEmbedder(model: clip),
                             source: MediaFrameSource(modelInputSize: clip.config.vision.imageSize))
        return (ix, clip)
    }

    func testAnExactFrameFindsItsVideoAndMoment() throws {
        let bars = try makeVideo("bars.mp4", "smptebars"), fractal = try makeVideo("fractal.mp4", "mandelbrot")
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        let (ix, clip) = try tinyIndexer(store)
        let results = ix.index([bars, fractal])
        for r in results { guard case .indexed = try r.get() else { return XCTFail("\(r)") } }
        XCTAssertEqual(try store.video(path: fractal)?.duration ?? 0, 4, accuracy: 0.1)
        XCTAssertEqual(try store.frames(videoID: try store.video(path: fractal)!.id).times, [0, 1, 2, 3])
        let frame = dir.file("q.png")
        try ffmpeg(["-ss", "2", "-i", fractal, "-frames:v", "1", frame])
        let embedder = CLIPImageEmbedder(model: clip)
        var px = [Float](repeating: 0, count: 3 * 64 * 64)
        let image = try ImageFile.load(frame)
        px.withUnsafeMutableBufferPointer { embedder.preprocess(image, into: $0.baseAddress!) }
        let query = px.withUnsafeBufferPointer { embedder.embed(pixels: $0.baseAddress!, count: 1)[0] }
        let hits = try SegmentIndex.load(store: store, model: ix.model).search(query, limit: 3)
        XCTAssertEqual(hits.first?.path, fractal)
        XCTAssertLessThanOrEqual(hits[0].start, 2)
        XCTAssertGreaterThanOrEqual(hits[0].end, 2)
        // The stored frame at t = 2 is the query frame, up to float16 storage and the PNG round trip.
        let frames = try store.frames(videoID: hits[0].videoID)
        let stored = frames.vectors[frames.times.firstIndex(of: 2)!]
        let q = EmbeddingCodec.normalized(query)
        XCTAssertGreaterThan(zip(stored, q).reduce(Float(0)) { $0 + $1.0 * $1.1 }, 0.99)
    }

    func testReindexingSkipsUnchangedAndRedoesChangedVideos() throws {
        let v = try makeVideo("a.mp4", "testsrc2")
        let store = try IndexStore(path: dir.file("i.sqlite"), create: true)
        let (ix, _) = try tinyIndexer(store)
        guard case let .indexed(id1, _, _) = try ix.index(v) else { return XCTFail() }
        let at1 = try store.video(path: v)!.indexedAt
        XCTAssertEqual(try ix.index(v), .unchanged)
        XCTAssertEqual(try store.video(path: v)!.indexedAt, at1, "nothing was written")
        try FileManager.default.removeItem(atPath: v)
        _ = try makeVideo("a.mp4", "smptebars", seconds: 3)
        guard case let .indexed(id2, frames, _) = try ix.index(v) else { return XCTFail("a changed file is re-indexed") }
        XCTAssertEqual(id1, id2)
        XCTAssertEqual(frames, 3)
        XCTAssertEqual(try store.video(path: v)?.duration ?? 0, 3, accuracy: 0.1)
    }

    /// The clipdex binary next to the test bundle (swift build --build-tests builds it).
    private var clipdex: String {
        let bundle = Bundle(for: Self.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("clipdex").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    private func cli(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: clipdex), "\(clipdex): build the clipdex product first")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: clipdex)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func testTheCLIReadsWhileAnotherProcessWrites() throws {
        let v = try makeVideo("a.mp4", "testsrc2")
        let db = dir.file("i.sqlite")
        let store = try IndexStore(path: db, create: true)
        let (ix, _) = try tinyIndexer(store)
        _ = try ix.index(v)
        // This process keeps committing (and holding) write transactions while the CLI reads.
        let stop = Locked(false)
        let writes = Locked(0)
        let writer = Thread {
            let m = try! store.registerModel(identity: "writer", dim: 4, imageSize: 2, directory: "")
            var i = 0
            while !stop.with({ $0 }) {
                let segs = (0..<200).map { SegmentInput(start: Double($0), end: Double($0 + 1), score: 1, frames: 0..<1, embedding: [1, 0, 0, 0]) }
                let content = VideoContent(metadata: VideoMetadata(duration: 200, width: 1, height: 1, codec: "x"), fps: 1,
                                           times: [], frames: [], segments: segs)
                let f = FileIdentity(device: 0, inode: UInt64(i), size: 1, mtimeNanos: 1, fingerprint: "w")
                try! store.commitVideo(path: "/writer/\(i % 5).mp4", file: f, modelID: m.id, content: content)
                writes.with { $0 += 1 }
                i += 1
            }
        }
        writer.start()
        defer { stop.with { $0 = true } }
        let frame = dir.file("q.png")
        try ffmpeg(["-ss", "1", "-i", v, "-frames:v", "1", frame])
        for _ in 0..<3 {
            let list = try cli(["list", "--db", db, "--json"])
            XCTAssertEqual(list.status, 0, list.err)
            let rows = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as! [[String: Any]]
            XCTAssertTrue(rows.contains { $0["video"] as? String == v && $0["status"] as? String == "indexed" })
            let search = try cli(["search", "--db", db, "--image", frame, "--limit", "1", "--json"])
            XCTAssertEqual(search.status, 0, search.err)
            let hits = try JSONSerialization.jsonObject(with: Data(search.out.utf8)) as! [[String: Any]]
            XCTAssertEqual(hits.first?["video"] as? String, v)
            let status = try cli(["status", "--db", db, "--json"])
            XCTAssertEqual(status.status, 0, status.err)
        }
        stop.with { $0 = true }
        XCTAssertGreaterThan(writes.with { $0 }, 3, "the writer really ran alongside")
    }

    func testAWrongDatabaseOrAnUnreadableFileGivesAClearError() throws {
        let missing = dir.file("nowhere/index.sqlite")
        let r = try cli(["list", "--db", missing])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains(missing) && r.err.contains("no index"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
        let junk = dir.file("junk.sqlite")
        try Data(repeating: 1, count: 2048).write(to: URL(fileURLWithPath: junk))
        let j = try cli(["status", "--db", junk])
        XCTAssertNotEqual(j.status, 0)
        XCTAssertTrue(j.err.contains(junk) && j.err.contains("not a clipdex index"), j.err)
        // An unreadable video: non-zero exit, the file named, recorded as failed with the reason.
        let locked = try makeVideo("locked.mp4", "testsrc2", seconds: 1)
        let notVideo = dir.file("notes.mp4")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notVideo))
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: locked)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: locked) }
        let db = dir.file("i.sqlite")
        let ix = try cli(["index", "--db", db, "--model", Fixtures.path("clip-tiny"), notVideo, locked])
        XCTAssertNotEqual(ix.status, 0)
        XCTAssertTrue(ix.err.contains(notVideo + ": not a video file"), ix.err)
        if getuid() != 0 { XCTAssertTrue(ix.err.contains(locked + ": cannot read"), ix.err) }
        let list = try cli(["list", "--db", db, "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as! [[String: Any]]
        XCTAssertEqual(rows.first { $0["video"] as? String == notVideo }?["status"] as? String, "failed")
    }
}
