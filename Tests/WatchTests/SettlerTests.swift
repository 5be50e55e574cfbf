import Watch
import XCTest

final class SettlerTests: XCTestCase {
    func st(_ size: Int64, _ mtime: Int64, inode: UInt64 = 7) -> FileStat {
        FileStat(device: 1, inode: inode, size: size, mtimeNanos: mtime)
    }

    func testReleasedOnlyAfterHoldingStillForTheSettleTime() {
        var s = Settler(settleSeconds: 5)
        var disk = ["/v/a.mp4": st(100, 1)]
        s.track("/v/a.mp4", now: 0, stat: disk["/v/a.mp4"])
        XCTAssertEqual(s.ready(now: 4.9) { disk[$0] }, [])
        disk["/v/a.mp4"] = st(200, 2)  // still growing at 4.9 s: the timer restarts
        XCTAssertEqual(s.ready(now: 5.0) { disk[$0] }, [])
        XCTAssertEqual(s.ready(now: 9.9) { disk[$0] }, [])
        XCTAssertEqual(s.ready(now: 10.0) { disk[$0] }, ["/v/a.mp4"])
        XCTAssertEqual(s.count, 0)
    }

    func testNewEventRestartsTimerAndVanishedFilesAreDropped() {
        var s = Settler(settleSeconds: 2)
        var disk = ["/v/a.mp4": st(1, 1), "/v/b.mp4": st(1, 1, inode: 8)]
        s.track("/v/a.mp4", now: 0, stat: disk["/v/a.mp4"])
        s.track("/v/b.mp4", now: 0, stat: disk["/v/b.mp4"])
        s.track("/v/a.mp4", now: 1.5, stat: disk["/v/a.mp4"])  // written again
        disk["/v/b.mp4"] = nil
        XCTAssertEqual(s.ready(now: 2) { disk[$0] }, [])
        XCTAssertFalse(s.isTracking("/v/b.mp4"))
        XCTAssertEqual(s.ready(now: 3.5) { disk[$0] }, ["/v/a.mp4"])
    }

    func testReplacedFileRestartsAndStartupFilesWithOldMtimeAreReadyAtOnce() {
        var s = Settler(settleSeconds: 5)
        var disk = ["/v/a.mp4": st(10, 1, inode: 1), "/v/old.mp4": st(10, 1, inode: 2)]
        s.track("/v/a.mp4", now: 0, stat: disk["/v/a.mp4"])
        s.track("/v/old.mp4", stillSince: -100, stat: disk["/v/old.mp4"])
        disk["/v/a.mp4"] = st(10, 1, inode: 3)  // same size and mtime, another file
        XCTAssertEqual(s.ready(now: 0.1) { disk[$0] }, ["/v/old.mp4"])
        XCTAssertEqual(s.ready(now: 5.0) { disk[$0] }, [])
        XCTAssertEqual(s.ready(now: 5.1) { disk[$0] }, ["/v/a.mp4"])
    }

    func testCancelUnderFolderAndZeroSettle() {
        var s = Settler(settleSeconds: 0)
        let disk = ["/v/d/a.mp4": st(1, 1), "/v/d/e/b.mp4": st(1, 1), "/v/dd.mp4": st(1, 1)]
        for p in disk.keys { s.track(p, now: 0, stat: nil) }
        XCTAssertEqual(s.cancel(under: "/v/d").sorted(), ["/v/d/a.mp4", "/v/d/e/b.mp4"])
        XCTAssertEqual(s.ready(now: 0) { disk[$0] }, ["/v/dd.mp4"])
    }
}

final class ReconcilerTests: XCTestCase {
    func st(_ inode: UInt64, _ size: Int64, _ mtime: Int64 = 5) -> FileStat {
        FileStat(device: 9, inode: inode, size: size, mtimeNanos: mtime)
    }

