import Config
import Foundation
import Watch
@testable import clipdexd
import XCTest

/// The coordinator's decisions, fed events by hand (no inotify, no timing).
final class CoordinatorTests: XCTestCase {
    var dir = TempDir()
    var backend = MemoryBackend()
    var coordinator: Coordinator!

    override func setUp() {
        dir = TempDir()
        backend = MemoryBackend()
        coordinator = Coordinator(roots: [.init(path: dir.path, extensions: ["mp4"])], settleSeconds: 0, backend: backend,
                                  logger: LogCapture().logger(), queued: {})
    }

    override func tearDown() { dir.remove() }

    /// Runs the queue dry as the worker would.
    func drain() throws {
        let worker = Worker(backend: backend, logger: LogCapture().logger())
        while let job = try backend.claimNextJob(now: Date()) { try worker.process(job) }
    }

    func testWrittenVideosAreQueuedOthersIgnored() async throws {
        let a = dir.write("a.mp4"), t = dir.write("a.txt"), h = dir.write(".a.mp4")
        for p in [a, t, h] { await coordinator.handle(.written(p)) }
        await coordinator.handle(.written("/elsewhere/x.mp4"))
        let queued = await coordinator.tick()
        XCTAssertEqual(queued, 1)
        try drain()
        XCTAssertEqual(backend.records.keys.sorted(), [a])
        // Written again without a change: not queued again.
        await coordinator.handle(.written(a))
        let again = await coordinator.tick()
        XCTAssertEqual(again, 0)
    }

    func testSymlinksAreNotFollowed() async throws {
        let outside = TempDir()
        defer { outside.remove() }
        let far = outside.write("far.mp4")
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.mp4"), withDestinationPath: far)
        await coordinator.handle(.written(dir.file("link.mp4")))
        try await coordinator.reconcile(scanned: [dir.path], known: [dir.path])
        let queued = await coordinator.tick()
        XCTAssertEqual(queued, 0)
        XCTAssertEqual(try backend.queueLength(), 0)
    }

    func testWatchLimitIsReportedOnceAndTheRootPolled() async throws {
        let capture = LogCapture()
        coordinator = Coordinator(roots: [.init(path: dir.path)], settleSeconds: 0, backend: backend, logger: capture.logger(), queued: {})
        await coordinator.handle(.unwatchable(dir.file("a"), errno: ENOSPC, limit: true))
        await coordinator.handle(.unwatchable(dir.file("b"), errno: ENOSPC, limit: true))
        let errors = capture.all.filter { $0.hasPrefix("<3>") }
        XCTAssertEqual(errors.count, 1, "\(capture.all)")
        XCTAssertTrue(errors[0].contains("inotify watch limit reached at \(dir.file("a"))"), errors[0])
        XCTAssertTrue(errors[0].contains("sysctl fs.inotify.max_user_watches="), errors[0])
        let degraded = await coordinator.degradedRoots
        XCTAssertEqual(degraded, [dir.path])
    }

    func testRenameMovesTheRecordWithoutReading() async throws {
        let a = dir.write("a.mp4")
        await coordinator.handle(.written(a))
        await coordinator.tick()
        try drain()
        let before = try XCTUnwrap(backend.records[a])
        dir.mkdir("sub")
        try FileManager.default.moveItem(atPath: a, toPath: dir.file("sub/b.mp4"))
        await coordinator.handle(.moved(from: a, to: dir.file("sub/b.mp4"), isDirectory: false))
        XCTAssertEqual(backend.records.keys.sorted(), [dir.file("sub/b.mp4")])
        XCTAssertEqual(backend.records[dir.file("sub/b.mp4")]?.stat, before.stat)
        XCTAssertEqual(backend.reads.count, 1)

        // Renamed to a name that is not watched: its rows go.
        try FileManager.default.moveItem(atPath: dir.file("sub/b.mp4"), toPath: dir.file("sub/b.txt"))
        await coordinator.handle(.moved(from: dir.file("sub/b.mp4"), to: dir.file("sub/b.txt"), isDirectory: false))
        XCTAssertEqual(backend.records.count, 0)
    }

    func testFolderRenameMovesEveryRecordUnderIt() async throws {
        let a = dir.write("d/a.mp4"), b = dir.write("d/e/b.mp4")
        for p in [a, b] { await coordinator.handle(.written(p)) }
        await coordinator.tick()
        try drain()
        try FileManager.default.moveItem(atPath: dir.file("d"), toPath: dir.file("z"))
        await coordinator.handle(.moved(from: dir.file("d"), to: dir.file("z"), isDirectory: true))
        XCTAssertEqual(backend.records.keys.sorted(), [dir.file("z/a.mp4"), dir.file("z/e/b.mp4")])
        XCTAssertEqual(backend.reads.count, 2)
        try FileManager.default.removeItem(atPath: dir.file("z"))
        await coordinator.handle(.removed(dir.file("z"), isDirectory: true))
        XCTAssertEqual(backend.records.count, 0)
    }

    func testDeleteRemovesRowsAndCancelsPendingWork() async throws {
        let a = dir.write("a.mp4"), b = dir.write("b.mp4")
        await coordinator.handle(.written(a))
        await coordinator.tick()
        try drain()
        await coordinator.handle(.written(b))  // settling, not read yet
        try FileManager.default.removeItem(atPath: a)
        try FileManager.default.removeItem(atPath: b)
        await coordinator.handle(.removed(a, isDirectory: false))
        await coordinator.handle(.removed(b, isDirectory: false))
        let queued = await coordinator.tick()
        XCTAssertEqual(queued, 0)
        XCTAssertEqual(backend.records.count, 0)
        XCTAssertEqual(try backend.queueLength(), 0)
    }

