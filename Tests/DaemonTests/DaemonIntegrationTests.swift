import Foundation
import GRDB
import Index
import XCTest

/// Tiny test videos made once per run with the ffmpeg CLI; copies are told apart by a tag in
/// their metadata (same length, valid files, different bytes).
enum TestVideos {
    static let tag = "CLIPDEXTAG000000"
    static let cache: String = {
        let dir = NSTemporaryDirectory() + "clipdex-test-videos-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// A 2 s 64×64 video from an ffmpeg test source (`testsrc2`, `mandelbrot`, `smptebars`...).
    static func base(_ source: String) throws -> Data {
        let path = cache + "/\(source).mp4"
        if let d = FileManager.default.contents(atPath: path) { return d }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-loglevel", "error", "-y", "-f", "lavfi", "-i", "\(source)=size=64x64:rate=4", "-t", "2",
                       "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-metadata", "comment=\(tag)", path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let d = FileManager.default.contents(atPath: path) else {
            throw NSError(domain: "ffmpeg", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "ffmpeg failed on \(source)"])
        }
        return d
    }

    /// The bytes of video number `n` of a source: the base with its tag replaced by `n`.
    static func bytes(_ n: Int, source: String = "testsrc2") throws -> Data {
        var d = try base(source)
        let tagBytes = Data(tag.utf8)
        guard let r = d.range(of: tagBytes) else { return d }
        d.replaceSubrange(r, with: Data(String(format: "CLIPDEXTAG%06d", n).utf8))
        return d
    }
}

/// The real `clipdexd` (index store, clip-tiny, FFmpeg) on temporary folders.
final class DaemonIntegrationTests: XCTestCase {
    var dir = TempDir()
    var videos: String { dir.file("videos") }
    var database: String { dir.file("state/index.sqlite") }
    var configFile = ""

    override func setUpWithError() throws {
        dir = TempDir()
        dir.mkdir("videos")
        configFile = dir.write("clipdex.toml", """
            [store]
            database = "state/index.sqlite"
            [model]
            path = "\(repoRoot)/Tests/Fixtures/clip-tiny"
            [ingest]
            sample_fps = 1.0
            settle_seconds = 0.5
            threads = 1
            [[watch]]
            path = "videos"
            """)
    }

    override func tearDown() { dir.remove() }

    /// Starts clipdexd and waits for READY=1.
    func startDaemon() throws -> DaemonProcess {
        let sock = FakeNotifySocket(path: dir.file("notify-\(UUID().uuidString.prefix(8))"), abstract: false)
        let d = try DaemonProcess(["--config", configFile, "--log-level", "debug"], environment: ["NOTIFY_SOCKET": sock.address])
        let got = sock.receive(until: { $0.contains("READY=1") }, seconds: 30)
        XCTAssertTrue(got.last?.contains("READY=1") == true, "no READY=1: \(d.log)")
        return d
    }

    func store() throws -> IndexStore { try IndexStore(path: database, create: false) }

    func record(_ path: String) -> VideoRecord? { try? store().video(path: path) }

