import Config
import Foundation
import Watch
@testable import clipdexd
import XCTest

/// The whole daemon in-process — real inotify, settle timers, worker thread — over the in-memory
/// backend, on temporary folders.
final class PipelineTests: XCTestCase {
    var dir = TempDir()
    var capture = LogCapture()

    override func setUp() {
        dir = TempDir()
        capture = LogCapture()
    }
    override func tearDown() { dir.remove() }

    func start(_ backend: MemoryBackend, settle: Double = 0.3, mode: ClipdexConfig.WatchMode = .auto,
               retry: RetryPolicy = RetryPolicy()) async throws -> Pipeline {
        let config = ClipdexConfig(ingest: .init(sampleFPS: 1, settleSeconds: settle, threads: 1),
                                   watch: [.init(path: dir.path, mode: mode, pollSeconds: 0.3)])
        return try await Pipeline(config: config, backend: backend, logger: capture.logger(),
                                  notifier: SystemdNotifier(environment: [:]), retry: retry)
    }

    func testFileWrittenInChunksIsReadOnceWhenComplete() async throws {
        let backend = MemoryBackend()
        let pipeline = try await start(backend, settle: 1.0)
        defer { _ = pipeline.stop(timeout: 5) }
        let path = dir.file("slow.mp4")
        let writer = SlowWriter(path)
        for _ in 0..<8 {  // 8 chunks over 2.8 s, never closed in between
            writer.append(4096)
            try await Task.sleep(for: .milliseconds(400))
        }
        writer.close()
        let done = await eventually { backend.reads.count >= 1 }
        XCTAssertTrue(done)
        try await Task.sleep(for: .milliseconds(1500))  // any second read would have happened by now
        XCTAssertEqual(backend.reads.map(\.path), [path])
        XCTAssertEqual(backend.reads.first?.size, 8 * 4096)
    }

    func testBurstOf500FilesIsAllIndexedOnce() async throws {
        let backend = MemoryBackend()
        let pipeline = try await start(backend)
        defer { _ = pipeline.stop(timeout: 5) }
        for i in 0..<500 { dir.write(String(format: "burst/%03d.mp4", i), "video \(i)") }
        let done = await eventually(30) { backend.reads.count >= 500 }
        XCTAssertTrue(done, "\(backend.reads.count) of 500")
        XCTAssertEqual(Set(backend.reads.map(\.path)).count, 500)
        XCTAssertEqual(backend.reads.count, 500)
        XCTAssertEqual(try backend.queueLength(), 0)
        XCTAssertEqual(pipeline.coordinator.settlingCount.load(ordering: .relaxed), 0)
    }

    func testRenameMoveDeleteAndReplace() async throws {
        let backend = MemoryBackend()
        let fm = FileManager.default
        let a = dir.write("a.mp4", "first"), b = dir.write("b.mp4", "second")
        let pipeline = try await start(backend)
        defer { _ = pipeline.stop(timeout: 5) }
        var ok = await eventually { backend.records.count == 2 }
        XCTAssertTrue(ok, "start-up scan indexed \(backend.records.keys)")

        try fm.moveItem(atPath: a, toPath: dir.file("renamed.mp4"))
        dir.mkdir("sub")
        try fm.moveItem(atPath: dir.file("renamed.mp4"), toPath: dir.file("sub/moved.mp4"))
        try fm.removeItem(atPath: b)
        ok = await eventually { backend.records.keys.sorted() == [dir.file("sub/moved.mp4")] }
        XCTAssertTrue(ok, "\(backend.records.keys)")

        // Replace: new content written over the moved file.
        dir.write("sub/moved.mp4", "replaced with new content")
        ok = await eventually { backend.records[dir.file("sub/moved.mp4")]?.stat.size == 25 }
        XCTAssertTrue(ok)
        XCTAssertEqual(backend.reads.map(\.path).sorted(), [a, b, dir.file("sub/moved.mp4")])
        XCTAssertEqual(backend.reads.count, 3, "renames and moves must not re-read: \(capture.all.joined())")
    }

    func testPolledFolderSeesNewMovedAndDeletedFiles() async throws {
        let backend = MemoryBackend()
        let pipeline = try await start(backend, settle: 0.2, mode: .poll)
        defer { _ = pipeline.stop(timeout: 5) }
        XCTAssertNil(pipeline.watcher)
        let a = dir.write("a.mp4")
        var ok = await eventually { backend.records[a] != nil }
        XCTAssertTrue(ok)
        try FileManager.default.moveItem(atPath: a, toPath: dir.file("b.mp4"))
        ok = await eventually { backend.records.keys.sorted() == [dir.file("b.mp4")] }
        XCTAssertTrue(ok, "\(backend.records.keys)")
        try FileManager.default.removeItem(atPath: dir.file("b.mp4"))
        ok = await eventually { backend.records.isEmpty }
        XCTAssertTrue(ok)
        XCTAssertEqual(backend.reads.count, 1)
    }

    func testNonVideoFailsAndTheDaemonCarriesOn() async throws {
        let backend = MemoryBackend { path in
            if path.hasSuffix("junk.mp4") { throw IngestFailure.permanent("\(path): not a video (no video stream)") }
        }
        let pipeline = try await start(backend)
        defer { _ = pipeline.stop(timeout: 5) }
        dir.write("junk.mp4", "not a video")
        dir.write("good.mp4", "fine")
        let ok = await eventually { backend.records[dir.file("good.mp4")] != nil && !backend.failures.isEmpty }
        XCTAssertTrue(ok)
        XCTAssertEqual(backend.failures, [dir.file("junk.mp4"): "\(dir.file("junk.mp4")): not a video (no video stream)"])
        let status = pipeline.status()
        XCTAssertTrue(status.hasPrefix("queue 0, settling 0, indexed 1, failed 1, "), status)
    }

    func testStopLeavesASlowFileQueuedForTheNextStart() async throws {
        let backend = MemoryBackend { _ in usleep(1_500_000) }
        let pipeline = try await start(backend)
        let slow = dir.write("slow.mp4")
        let busy = await eventually { pipeline.worker.current.withLock { $0 } == slow }
        XCTAssertTrue(busy)
        XCTAssertEqual(pipeline.stop(timeout: 0.1), slow)
        XCTAssertEqual(backend.records.count, 0)  // nothing half-committed
        XCTAssertEqual(try backend.queueLength(), 1)
        // The worker sees the stop once the read returns: nothing committed, the job put back.
        let finished = await eventually(5) { pipeline.worker.current.withLock { $0 } == nil }
        XCTAssertTrue(finished)
        XCTAssertEqual(backend.reads.count, 0)
        XCTAssertEqual(backend.records.count, 0)
        XCTAssertEqual(try backend.claimNextJob(now: Date())?.path, slow)
    }
}
