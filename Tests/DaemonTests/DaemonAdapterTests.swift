@testable import Adapters
import CLIP
import Foundation
import Index
import XCTest

/// `[model] adapter` in the daemon's config: files are indexed, stamped and tagged through it, and
/// files indexed without it are stale (read again).
final class DaemonAdapterTests: XCTestCase {
    var dir = TempDir()
    var database: String { dir.file("state/index.sqlite") }

    override func setUp() { dir = TempDir(); dir.mkdir("videos"); dir.mkdir("state") }
    override func tearDown() { dir.remove() }

    /// A 3-step adapter of the tiny fixture CLIP, saved in the temporary folder.
    func makeAdapter() throws -> Adapter {
        let model = try CLIPModel(directory: "\(repoRoot)/Tests/Fixtures/clip-tiny")
        let tokenizer = try Tokenizer.bundled()
        let d = model.config.projectionDim
        var rng = SeededRandom(seed: 5)
        let clips = (0..<4).map { i in TrainingClip(frames: (0..<8).map { _ in (0..<d).map { _ in rng.normal() } }, label: i % 2) }
        var o = TrainingOptions()
        o.steps = 3; o.prefixTokens = 2; o.postfixTokens = 2
        let labels = ["growing", "shrinking"]
        let (a, _) = try Trainer.train(tower: try FrozenTextTower(model: model), modelIdentity: model.identity, labels: labels,
                                       labelTokens: labels.map { tokenizer.encode($0) }, clips: clips, options: o)
        try a.save(to: dir.file("adapter.safetensors"))
        return a
    }

    func writeConfig(adapter: String?) -> String {
        dir.write("clipdex.toml", """
            [store]
            database = "state/index.sqlite"
            [model]
            path = "\(repoRoot)/Tests/Fixtures/clip-tiny"
            \(adapter.map { "adapter = \"\($0)\"" } ?? "")
            [ingest]
            sample_fps = 2.0
            settle_seconds = 0.3
            threads = 1
            [[watch]]
            path = "videos"
            """)
    }

    func run(config: String, until what: String, _ condition: (IndexStore) throws -> Bool) throws {
        let sock = FakeNotifySocket(path: dir.file("notify-\(UUID().uuidString.prefix(8))"), abstract: false)
        let d = try DaemonProcess(["--config", config, "--log-level", "debug"], environment: ["NOTIFY_SOCKET": sock.address])
        defer { d.signal(SIGTERM); XCTAssertEqual(d.wait(seconds: 10), 0, d.log) }
        XCTAssertTrue(sock.receive(until: { $0.contains("READY=1") }, seconds: 30).last?.contains("READY=1") == true, d.log)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let s = try? IndexStore(path: database, create: false), (try? condition(s)) == true { return }
            usleep(50_000)
        }
        XCTFail("timed out waiting for \(what); log:\n\(d.log)")
    }

    func testAdapterStampsAndTagsSegmentsAndMakesPlainRowsStale() throws {
        let adapter = try makeAdapter()
        try IndexStore(path: database, create: true).addVocabulary(["a test pattern", "a fractal"])
        let video = dir.file("videos/a.mp4")
        try TestVideos.bytes(1).write(to: URL(fileURLWithPath: video))

        try run(config: writeConfig(adapter: nil), until: "a.mp4 indexed with the frozen CLIP") { s in
            try s.video(path: video)?.status == .indexed
        }
        let store = try IndexStore(path: database, create: false)
        let plain = try XCTUnwrap(store.video(path: video))
        XCTAssertNil(plain.adapterID)
        let plainSegments = try store.segments(videoID: plain.id)
        XCTAssertFalse(try store.tags(segmentIDs: plainSegments.map(\.id)).isEmpty, "template tags from the vocabulary")

        try run(config: writeConfig(adapter: dir.file("adapter.safetensors")), until: "a.mp4 re-indexed through the adapter") { s in
            try s.video(path: video)?.adapterID != nil
        }
        let record = try XCTUnwrap(store.adapters().first)
        XCTAssertEqual(record.identity, adapter.identity)
        XCTAssertEqual(record.path, dir.file("adapter.safetensors"))
        let v = try XCTUnwrap(store.video(path: video))
        XCTAssertEqual(v.adapterID, record.id)
        let segments = try store.segments(videoID: v.id)
        XCTAssertFalse(segments.isEmpty)
        XCTAssertTrue(segments.allSatisfy { $0.adapterID == record.id })
        let tags = try store.tags(segmentIDs: segments.map(\.id))
        XCTAssertEqual(Set(tags.values.joined().map(\.label)).isSubset(of: ["a test pattern", "a fractal"]), true)
        XCTAssertFalse(tags.isEmpty, "two labels: the best one is always ≥ 0.5")
        XCTAssertEqual(try store.labelEmbeddings(modelID: v.modelID!, promptSet: record.promptSet,
                                                 texts: ["a fractal", "a test pattern"], dim: 32).count, 2)
    }

    func testCheckConfigRefusesAnAdapterOfAnotherCLIP() throws {
        _ = try makeAdapter()
        let adapter = dir.file("adapter.safetensors")
        var r = try runDaemon(["--config", writeConfig(adapter: adapter), "--check-config"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.out.contains("adapter   \(adapter)"), r.out)
        dir.write("other.toml", """
            [model]
            path = "\(repoRoot)/Sources/DemoModel/clip-demo"
            adapter = "adapter.safetensors"
            [[watch]]
            path = "videos"
            """)
        r = try runDaemon(["--config", dir.file("other.toml"), "--check-config"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.err.contains("[model] adapter: \(adapter): trained on the CLIP model"), r.err)
    }
}
