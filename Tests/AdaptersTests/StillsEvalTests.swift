import Foundation
import XCTest

/// `clipdex eval --stills`: the demo CLIP's zero-shot colour, shape and position accuracy on
/// labelled pictures, here frames of `clipdex synth` clips whose single shape stays still.
extension EndToEndTests {
    func testEvalStillsScoresTheDemoModelOnLabelledFrames() throws {
        let data = work + "/still"
        let (s1, _, e1) = try run(binary, ["synth", "trimmed", "--out", data, "--per-class", "24", "--seed", "5", "--classes", "stay_still"])
        XCTAssertEqual(s1, 0, e1)
        // objects.csv: video,object,shape,colour,extent,cx,cy — keep clips with one shape only
        let rows = try String(contentsOfFile: data + "/objects.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").map(String.init) }
        let single = Dictionary(grouping: rows, by: { $0[0] }).filter { $0.value.count == 1 }.map(\.value[0]).sorted { $0[0] < $1[0] }
        XCTAssertGreaterThanOrEqual(single.count, 6)
        var csv = "image,colour,shape,cell\n"
        for (i, r) in single.enumerated() {
            let out = work + "/frames\(i)"
            let (s, _, e) = try run(binary, ["frames", data + "/" + r[0], "--count", "1", "--out", out])
            XCTAssertEqual(s, 0, e)
            let png = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix(".png") })
            let cx = Double(r[5])!, cy = Double(r[6])!
            csv += "\(out)/\(png),\(r[3]),\(r[2]),\(3 * min(2, Int(cy * 3)) + min(2, Int(cx * 3)))\n"
        }
        try csv.write(toFile: work + "/stills.csv", atomically: true, encoding: .utf8)
        let (s2, o2, e2) = try run(binary, ["eval", "--model", "demo", "--stills", work + "/stills.csv", "--json"])
        XCTAssertEqual(s2, 0, e2)
        let r = try XCTUnwrap(try json(o2)["stills"] as? [String: Any])
        print("clipdex eval --stills on \(single.count) synth frames: \(o2)")
        XCTAssertEqual(r["images"] as? Int, single.count)
        let colour = try XCTUnwrap(r["colour"] as? Double), shape = try XCTUnwrap(r["shape"] as? Double)
        let both = try XCTUnwrap(r["both"] as? Double), position = try XCTUnwrap(r["position"] as? Double)
        XCTAssertLessThanOrEqual(both, min(colour, shape) + 1e-9)
        XCTAssertGreaterThanOrEqual(colour, 0.9, o2)
        XCTAssertGreaterThanOrEqual(shape, 0.6, o2)
        XCTAssertGreaterThanOrEqual(position, 0.6, o2)
    }
}
