import Foundation
import XCTest

/// The bundled demo adapter on held-out synthetic clips, as a user would run the demo benchmark:
/// `clipdex synth` makes clips whose six classes differ only in temporal order (what mean pooling
/// cannot tell apart), `clipdex eval` scores the adapter and the baseline on them.
extension EndToEndTests {
    func testDemoAdapterBeatsTheBaselineOnTemporalOrder() throws {
        let demo = Fixtures.root + "/../../Sources/DemoModel/clip-demo"
        let adapter = demo + "/demo-adapter.safetensors"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: adapter), "no bundled demo adapter")
        let data = work + "/order"
        let classes = "grow,shrink,appear,disappear,brighten,darken"
        let (s1, _, e1) = try run(binary, ["synth", "trimmed", "--out", data, "--per-class", "6", "--seed", "77", "--classes", classes])
        XCTAssertEqual(s1, 0, e1)
        let (s2, o2, e2) = try run(binary, ["eval", "--model", "demo", "--adapter", adapter, "--data", data,
                                            "--template", "a {label}", "--json"])
        XCTAssertEqual(s2, 0, e2)
        let r = try json(o2)
        XCTAssertEqual(r["clips"] as? Int, 36)
        XCTAssertEqual(r["classes"] as? Int, 6)
        let rec = try XCTUnwrap(r["recognition"] as? [String: [String: Double]])
        let adapted = try XCTUnwrap(rec["adapter"]?["top1"]), baseline = try XCTUnwrap(rec["baseline"]?["top1"])
        // chance is 1/6; mean pooling cannot see order, the temporal module can
        XCTAssertGreaterThanOrEqual(adapted, 0.75, "adapter top-1 (measured 0.92)")
        XCTAssertLessThanOrEqual(baseline, 0.4, "baseline top-1 (measured 0.14)")
        XCTAssertGreaterThanOrEqual(adapted - baseline, 0.3)
    }
}
