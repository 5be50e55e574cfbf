import Foundation
import XCTest

/// The `clipdexd` binary itself: configuration checks, the systemd protocol and signals
/// (in `--dry-run`, which needs no model or database).
final class DaemonBinaryTests: XCTestCase {
    var dir = TempDir()
    override func setUp() { dir = TempDir() }
    override func tearDown() { dir.remove() }

    func config(_ extra: String = "", roots: [String] = ["videos"]) -> String {
        for r in roots { dir.mkdir(r) }
        let watch = roots.map { "[[watch]]\npath = \"\($0)\"\n" }.joined()
        return dir.write("clipdex.toml", """
            [store]
            database = "state/index.sqlite"
            [model]
            path = "\(repoRoot)/Tests/Fixtures/clip-tiny"
            [ingest]
            settle_seconds = 0.3
            \(extra)
            \(watch)
            """)
    }

    func testCheckConfigPrintsSummaryOrNamesTheProblem() throws {
        let good = config()
        var r = try runDaemon(["--config", good, "--check-config"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.out.contains("\(good): OK"), r.out)
        XCTAssertTrue(r.out.contains("watch     \(dir.path)/videos (recursive, auto, mp4 mkv mov webm avi m4v)"), r.out)

        // Without [model] path: the bundled demo model, said so.
        dir.write("demo.toml", "[[watch]]\npath = \"videos\"\n[store]\ndatabase = \"db.sqlite\"\n")
        r = try runDaemon(["--config", dir.file("demo.toml"), "--check-config"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.out.contains("/clip-demo (bundled demo model)"), r.out)

        dir.write("typo.toml", "[ingest]\nsettle_second = 5\n")
        r = try runDaemon(["--config", dir.file("typo.toml"), "--check-config"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.err.contains("\(dir.file("typo.toml")): [ingest] settle_second: unknown key"), r.err)

        dir.write("nofolder.toml", "[[watch]]\npath = \"missing\"\n")
        r = try runDaemon(["--config", dir.file("nofolder.toml"), "--check-config"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.err.contains("[[watch]] #1 path: \(dir.path)/missing: no such folder"), r.err)

        dir.mkdir("notamodel")
        dir.write("badmodel.toml", "[model]\npath = \"notamodel\"\n[[watch]]\npath = \"videos\"\n")
        r = try runDaemon(["--config", dir.file("badmodel.toml"), "--check-config"])
        XCTAssertEqual(r.code, 2)
        XCTAssertTrue(r.err.contains("[model] path: \(dir.path)/notamodel: not a readable CLIP model"), r.err)
    }

    func testNotifyProtocolReloadAndStop() throws {
        let file = config()
        let sock = FakeNotifySocket(path: dir.file("notify"), abstract: false)
        let daemon = try DaemonProcess(["--config", file, "--dry-run"],
                                       environment: ["NOTIFY_SOCKET": sock.address, "WATCHDOG_USEC": "1000000"])
        var got = sock.receive { $0.contains("READY=1") }
        XCTAssertTrue(got.last?.contains("READY=1") == true, "\(got) \(daemon.log)")
        XCTAssertTrue(got.last?.contains("STATUS=queue 0, settling 0, indexed 0, failed 0") == true, "\(got)")
        got = sock.receive { $0.contains("WATCHDOG=1") }
        XCTAssertTrue(got.last?.contains("WATCHDOG=1") == true, "\(got)")

        let a = dir.write("videos/a.mp4")
        XCTAssertTrue(daemon.waitForLog("<6>\(a): indexed"), daemon.log)
        got = sock.receive { $0.contains("STATUS=queue 0, settling 0, indexed 1") }
        XCTAssertTrue(got.last?.contains("indexed 1") == true, "\(got)")

        // Reload with a second folder: it is watched from then on.
        _ = config(roots: ["videos", "more"])
        daemon.signal(SIGHUP)
        got = sock.receive { $0.hasPrefix("READY=1") }
        XCTAssertTrue(got.contains { $0.hasPrefix("RELOADING=1") }, "\(got)")
        XCTAssertTrue(got.last?.hasPrefix("READY=1") == true, "\(got)")
        let b = dir.write("more/b.mkv")
        XCTAssertTrue(daemon.waitForLog("<6>\(b): indexed"), daemon.log)

        // A broken config on reload is refused; the daemon keeps running.
        dir.write("clipdex.toml", "[ingest]\nthreads = \"many\"\n")
        daemon.signal(SIGHUP)
        XCTAssertTrue(daemon.waitForLog("<3>reload refused, keeping the running configuration"), daemon.log)
        let c = dir.write("videos/c.mp4")
        XCTAssertTrue(daemon.waitForLog("<6>\(c): indexed"), daemon.log)

        let stopAt = Date()
        daemon.signal(SIGTERM)
        got = sock.receive { $0.hasPrefix("STOPPING=1") }
        XCTAssertTrue(got.last?.hasPrefix("STOPPING=1") == true, "\(got)")
        XCTAssertEqual(daemon.wait(seconds: 10), 0)
        XCTAssertLessThan(Date().timeIntervalSince(stopAt), 10)
        for line in daemon.log.split(separator: "\n") {
            XCTAssertNotNil(line.range(of: "^<[2-7]>", options: .regularExpression), "not journald-prefixed: \(line)")
        }
    }
}
