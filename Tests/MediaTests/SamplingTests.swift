@testable import Media
import XCTest

/// Which frames the sampler takes and the times it gives them, against ffprobe's list of every frame.
final class SamplingTests: XCTestCase {
    static let everyFormat = Corpus.available(["h264.mp4", "hevc.mkv", "vp9.webm", "av1.mkv", "mpeg4.avi", "mjpeg.mov",
                                               "odd444.mkv", "odd.webm", "offset.ts", "vfr.mkv", "editlist.mp4", "rot90.mp4",
                                               "withaudio.mp4"])

    /// Samples `name` with `plan` and checks the times against the nearest frames ffprobe lists.
    private func checkNearestFrames(_ name: String, plan: SamplingPlan, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try Corpus.shared.path(name)
        let video = try VideoFile(path)
        var got: [Double] = []
        let summary = try video.sample(plan, options: SampleOptions(threads: 2)) { got.append($0.time) }
        let frames = try Tool.frames(path).map(\.time)
        let targets = TargetTimes.plan(plan, duration: video.info.duration)!
        let wanted = (0..<targets.count!).map(targets.time)
        let want = expectedPicks(frames: frames, targets: wanted, step: targets.step)
        XCTAssertEqual(got.count, want.count, "\(name) \(plan): \(got) vs \(want)", file: file, line: line)
        for (g, w) in zip(got, want) { XCTAssertEqual(g, w, accuracy: 1e-5, "\(name) \(plan)", file: file, line: line) }
        XCTAssertEqual(summary.frames, got.count, file: file, line: line)
        XCTAssertTrue(summary.warnings.isEmpty, "\(name): \(summary.warnings)", file: file, line: line)
    }

    func testFpsSamplingTakesTheNearestFrameInEveryFormat() throws {
        for name in Self.everyFormat { try checkNearestFrames(name, plan: .fps(3)) }
    }

    func testDefaultRateIsOneFramePerSecondFromZero() throws {
        let path = try Corpus.shared.path("h264.mp4")
        var times: [Double] = []
        try VideoFile(path).sample { times.append($0.time) }
        XCTAssertEqual(times, [0, 1, 2])
    }

    func testRateAboveTheFrameRateGivesEachFrameOnce() throws {
        try checkNearestFrames("vfr.mkv", plan: .fps(50))
        let path = try Corpus.shared.path("mjpeg.avi")
        var times: [Double] = []
        try VideoFile(path).sample(.fps(100)) { times.append($0.time) }
        XCTAssertEqual(times, try Tool.frames(path).map(\.time))
    }

    func testCountSpreadsFramesOverTheFileOrARange() throws {
        try checkNearestFrames("h264.mp4", plan: .count(5))
        try checkNearestFrames("hevc.mkv", plan: .count(4, range: 0.5...1.5))
        try checkNearestFrames("offset.ts", plan: .count(3))
    }

    func testKeyframesPlanReturnsExactlyTheKeyframes() throws {
        for name in ["h264.mp4", "vp9.webm", "offset.ts"] {
            let path = try Corpus.shared.path(name)
            var got: [(Double, Bool)] = []
            let summary = try VideoFile(path).sample(.keyframes, options: SampleOptions(threads: 2)) { got.append(($0.time, $0.isKeyframe)) }
            let want = try Tool.frames(path).filter(\.key).map(\.time)
            XCTAssertGreaterThan(want.count, 1, name)
            XCTAssertEqual(got.count, want.count, name)
            for (g, w) in zip(got, want) { XCTAssertEqual(g.0, w, accuracy: 1e-6, name) }
            XCTAssertTrue(got.allSatisfy(\.1), name)
            XCTAssertEqual(summary.decodedFrames, want.count, "\(name): only keyframes are decoded")
        }
    }

    func testStreamStartTimeIsSubtracted() throws {
        let path = try Corpus.shared.path("offset.ts")
        let video = try VideoFile(path)
        let ffprobeStart = Double(try Tool.stream(path)["start_time"] as! String)!
        XCTAssertGreaterThan(ffprobeStart, 1, "MPEG-TS starts its clock away from zero")
        XCTAssertEqual(video.info.startTime, ffprobeStart, accuracy: 1e-6)
        var first: Double?
        try video.sample(.fps(1)) { frame in if first == nil { first = frame.time } }
        XCTAssertEqual(first, 0)
    }

    func testEditListHidesTheLeadIn() throws {
        let path = try Corpus.shared.path("editlist.mp4")
        var times: [Double] = []
        try VideoFile(path).sample(.fps(25)) { times.append($0.time) }
        XCTAssertEqual(times.first, 0)
        XCTAssertEqual(times.count, try Tool.frames(path).count)
    }

    func testSparseSamplingSkipsNonReferenceFrames() throws {
        let path = try Corpus.shared.path("h264.mp4")
        let summary = try VideoFile(path).sample(.fps(1)) { _ in }
        let all = try Tool.frames(path).count
        XCTAssertGreaterThan(summary.decodedFrames, 0)
        XCTAssertLessThan(summary.decodedFrames, all, "B-frames nothing references, far from the targets, are not decoded")
    }

    func testSamplesFartherApartThanAGOPSeekAndStillPickTheNearestFrame() throws {
        try checkNearestFrames("h264_gop10.mp4", plan: .fps(0.5))
        let summary = try VideoFile(try Corpus.shared.path("h264_gop10.mp4")).sample(.fps(0.5)) { _ in }
        XCTAssertGreaterThan(summary.seeks, 0)
        XCTAssertLessThan(summary.decodedFrames, 50, "4 s at 25 fps: seeking skips most of the 100 frames")
    }

    func testSecondRunOnTheSameFileGivesTheSameFrames() throws {
        let video = try VideoFile(try Corpus.shared.path("vp9.webm"))
        var first: [Double] = [], second: [Double] = []
        try video.sample(.fps(2)) { first.append($0.time) }
        try video.sample(.fps(2)) { second.append($0.time) }
        XCTAssertEqual(first.count, 4)
        XCTAssertEqual(first, second)
    }

    func testPullAPIMatchesTheClosureAPI() throws {
        let video = try VideoFile(try Corpus.shared.path("hevc.mkv"))
        let sampler = try video.frames(.fps(2))
        var pulled: [Double] = []
        while let frame = try sampler.next() { pulled.append(frame.time) }
        XCTAssertNil(try sampler.next())
        var pushed: [Double] = []
        try video.sample(.fps(2)) { pushed.append($0.time) }
        XCTAssertEqual(pulled, pushed)
        XCTAssertEqual(sampler.summary.frames, pulled.count)
    }
}