    func testPlanSortsFilesIntoUnchangedChangedNewMovedAndGone() {
        let disk = [
            "/v/same.mp4": st(1, 10),
            "/v/changed.mp4": st(2, 99),
            "/v/new.mp4": st(3, 10),
            "/v/sub/renamed.mp4": st(4, 40),
            "/v/failed.mp4": st(6, 60),
            "/v/copy.mp4": st(7, 50),  // same size and mtime as gone.mp4 but another inode: not a move
        ]
        let known = [
            KnownFile(path: "/v/same.mp4", stat: st(1, 10)),
            KnownFile(path: "/v/changed.mp4", stat: st(2, 20)),
            KnownFile(path: "/v/old-name.mp4", stat: st(4, 40)),
            KnownFile(path: "/v/gone.mp4", stat: st(5, 50)),
            KnownFile(path: "/v/failed.mp4", stat: st(6, 60), failed: true),
        ]
        let plan = Reconciler.plan(disk: disk, known: known)
        XCTAssertEqual(plan.unchanged, 2)
        XCTAssertEqual(plan.toIndex, ["/v/changed.mp4", "/v/copy.mp4", "/v/new.mp4"])
        XCTAssertEqual(plan.moves, [.init(from: "/v/old-name.mp4", to: "/v/sub/renamed.mp4")])
        XCTAssertEqual(plan.removals, ["/v/gone.mp4"])
    }

    func testMovedAndEditedFileIsNotAMove() {
        let plan = Reconciler.plan(disk: ["/v/b.mp4": st(4, 41)], known: [KnownFile(path: "/v/a.mp4", stat: st(4, 40))])
        XCTAssertEqual(plan.moves, [])
        XCTAssertEqual(plan.toIndex, ["/v/b.mp4"])
        XCTAssertEqual(plan.removals, ["/v/a.mp4"])
    }
}

final class ScannerTests: XCTestCase {
    func testScanSkipsHiddenSymlinksAndOtherExtensions() throws {
        let dir = TempDir(), outside = TempDir()
        defer { dir.remove(); outside.remove() }
        dir.write("a.mp4", "aa")
        dir.write("b.MKV")
        dir.write("notes.txt")
        dir.write(".partial.mp4")
        dir.write("sub/deep/c.webm")
        dir.write(".hidden/d.mp4")
        outside.write("far.mp4")
        try FileManager.default.createSymbolicLink(atPath: dir.file("link-out.mp4"), withDestinationPath: outside.file("far.mp4"))
        try FileManager.default.createSymbolicLink(atPath: dir.file("linkdir"), withDestinationPath: outside.path)
        let accepts = { (name: String) in ["mp4", "mkv", "webm"].contains((name as NSString).pathExtension.lowercased()) }

        let all = TreeScanner.scan(dir.path, recursive: true, accepts: accepts)
        XCTAssertEqual(all.keys.sorted(), [dir.file("a.mp4"), dir.file("b.MKV"), dir.file("sub/deep/c.webm")])
        XCTAssertEqual(all[dir.file("a.mp4")]?.size, 2)
        XCTAssertEqual(all[dir.file("a.mp4")], FileStat.of(dir.file("a.mp4")))
        let top = TreeScanner.scan(dir.path, recursive: false, accepts: accepts)
        XCTAssertEqual(top.keys.sorted(), [dir.file("a.mp4"), dir.file("b.MKV")])
        XCTAssertEqual(TreeScanner.folders(dir.path).sorted(), [dir.path, dir.file("sub"), dir.file("sub/deep")])
    }

    func testFilesystemKinds() {
        XCTAssertEqual(FilesystemKind.kind(magic: 0x6969), .remote("nfs"))
        XCTAssertEqual(FilesystemKind.kind(magic: 0xFF53_4D42), .remote("cifs"))
        XCTAssertEqual(FilesystemKind.kind(magic: 0x6573_5546), .remote("fuse"))
        XCTAssertEqual(FilesystemKind.kind(magic: 0xEF53), .local)  // ext4
        XCTAssertEqual(FilesystemKind.of("/tmp"), .local)
        XCTAssertEqual(FilesystemKind.of("/proc/self"), .local)
        XCTAssertNil(FilesystemKind.of("/no/such/folder"))
    }
}
