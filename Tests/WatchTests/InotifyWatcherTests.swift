import Foundation
import Synchronization
@testable import Watch
import XCTest

/// Collects a watcher's events for assertions.
final class EventLog: Sendable {
    let events = Mutex<[WatchEvent]>([])
    func add(_ e: WatchEvent) { events.withLock { $0.append(e) } }
    var all: [WatchEvent] { events.withLock { $0 } }

    /// Waits (up to 5 s) until `done` holds for the events so far.
    func wait(until done: ([WatchEvent]) -> Bool) -> [WatchEvent] {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if done(all) { break }
            usleep(10_000)
        }
        return all
    }
}

final class InotifyWatcherTests: XCTestCase {
    var dir = TempDir()
    var log = EventLog()
    var watcher: InotifyWatcher!

    override func setUpWithError() throws {
        dir = TempDir()
        log = EventLog()
        dir.mkdir("sub")
        let log = log
        watcher = try InotifyWatcher(roots: [.init(path: dir.path, recursive: true)]) { log.add($0) }
        let ready = DispatchSemaphore(value: 0)
        watcher.start { ready.signal() }
        XCTAssertEqual(ready.wait(timeout: .now() + 5), .success)
    }

    override func tearDown() {
        watcher.stop()
        dir.remove()
    }

    func testWrittenFileInWatchedSubfolder() {
        let p = dir.write("sub/a.mp4", "data")
        let events = log.wait { $0.contains(.written(p)) }
        XCTAssertTrue(events.contains(.written(p)), "\(events)")
        XCTAssertTrue(events.allSatisfy { $0 == .written(p) }, "\(events)")
    }

    func testRenameIsOneMoveAndMoveOutIsRemoval() throws {
        let a = dir.write("a.mp4")
        _ = log.wait { $0.contains(.written(a)) }
        try FileManager.default.moveItem(atPath: a, toPath: dir.file("sub/b.mp4"))
        var events = log.wait { $0.contains(.moved(from: a, to: dir.file("sub/b.mp4"), isDirectory: false)) }
        XCTAssertTrue(events.contains(.moved(from: a, to: dir.file("sub/b.mp4"), isDirectory: false)), "\(events)")
        XCTAssertFalse(events.contains(.removed(a, isDirectory: false)))

        let outside = TempDir()
        defer { outside.remove() }
        try FileManager.default.moveItem(atPath: dir.file("sub/b.mp4"), toPath: outside.file("b.mp4"))
        events = log.wait { $0.contains(.removed(dir.file("sub/b.mp4"), isDirectory: false)) }
        XCTAssertTrue(events.contains(.removed(dir.file("sub/b.mp4"), isDirectory: false)), "\(events)")
        try FileManager.default.moveItem(atPath: outside.file("b.mp4"), toPath: dir.file("back.mp4"))
        events = log.wait { $0.contains(.written(dir.file("back.mp4"))) }
        XCTAssertTrue(events.contains(.written(dir.file("back.mp4"))), "\(events)")
    }

    func testNewFoldersAreWatchedAndRenamedFoldersKeepReporting() throws {
        dir.mkdir("new/deeper")
        var events = log.wait { $0.contains(.folderAppeared(dir.file("new"))) }
        XCTAssertTrue(events.contains(.folderAppeared(dir.file("new"))), "\(events)")
        // Watches were added for the new tree, so a file deep inside is seen.
        let deep = dir.write("new/deeper/c.mkv")
        events = log.wait { $0.contains(.written(deep)) }
        XCTAssertTrue(events.contains(.written(deep)), "\(events)")

        try FileManager.default.moveItem(atPath: dir.file("new"), toPath: dir.file("renamed"))
        events = log.wait { $0.contains(.moved(from: dir.file("new"), to: dir.file("renamed"), isDirectory: true)) }
        XCTAssertTrue(events.contains(.moved(from: dir.file("new"), to: dir.file("renamed"), isDirectory: true)), "\(events)")
        // Paths inside the renamed folder are reported under its new name.
        let moved = dir.write("renamed/deeper/d.mkv")
        events = log.wait { $0.contains(.written(moved)) }
        XCTAssertTrue(events.contains(.written(moved)), "\(events)")

        try FileManager.default.removeItem(atPath: dir.file("renamed/deeper/d.mkv"))
        events = log.wait { $0.contains(.removed(moved, isDirectory: false)) }
        XCTAssertTrue(events.contains(.removed(moved, isDirectory: false)), "\(events)")
    }

    func testHiddenNamesAreIgnoredAndRootRemovalReported() throws {
        dir.write(".part.mp4")
        let visible = dir.write("v.mp4")
        var events = log.wait { $0.contains(.written(visible)) }
        XCTAssertFalse(events.contains(.written(dir.file(".part.mp4"))), "\(events)")
        try FileManager.default.removeItem(atPath: dir.path)
        events = log.wait { $0.contains(.rootGone(dir.path)) }
        XCTAssertTrue(events.contains(.rootGone(dir.path)), "\(events)")
    }
}
