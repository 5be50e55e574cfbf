import Foundation
import Glibc
import Logging
@testable import clipdexd
import XCTest

final class JournalLogHandlerTests: XCTestCase {
    func testLinesCarrySyslogPrioritiesAndMetadata() {
        let capture = LogCapture()
        var logger = capture.logger(level: .info)
        logger[metadataKey: "root"] = "/srv/videos"
        logger.debug("hidden below info")
        logger.info("indexed a.mp4")
        logger.notice("ready")
        logger.warning("slow\ndisk")
        logger.error("bad", metadata: ["file": "b.mp4"])
        logger.critical("dead")
        XCTAssertEqual(capture.all, [
            "<6>indexed a.mp4 root=/srv/videos\n",
            "<5>ready root=/srv/videos\n",
            "<4>slow disk root=/srv/videos\n",
            "<3>bad file=b.mp4 root=/srv/videos\n",
            "<2>dead root=/srv/videos\n",
        ])
        XCTAssertEqual(JournalLogHandler.priority(.trace), 7)
        XCTAssertEqual(JournalLogHandler.priority(.debug), 7)
    }
}

/// A datagram socket standing in for systemd's notify socket.
final class FakeNotifySocket {
    let fd: Int32
    let address: String

    /// `abstract`: bind in the abstract namespace and give the address as `@name`, as systemd may.
    init(path: String, abstract: Bool) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if abstract { bytes.insert(0, at: 0) }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        address = abstract ? "@" + path : path
    }

    deinit { close(fd) }

    /// The next datagram, or nil after 200 ms without one.
    func receive() -> String? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self) : nil
    }

    /// Every datagram received until `done` holds for one of them (or `seconds` pass).
    func receive(until done: (String) -> Bool, seconds: Double = 10) -> [String] {
        var out: [String] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let m = receive() else { continue }
            out.append(m)
            if done(m) { break }
        }
        return out
    }
}

final class SystemdNotifierTests: XCTestCase {
    func testSendsToPathAndAbstractSockets() {
        let dir = TempDir()
        defer { dir.remove() }
        for abstract in [false, true] {
            let sock = FakeNotifySocket(path: abstract ? "clipdex-test-\(getpid())" : dir.file("notify"), abstract: abstract)
            let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": sock.address])
            XCTAssertTrue(n.enabled)
            XCTAssertTrue(n.send("READY=1\nSTATUS=queue 3"))
            XCTAssertEqual(sock.receive(), "READY=1\nSTATUS=queue 3")
        }
    }

    func testWatchdogIntervalIsHalfOfWatchdogUsecForThisProcessOnly() {
        XCTAssertEqual(SystemdNotifier(environment: ["WATCHDOG_USEC": "20000000"]).watchdogInterval, 10)
        XCTAssertEqual(SystemdNotifier(environment: ["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "\(getpid())"]).watchdogInterval, 1.5)
        XCTAssertNil(SystemdNotifier(environment: ["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "1"]).watchdogInterval)
        let off = SystemdNotifier(environment: [:])
        XCTAssertFalse(off.enabled)
        XCTAssertNil(off.watchdogInterval)
        XCTAssertFalse(off.send("READY=1"))
    }
}
