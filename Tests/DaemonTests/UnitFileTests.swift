import Foundation
import XCTest

/// `systemd/clipdexd.service` must pass `systemd-analyze verify` without a word on stderr and be
/// rated 2.0 or lower by `systemd-analyze security`.
final class UnitFileTests: XCTestCase {
    func analyze(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        try runProgram("/usr/bin/systemd-analyze", args)
    }

    func testVerifyIsCleanOnceTheBinaryIsInstalled() throws {
        // verify checks that ExecStart= is executable: point it at the binary this build made, as
        // an install would put it at /usr/local/bin/clipdexd.
        let dir = TempDir()
        defer { dir.remove() }
        let unit = try String(contentsOfFile: repoRoot + "/systemd/clipdexd.service", encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=/usr/local/bin/clipdexd --config /etc/clipdex/clipdex.toml"))
        let binary = productsDir + "/clipdexd"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), binary)
        let installed = dir.write("clipdexd.service", unit.replacingOccurrences(of: "/usr/local/bin/clipdexd", with: binary))
        let r = try analyze(["verify", installed])
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.code, 0)
    }

    func testSecurityExposureIsAtMostTwo() throws {
        let r = try analyze(["security", "--offline=true", repoRoot + "/systemd/clipdexd.service"])
        let all = r.out + r.err
        guard let line = all.split(separator: "\n").first(where: { $0.contains("Overall exposure level") }),
              let number = line.split(separator: " ").compactMap({ Double($0) }).first else {
            return XCTFail("no exposure level in: \(all)")
        }
        XCTAssertLessThanOrEqual(number, 2.0, String(line))
        for key in ["Type=notify", "DynamicUser=yes", "StateDirectory=clipdex", "NoNewPrivileges=yes", "ProtectSystem=strict",
                    "ProtectHome=read-only", "PrivateTmp=yes", "PrivateDevices=yes", "PrivateNetwork=yes",
                    "RestrictAddressFamilies=AF_UNIX", "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes",
                    "CapabilityBoundingSet=\n", "TimeoutStopSec=10s", "WatchdogSec="] {
            XCTAssertTrue(try String(contentsOfFile: repoRoot + "/systemd/clipdexd.service", encoding: .utf8).contains(key), key)
        }
    }
}

/// Where `swift build` put the binaries: beside the test bundle.
let productsDir: String = {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    if FileManager.default.isExecutableFile(atPath: bundle + "/clipdexd") { return bundle }
    return repoRoot + "/.build/debug"
}()
