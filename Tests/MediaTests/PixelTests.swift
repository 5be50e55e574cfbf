import Imaging
@testable import Media
import XCTest

/// Frame content against what the ffmpeg CLI extracts at the same times (RGB24, auto-rotated, colour
/// matrix and range from the stream), and the reduced-size conversion against full-size preprocessing.
final class PixelTests: XCTestCase {
    /// Samples `name` at 2 fps and compares every frame with the ffmpeg CLI's frame at that time.
    private func compareWithFFmpeg(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try Corpus.shared.path(name)
        let video = try VideoFile(path)
        let reference = try Tool.allFrames(path, width: video.info.displayWidth, height: video.info.displayHeight)
        var compared = 0
        try video.sample(.fps(2), options: SampleOptions(threads: 2)) { frame in
            guard let want = reference.first(where: { abs($0.time - frame.time) < 1e-5 }) else {
                return XCTFail("\(name): no ffmpeg frame at \(frame.time) s", file: file, line: line)
            }
            XCTAssertEqual(frame.image.width, want.image.width, name, file: file, line: line)
            XCTAssertEqual(frame.image.height, want.image.height, name, file: file, line: line)
            let d = pixelDifference(frame.image, want.image)
            XCTAssertEqual(d.max, 0, "\(name) at \(frame.time) s: mean \(d.mean)", file: file, line: line)
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 2, name, file: file, line: line)
    }

    func testEveryCodecMatchesTheFFmpegCLI() throws {
        for name in Corpus.available(["h264.mp4", "hevc.mkv", "vp9.webm", "av1.mkv", "mpeg4.avi", "mjpeg.mov", "odd444.mkv",
                                      "odd.webm", "offset.ts", "vfr.mkv", "editlist.mp4"]) {
            try compareWithFFmpeg(name)
        }
    }

    func testDisplayRotationMatchesTheFFmpegCLI() throws {
        for (name, degrees) in [("rot90.mp4", 90), ("rot180.mp4", 180), ("rot270.mp4", 270)] {
            let video = try VideoFile(try Corpus.shared.path(name))
            XCTAssertEqual(video.info.rotation, degrees, name)
            XCTAssertEqual(video.info.displayWidth, degrees == 180 ? 160 : 120, name)
            try compareWithFFmpeg(name)
        }
    }

    func testDeclaredColourMatrixAndRangeAreHonoured() throws {
        let bt709 = try VideoFile(try Corpus.shared.path("bt709.mp4"))
        XCTAssertEqual(bt709.info.colorSpace, "bt709")
        XCTAssertEqual(bt709.info.colorRange, "tv")
        try compareWithFFmpeg("bt709.mp4")
        let full = try VideoFile(try Corpus.shared.path("fullrange.mp4"))
        XCTAssertEqual(full.info.colorRange, "pc")
        try compareWithFFmpeg("fullrange.mp4")
        try compareWithFFmpeg("mjpeg.mov")    // yuvj422p: JPEG's full range
    }

    /// Three encodings (BT.601 limited, BT.709 limited, BT.601 full range; lossless apart from 4:2:0)
    /// of one RGB picture must all decode back to it: reading one with another's matrix or range
    /// shifts saturated colours by 10–30 levels.
    func testEachColourEncodingDecodesBackToTheSourceRGB() throws {
        let source = try Tool.sourceFrame("128x96")
        for name in ["bt601.mp4", "bt709.mp4", "fullrange.mp4"] {
            var first: RGBImage?
            try VideoFile(try Corpus.shared.path(name)).sample(.count(1, range: 0...0.02)) { first = $0.image }
            let d = pixelDifference(try XCTUnwrap(first, name), source)
            XCTAssertLessThan(d.mean, 2.5, "\(name): mean RGB difference from the source picture")
        }
    }

    /// The reduced conversion (previews) stays close to Pillow's bicubic resize of the full frame to the
    /// same size: the output a caller would otherwise compute, within a couple of levels on average.
    func testReducedConversionIsCloseToPillowOnTheFullFrame() throws {
        let path = try Corpus.shared.path("hd.mp4")
        var full: [RGBImage] = [], reduced: [RGBImage] = []
        let video = try VideoFile(path)
        try video.sample(.count(2)) { full.append($0.image) }
        try video.sample(.count(2), options: SampleOptions(scale: .reduced(minShorterSide: 180))) { reduced.append($0.image) }
        XCTAssertEqual(reduced.map(\.width), [320, 320])
        XCTAssertEqual(reduced.map(\.height), [180, 180])
        for (f, r) in zip(full, reduced) {
            let d = pixelDifference(resizeBicubic(f, width: 320, height: 180), r)
            XCTAssertLessThan(d.mean, 2.0)
        }
        var small: RGBImage?
        try VideoFile(try Corpus.shared.path("h264.mp4")).sample(.count(1), options: SampleOptions(scale: .reduced(minShorterSide: 448))) { small = $0.image }
        XCTAssertEqual(small.map { [$0.width, $0.height] }, [160, 120], "never enlarged")
    }
}
