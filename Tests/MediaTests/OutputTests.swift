import Foundation
import Imaging
@testable import Media
import XCTest

/// PNG writing (read back by the ffmpeg CLI), rotation, and the description of every corpus file.
final class OutputTests: XCTestCase {
    private func testImage(width: Int, height: Int) -> RGBImage {
        var rng = SplitMix64(seed: UInt64(width * 1000 + height))
        return RGBImage(width: width, height: height, pixels: (0..<(width * height * 3)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    func testPNGRoundTripsExactlyThroughTheFFmpegCLI() throws {
        let writer = PNGWriter()
        for (w, h) in [(67, 45), (1, 1), (64, 48), (67, 45)] {
            let image = testImage(width: w, height: h)
            let path = Corpus.shared.scratch("roundtrip-\(w)x\(h).png")
            try writer.write(image, to: path)
            let back = try Tool.run("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
            XCTAssertEqual([UInt8](back), image.pixels, "\(w)×\(h)")
            let probe = try Tool.stream(path)
            XCTAssertEqual(probe["codec_name"] as? String, "png")
            XCTAssertEqual(probe["pix_fmt"] as? String, "rgb24")
        }
    }

    func testPNGWriteToAMissingFolderNamesThePath() {
        let path = Corpus.shared.scratch("no/such/folder/x.png")
        XCTAssertThrowsError(try PNGWriter().write(testImage(width: 2, height: 2), to: path)) { error in
            XCTAssertTrue("\(error)".contains(path))
        }
    }

    func testRotationIsAPermutationThatComposes() {
        let image = RGBImage(width: 3, height: 2, pixels: (0..<18).map(UInt8.init))
        let r90 = image.rotatedClockwise(90)
        XCTAssertEqual([r90.width, r90.height], [2, 3])
        // Top row of the turned image is the left column of the original, read bottom-up.
        XCTAssertEqual(Array(r90.pixels[0..<6]), [9, 10, 11, 0, 1, 2])
        XCTAssertEqual(r90.rotatedClockwise(270).pixels, image.pixels)
        XCTAssertEqual(image.rotatedClockwise(180).rotatedClockwise(180).pixels, image.pixels)
        XCTAssertEqual(image.rotatedClockwise(90).rotatedClockwise(90).pixels, image.rotatedClockwise(180).pixels)
        XCTAssertEqual(image.rotatedClockwise(0).pixels, image.pixels)
    }

    func testDescriptionMatchesFFprobe() throws {
        let codecs = ["h264.mp4": "h264", "hevc.mkv": "hevc", "vp9.webm": "vp9", "av1.mkv": "av1", "mpeg4.avi": "mpeg4",
                      "mjpeg.mov": "mjpeg", "odd444.mkv": "h264", "odd.webm": "vp9", "offset.ts": "h264", "vfr.mkv": "h264"]
        for (name, codec) in codecs where !Corpus.available([name]).isEmpty {
            let path = try Corpus.shared.path(name)
            let info = try VideoFile(path).info
            let want = try Tool.stream(path)
            XCTAssertEqual(info.codec, codec, name)
            XCTAssertEqual(info.width, want["width"] as? Int, name)
            XCTAssertEqual(info.height, want["height"] as? Int, name)
            XCTAssertEqual(info.pixelFormat, want["pix_fmt"] as? String, name)
            let duration = Double(want["duration"] as? String ?? want["format_duration"] as! String)!
            XCTAssertEqual(info.duration ?? 0, duration, accuracy: 0.05, name)
            XCTAssertEqual(info.rotation, 0, name)
            XCTAssertEqual(info.videoStreams, 1, name)
            let rate = (want["avg_frame_rate"] as! String).split(separator: "/").map { Double($0)! }
            if rate[1] > 0 && rate[0] > 0 { XCTAssertEqual(info.frameRate ?? 0, rate[0] / rate[1], accuracy: 0.01, name) }
        }
        let mixed = try VideoFile(try Corpus.shared.path("withaudio.mp4")).info
        XCTAssertEqual(mixed.streamIndex, 1)
        XCTAssertEqual(mixed.codec, "h264")
        let h264 = try VideoFile(try Corpus.shared.path("h264.mp4")).info
        XCTAssertEqual(h264.frameRate, 25)
        XCTAssertEqual(h264.frameCount, 75)
        XCTAssertEqual(h264.duration, 3)
        XCTAssertEqual(h264.jsonObject["codec"] as? String, "h264")
        XCTAssertEqual(h264.jsonObject["duration"] as? Double, 3)
    }
}