    /// Waits until `condition` holds on the index (polled every 50 ms).
    func waitFor(_ what: String, seconds: Double = 60, daemon: DaemonProcess, file: StaticString = #filePath, line: UInt = #line,
                 _ condition: (IndexStore) throws -> Bool) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let s = try? store(), (try? condition(s)) == true { return }
            usleep(50_000)
        }
        XCTFail("timed out waiting for \(what); log:\n\(daemon.log)", file: file, line: line)
    }

    func drop(_ name: String, _ n: Int, source: String = "testsrc2") throws -> String {
        let path = videos + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try TestVideos.bytes(n, source: source).write(to: URL(fileURLWithPath: path))
        return path
    }

    func stop(_ d: DaemonProcess) {
        d.signal(SIGTERM)
        XCTAssertEqual(d.wait(seconds: 10), 0, d.log)
    }

    func testDropRenameMoveReplaceDelete() throws {
        let d = try startDaemon()
        let a = try drop("a.mp4", 1)
        waitFor("a.mp4 indexed", daemon: d) { try $0.video(path: a)?.status == .indexed }
        let first = try XCTUnwrap(record(a))
        XCTAssertEqual(first.frameCount, 2)

        let fm = FileManager.default
        let renamed = videos + "/renamed.mp4"
        try fm.moveItem(atPath: a, toPath: renamed)
        waitFor("record moved on rename", daemon: d) { try $0.video(path: renamed) != nil && $0.video(path: a) == nil }
        try fm.createDirectory(atPath: videos + "/sub", withIntermediateDirectories: true)
        let moved = videos + "/sub/moved.mp4"
        try fm.moveItem(atPath: renamed, toPath: moved)
        waitFor("record moved into sub/", daemon: d) { try $0.video(path: moved) != nil && $0.video(path: renamed) == nil }
        let afterMoves = try XCTUnwrap(record(moved))
        XCTAssertEqual(afterMoves.id, first.id)
        XCTAssertEqual(afterMoves.indexedAt, first.indexedAt, "a move must not re-index")

        // Replace with other content (written to a hidden name, renamed over: what copy tools do).
        try TestVideos.bytes(2, source: "mandelbrot").write(to: URL(fileURLWithPath: videos + "/sub/.incoming"))
        try fm.removeItem(atPath: moved)
        try fm.moveItem(atPath: videos + "/sub/.incoming", toPath: moved)
        waitFor("replaced file re-indexed", daemon: d) { s in
            guard let v = try s.video(path: moved) else { return false }
            return v.status == .indexed && v.file?.fingerprint != first.file?.fingerprint
        }

        try fm.removeItem(atPath: moved)
        waitFor("rows of a deleted file removed", daemon: d) { try $0.videos().isEmpty }
        let s = try store().summary()
        XCTAssertEqual(s.segments, 0)
        XCTAssertEqual(s.frames, 0)
        stop(d)
        XCTAssertEqual(d.log.components(separatedBy: ": indexed in").count - 1, 2, d.log)
    }

    func testChunkedWriteIsIndexedOnceWhenComplete() throws {
        try String(contentsOfFile: configFile, encoding: .utf8)
            .replacingOccurrences(of: "settle_seconds = 0.5", with: "settle_seconds = 1.0")
            .write(toFile: configFile, atomically: true, encoding: .utf8)
        let d = try startDaemon()
        let bytes = try TestVideos.bytes(3)
        let path = videos + "/slow.mp4"
        let w = SlowWriter(path)
        let chunk = (bytes.count + 4) / 5
        for i in 0..<5 {  // 5 chunks 0.5 s apart, the file kept open throughout
            w.handle.write(bytes.subdata(in: (i * chunk)..<min(bytes.count, (i + 1) * chunk)))
            usleep(500_000)
        }
        w.close()
        waitFor("slow.mp4 indexed", daemon: d) { try $0.video(path: path)?.status == .indexed }
        usleep(1_500_000)
        let v = try XCTUnwrap(record(path))
        XCTAssertEqual(v.file?.size, Int64(bytes.count))
        XCTAssertEqual(v.frameCount, 2)
        stop(d)
        XCTAssertEqual(d.log.components(separatedBy: "slow.mp4: indexed in").count - 1, 1, d.log)
        XCTAssertFalse(d.log.contains("slow.mp4: not indexed"), d.log)
    }

    func testNonVideoIsRecordedAsFailedAndTheDaemonCarriesOn() throws {
        let d = try startDaemon()
        let junk = videos + "/junk.mp4"
        try Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: junk))
        let good = try drop("good.mp4", 4)
        waitFor("junk failed and good indexed", daemon: d) { s in
            try s.video(path: junk)?.status == .failed && s.video(path: good)?.status == .indexed
        }
        let failed = try XCTUnwrap(record(junk))
        XCTAssertTrue(failed.error?.contains("junk.mp4") == true, "\(failed.error ?? "")")
        XCTAssertEqual(try store().summary().failures.map(\.path), [junk])
        XCTAssertTrue(d.process.isRunning)
        stop(d)
        // `clipdex status` shows it with its reason.
        let status = try runProgram(productsDir + "/clipdex", ["status", "--db", database])
        XCTAssertEqual(status.code, 0, status.err)
        XCTAssertTrue(status.out.contains("failures:"), status.out)
        XCTAssertTrue(status.out.contains("\(junk)  \(failed.error ?? "?")"), status.out)
        // Unchanged, it is not retried on the next start; once it changes, it is.
        let d2 = try startDaemon()
        XCTAssertTrue(d2.waitForLog("2 file(s) up to date, 0 to read"), d2.log)  // the failed one too
        try TestVideos.bytes(5).write(to: URL(fileURLWithPath: junk))
        waitFor("the repaired file indexed", daemon: d2) { try $0.video(path: junk)?.status == .indexed }
        stop(d2)
        XCTAssertFalse(d2.log.contains("not a video"), d2.log)
    }

    func testSigtermDuringIngestStopsInTimeAndTheRestIsReadAfterRestart() throws {
        try String(contentsOfFile: configFile, encoding: .utf8)
            .replacingOccurrences(of: "sample_fps = 1.0", with: "sample_fps = 4.0")
            .write(toFile: configFile, atomically: true, encoding: .utf8)
        let count = 30
        var d = try startDaemon()
        for i in 0..<count { _ = try drop(String(format: "t/%02d.mp4", i), 300 + i) }
        waitFor("first files indexed", daemon: d) { try $0.videos().count >= 3 }
        let t0 = Date()
        d.signal(SIGTERM)
        XCTAssertEqual(d.wait(seconds: 10), 0, d.log)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 10)
        XCTAssertTrue(d.log.contains("<5>stopped"), d.log)
        try assertNoHalfVideos(try store(), framesEach: 8)
        d = try startDaemon()
        waitFor("all \(count) indexed after the restart", daemon: d) { s in
            try s.videos().filter { $0.status == .indexed }.count == count && s.queueLength() == 0
        }
        stop(d)
        try assertNoHalfVideos(try store(), framesEach: 8)
        XCTAssertEqual(try store().summary().frames, 8 * count)
    }

    /// Every recorded video is whole: status indexed with all its frames, or failed with none.
    func assertNoHalfVideos(_ s: IndexStore, framesEach: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        for v in try s.videos() {
            XCTAssertEqual(v.status, .indexed, v.path, file: file, line: line)
            XCTAssertEqual(v.frameCount, framesEach, v.path, file: file, line: line)
            XCTAssertEqual(try s.frames(videoID: v.id).times.count, framesEach, v.path, file: file, line: line)
            XCTAssertFalse(try s.segments(videoID: v.id).isEmpty, v.path, file: file, line: line)
        }
    }

    func testKill9DuringIngestLosesAndDuplicatesNothing() throws {
        // 8 frames per video (4 frame/s over 2 s), so that a kill often lands inside a file.
        try String(contentsOfFile: configFile, encoding: .utf8)
            .replacingOccurrences(of: "sample_fps = 1.0", with: "sample_fps = 4.0")
            .write(toFile: configFile, atomically: true, encoding: .utf8)
        let count = 40
        var d = try startDaemon()
        let paths = try (0..<count).map { try drop(String(format: "k/%02d.mp4", $0), 100 + $0) }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<3 {
            let target = 1 + round * count / 5
            waitFor("\(target) indexed before kill \(round + 1)", daemon: d) { try $0.videos().count >= target }
            usleep(UInt32.random(in: 0...150_000, using: &generator))
            d.signal(SIGKILL)
            XCTAssertNotNil(d.wait(seconds: 5))
            try assertNoHalfVideos(try store(), framesEach: 8)
            d = try startDaemon()
        }
        waitFor("all \(count) indexed", seconds: 120, daemon: d) { s in
            try s.videos().filter { $0.status == .indexed }.count == count && s.queueLength() == 0
        }
        stop(d)
        let s = try store()
        XCTAssertEqual(try s.videos().map(\.path), paths.sorted())
        try assertNoHalfVideos(s, framesEach: 8)
        let summary = try s.summary()
        XCTAssertEqual(summary.frames, 8 * count, "no duplicated or lost frames")
        XCTAssertEqual(summary.queued, 0)
        let check = try DatabaseQueue(path: database).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
        XCTAssertEqual(check, "ok")
    }

    func testBurstOf200FilesIsAllIndexed() throws {
        let d = try startDaemon()
        for i in 0..<200 { _ = try drop(String(format: "burst/%03d.mp4", i), 1000 + i) }  // about 0.1 s for all
        waitFor("200 indexed", seconds: 150, daemon: d) { s in try s.videos().filter { $0.status == .indexed }.count == 200 && s.queueLength() == 0 }
        stop(d)
        XCTAssertEqual(try store().summary().frames, 400)
    }
}

