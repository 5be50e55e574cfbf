import Foundation
import Tensor
import XCTest

/// `clipdex train` and `clipdex eval` as users (and the acceptance checks) run them, on clips made
/// here with the ffmpeg CLI whose classes differ only in temporal order.
final class EndToEndTests: XCTestCase {
    var work: String!

    override func setUpWithError() throws {
        work = NSTemporaryDirectory() + "clipdex-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: work) }

    /// The `clipdex` executable built beside the test bundle.
    var binary: String {
        let url = Bundle(for: Self.self).bundleURL
        let candidates = [url.appendingPathComponent("clipdex"), url.deletingLastPathComponent().appendingPathComponent("clipdex")]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]).path
    }

    /// Runs a command, returning (status, stdout, stderr).
    @discardableResult
    func run(_ exe: String, _ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = work + "/cache"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// 4 classes: red→blue, blue→red (colour change), a square growing, shrinking; 2–4 s, 64×64, 8 fps.
    func makeClips(_ dir: String, perClass: Int, seed: Int) throws {
        let classes = ["red_turning_blue", "blue_turning_red", "square_growing", "square-shrinking"]
        for (k, name) in classes.enumerated() {
            let folder = dir + "/" + name
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for i in 0..<perClass {
                let r = (seed * 7919 + i * 104_729 + k * 31) % 1000
                let d = 2 + Double(r % 200) / 100, cut = d * (0.4 + Double(r % 20) / 100), c = 40 + r % 40
                let filter: String
                switch k {
                case 0: filter = "format=rgb24,geq=r='if(lt(T,\(cut)),\(255 - c),\(c))':g='\(c / 2)':b='if(lt(T,\(cut)),\(c),\(255 - c))'"
                case 1: filter = "format=rgb24,geq=r='if(lt(T,\(cut)),\(c),\(255 - c))':g='\(c / 2)':b='if(lt(T,\(cut)),\(255 - c),\(c))'"
                case 2: filter = "format=gray,geq=lum='if(lt(abs(X-32),4+24*T/\(d))*lt(abs(Y-32),4+24*T/\(d)),235,\(16 + c / 4))'"
                default: filter = "format=gray,geq=lum='if(lt(abs(X-32),28-24*T/\(d))*lt(abs(Y-32),28-24*T/\(d)),235,\(16 + c / 4))'"
                }
                let (status, _, err) = try run("/usr/bin/ffmpeg", ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                                                                   "color=c=black:s=64x64:d=\(d):r=8,\(filter)",
                                                                   "-pix_fmt", "yuv420p", "\(folder)/\(i).mp4"])
                XCTAssertEqual(status, 0, "ffmpeg: \(err)")
            }
        }
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not JSON: \(text)")
    }

    func testTrainedAdapterBeatsTheBaselineOnTemporalOrder() throws {
        let model = Fixtures.path("clip-tiny")
        try makeClips(work + "/train", perClass: 8, seed: 1)
        try makeClips(work + "/test", perClass: 5, seed: 2)
        let adapter = work + "/order.safetensors"
        let (s1, o1, e1) = try run(binary, ["train", "--model", model, "--data", work + "/train", "--out", adapter,
                                             "--seed", "1", "--json"])
        XCTAssertEqual(s1, 0, e1)
        let trained = try json(o1)
        XCTAssertEqual(trained["adapter"] as? String, adapter)
        XCTAssertGreaterThan(trained["steps"] as? Int ?? 0, 0)
        XCTAssertLessThan(trained["final_loss"] as? Double ?? 99, 0.5)
        XCTAssertNotNil(trained["seconds"] as? Double)

        let (s2, o2, e2) = try run(binary, ["eval", "--model", model, "--adapter", adapter, "--data", work + "/test", "--json"])
        XCTAssertEqual(s2, 0, e2)
        let report = try json(o2)
        XCTAssertEqual(report["clips"] as? Int, 20)
        XCTAssertEqual(report["classes"] as? Int, 4)
        let rec = try XCTUnwrap(report["recognition"] as? [String: [String: Double]])
        let a = try XCTUnwrap(rec["adapter"]?["top1"]), b = try XCTUnwrap(rec["baseline"]?["top1"])
        print("end-to-end temporal order: adapter top-1 \(a), baseline \(b)")
        XCTAssertGreaterThanOrEqual(a, 0.75)
        XCTAssertGreaterThanOrEqual(a, b + 0.25)
        XCTAssertNotNil((report["retrieval"] as? [String: Any])?["adapter"])

        // without --adapter only the baseline appears
        let (s3, o3, e3) = try run(binary, ["eval", "--model", model, "--data", work + "/test", "--json"])
        XCTAssertEqual(s3, 0, e3)
        let base = try XCTUnwrap(try json(o3)["recognition"] as? [String: Any])
        XCTAssertEqual(Set(base.keys), ["baseline"])

        // another CLIP (same architecture, different weights file): refused, naming the adapter
        let other = work + "/other-clip"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: model + "/config.json", toPath: other + "/config.json")
        let st = try SafeTensors(path: model + "/model.safetensors")
        var w = SafeTensorsWriter()
        for name in st.tensors.keys.sorted() {
            let t = try st.floats(name)
            w.add(name, shape: t.shape, values: t.array.map { $0 * 1.01 })
        }
        try w.write(to: other + "/model.safetensors")
        let (s4, _, e4) = try run(binary, ["eval", "--model", other, "--adapter", adapter, "--data", work + "/test", "--json"])
        XCTAssertNotEqual(s4, 0)
        XCTAssertTrue(e4.contains("order.safetensors"), e4)
    }
}
