import Foundation
import Index
import XCTest

/// `clipdex demo` end to end: generation, the real clipdexd with the demo model, searches, sheets.
final class DemoCommandTests: XCTestCase {
    func testDemoIndexesItsVideosAndSearchesThem() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let start = Date()
        let run = try runProgram(productsDir + "/clipdex", ["demo", "--dir", dir.path, "--videos", "2", "--timeout", "50"])
        XCTAssertEqual(run.code, 0, run.err + run.out)
        XCTAssertLessThan(Date().timeIntervalSince(start), 60)
        let store = try IndexStore(path: dir.file("index.sqlite"), create: false)
        let s = try store.summary()
        XCTAssertEqual(s.indexed, 2, run.out)
        XCTAssertEqual(s.failed, 0)
        XCTAssertGreaterThan(s.segments, 2)
        for name in ["video_0000", "video_0001"] {
            XCTAssertEqual(try store.video(path: dir.file("videos/\(name).mp4"))?.status, .indexed)
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("thumbs/\(name).png")))
        }
        let log = (try? String(contentsOfFile: dir.file("clipdexd.log"), encoding: .utf8)) ?? ""
        XCTAssertTrue(run.out.contains("clipdexd stopped with SIGTERM (exit 0)"), run.out + "\nclipdexd.log:\n" + log)
        XCTAssertTrue(run.out.contains("bundled DEMO model"), run.out)
        // the same videos through the demo adapter: indexed, every segment stamped and tagged with actions
        let actions = try IndexStore(path: dir.file("actions.sqlite"), create: false)
        XCTAssertEqual(try actions.summary().indexed, 2, run.out)
        let usage = try actions.vocabularyUsage()
        XCTAssertEqual(usage.count, 14)
        XCTAssertGreaterThanOrEqual(usage.map(\.segments).reduce(0, +), try actions.summary().segments, "each segment has a tag")
        // every query names a shape that is in the videos; most top hits must show it
        let tally = try XCTUnwrap(run.out.split(separator: "\n").first { $0.hasPrefix("4. ") })
        let right = Int(tally.split(separator: " ")[1]) ?? 0, total = Int(tally.split(separator: " ")[3]) ?? 0
        XCTAssertGreaterThanOrEqual(total, 6, run.out)
        XCTAssertGreaterThanOrEqual(Double(right) / Double(total), 0.6, run.out)
        let gt = try String(contentsOfFile: dir.file("videos/ground_truth.csv"), encoding: .utf8)
        XCTAssertTrue(gt.hasPrefix("video,start,end,label\nvideo_0000.mp4,"))
    }
}