    func testReplacedContentIsReadAgain() async throws {
        let a = dir.write("a.mp4", "one")
        await coordinator.handle(.written(a))
        await coordinator.tick()
        try drain()
        let staged = dir.write(".staged", "second version")
        try FileManager.default.removeItem(atPath: a)
        try FileManager.default.moveItem(atPath: staged, toPath: a)  // an atomic replace
        await coordinator.handle(.written(a))
        await coordinator.tick()
        try drain()
        XCTAssertEqual(backend.reads.map(\.size), [3, 14])
        XCTAssertEqual(backend.records[a]?.stat.size, 14)
    }

    func testStartupReconciliation() async throws {
        // Index state from a previous run: one moved while the daemon was down, one deleted, one changed.
        let keep = dir.write("keep.mp4"), moved = dir.write("sub/now-here.mp4", "moved"), changed = dir.write("changed.mp4", "v2")
        let fresh = dir.write("fresh.mp4")
        let st = { FileStat.of($0)! }
        var old = st(changed)
        old.size = 1
        backend.state.withLock { s in
            s.records[keep] = KnownFile(path: keep, stat: st(keep))
            s.records[dir.file("was-here.mp4")] = KnownFile(path: dir.file("was-here.mp4"), stat: st(moved))
            s.records[dir.file("deleted.mp4")] = KnownFile(path: dir.file("deleted.mp4"), stat: st(keep))
            s.records[changed] = KnownFile(path: changed, stat: old)
        }
        let plan = try await coordinator.reconcile(scanned: [dir.path], known: [dir.path])
        XCTAssertEqual(plan.unchanged, 1)
        XCTAssertEqual(plan.moves, [.init(from: dir.file("was-here.mp4"), to: moved)])
        XCTAssertEqual(plan.removals, [dir.file("deleted.mp4")])
        XCTAssertEqual(plan.toIndex, [changed, fresh])
        await coordinator.tick()
        try drain()
        XCTAssertEqual(backend.records.keys.sorted(), [changed, fresh, keep, moved])
        XCTAssertEqual(backend.reads.map(\.path).sorted(), [changed, fresh])
    }

    func testFailedFileIsRetriedOnlyWhenItChanges() async throws {
        backend = MemoryBackend { path in
            if try String(contentsOfFile: path, encoding: .utf8).hasPrefix("junk") { throw IngestFailure.permanent("\(path): not a video") }
        }
        coordinator = Coordinator(roots: [.init(path: dir.path)], settleSeconds: 0, backend: backend, logger: LogCapture().logger(), queued: {})
        let j = dir.write("j.mp4", "junk")
        await coordinator.handle(.written(j))
        await coordinator.tick()
        try drain()
        XCTAssertEqual(backend.failures, [j: "\(j): not a video"])
        XCTAssertEqual(backend.records[j]?.failed, true)
        await coordinator.handle(.written(j))  // touched, same content
        let requeued = await coordinator.tick()
        XCTAssertEqual(requeued, 0)
        let plan = try await coordinator.reconcile(scanned: [dir.path], known: [dir.path])
        XCTAssertEqual(plan.toIndex, [])
        dir.write("j.mp4", "a real video now")
        await coordinator.handle(.written(j))
        await coordinator.tick()
        try drain()
        XCTAssertEqual(backend.failures, [:])
        XCTAssertEqual(backend.records[j]?.failed, false)
    }
}

final class WorkerTests: XCTestCase {
    func testTransientFailuresBackOffThenGiveUp() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let backend = MemoryBackend { _ in throw IngestFailure.transient("database is locked") }
        let worker = Worker(backend: backend, logger: LogCapture().logger(), retry: RetryPolicy(firstDelay: 30, maxDelay: 100, maxAttempts: 3))
        let a = dir.write("a.mp4")
        try backend.enqueue(a)
        var job = try XCTUnwrap(backend.claimNextJob(now: Date()))
        try worker.process(job)
        XCTAssertNil(try backend.claimNextJob(now: Date()))
        let due1 = try XCTUnwrap(backend.nextRetryDate()).timeIntervalSinceNow
        XCTAssertEqual(due1, 30, accuracy: 2)
        job = try XCTUnwrap(backend.claimNextJob(now: Date().addingTimeInterval(31)))
        XCTAssertEqual(job.attempts, 1)
        try worker.process(job)
        XCTAssertEqual(try XCTUnwrap(backend.nextRetryDate()).timeIntervalSinceNow, 60, accuracy: 2)
        job = try XCTUnwrap(backend.claimNextJob(now: Date().addingTimeInterval(61)))
        try worker.process(job)  // third failure: recorded as failed
        XCTAssertEqual(try backend.queueLength(), 0)
        XCTAssertEqual(backend.failures[a], "database is locked (gave up after 3 attempts)")
        XCTAssertEqual(worker.stats.withLock { $0.failed }, 1)
        XCTAssertEqual(RetryPolicy().delay(afterAttempts: 10), 3600)
    }

    func testVanishedFileIsDroppedAndInterruptedJobsComeBack() throws {
        let backend = MemoryBackend()
        let worker = Worker(backend: backend, logger: LogCapture().logger())
        try backend.enqueue("/nonexistent/a.mp4")
        try worker.process(try XCTUnwrap(backend.claimNextJob(now: Date())))
        XCTAssertEqual(try backend.queueLength(), 0)
        XCTAssertEqual(backend.reads.count, 0)

        try backend.enqueue("/x/b.mp4")
        _ = try backend.claimNextJob(now: Date())  // "crash" while running
        XCTAssertNil(try backend.claimNextJob(now: Date()))
        XCTAssertEqual(try backend.recoverInterruptedJobs(), 1)
        XCTAssertEqual(try backend.claimNextJob(now: Date())?.path, "/x/b.mp4")
    }
}
