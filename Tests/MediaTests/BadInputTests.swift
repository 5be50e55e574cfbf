import Foundation
@testable import Media
import XCTest

/// Broken and wrong inputs give a typed error (or a warning with the good frames kept), naming the file.
final class BadInputTests: XCTestCase {
    private func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = Corpus.shared.scratch(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    private func openError(_ path: String, limits: MediaLimits = MediaLimits(), file: StaticString = #filePath, line: UInt = #line) -> MediaError? {
        do {
            _ = try VideoFile(path, limits: limits)
            XCTFail("\(path) opened", file: file, line: line)
            return nil
        } catch let error as MediaError {
            XCTAssertEqual(error.path, path, file: file, line: line)
            XCTAssertTrue(error.description.contains(path), error.description, file: file, line: line)
            return error
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line)
            return nil
        }
    }

    func testZeroByteFile() {
        let path = write("empty.mp4", [])
        XCTAssertEqual(openError(path), .empty(path: path))
    }

    func testMissingFileAndDirectory() {
        guard case .missing = openError(Corpus.shared.scratch("no-such-file.mp4")) else { return XCTFail("missing file") }
        guard case .missing = openError(Corpus.shared.dir) else { return XCTFail("directory") }
    }

    func testRandomBytesAndTextAreNotVideos() {
        var rng = SplitMix64(seed: 7)
        let junk = write("junk.mp4", (0..<3000).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        guard case .notAVideo = openError(junk) else { return XCTFail("random bytes") }
        let text = write("notes.txt", Array("just some words, not a video\n".utf8))
        guard case .notAVideo = openError(text) else { return XCTFail("text") }
    }

    func testStillImageIsNotAVideo() throws {
        let png = Corpus.shared.scratch("still.png")
        _ = try Tool.run("ffmpeg", ["-nostdin", "-v", "error", "-y"] + Corpus.source("32x32") + ["-frames:v", "1", png])
        guard case .notAVideo(_, let detail) = openError(png) else { return XCTFail("png") }
        XCTAssertTrue(detail.contains("still image"), detail)
    }

    func testAudioOnlyFileHasNoVideoStream() throws {
        let path = try Corpus.shared.path("audio.m4a")
        guard case .noVideoStream(_, let streams) = openError(path) else { return XCTFail("audio only") }
        XCTAssertTrue(streams.contains("audio (aac)"), streams)
    }

    /// An AVI whose video FourCC is unknown to FFmpeg: it demuxes, but no decoder exists.
    func testUnsupportedCodec() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Corpus.shared.path("mjpeg.avi"))))
        var patched = 0
        for i in 0..<(bytes.count - 4) where bytes[i..<(i + 4)].elementsEqual(Array("MJPG".utf8)) {
            bytes.replaceSubrange(i..<(i + 4), with: Array("QQQQ".utf8))
            patched += 1
        }
        XCTAssertGreaterThan(patched, 0)
        let path = write("unknown-codec.avi", bytes)
        guard case .unsupportedCodec(_, let codec) = openError(path) else { return XCTFail("unknown codec") }
        XCTAssertTrue(codec.contains("QQQQ"), codec)
    }

    /// Y4M headers declaring absurd sizes: refused before anything is decoded.
    func testAbsurdDimensionsAreRefused() {
        func y4m(_ name: String, _ w: Int, _ h: Int) -> String {
            write(name, Array("YUV4MPEG2 W\(w) H\(h) F25:1 Ip A1:1 C420jpeg\nFRAME\n".utf8) + [UInt8](repeating: 128, count: 4096))
        }
        guard case .limitExceeded(_, let what, let value, _) = openError(y4m("big.y4m", 16000, 16000)) else { return XCTFail("16000²") }
        XCTAssertEqual(what, "frame size")
        XCTAssertTrue(value.contains("16000×16000"), value)
        // FFmpeg's own checks refuse these already; still a typed error naming the file.
        XCTAssertNotNil(openError(y4m("huge.y4m", 100_000, 100_000)))
        XCTAssertNotNil(openError(y4m("zero.y4m", 0, 16)))
    }

    /// An mp4 with its index up front, cut at 60%: the frames before the cut arrive, then a warning.
    func testTruncatedFileKeepsWhatDecodedAndWarns() throws {
        for name in ["faststart.mp4", "stream.mkv"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: try Corpus.shared.path(name)))
            let path = write("cut-" + name, [UInt8](data.prefix(data.count * 6 / 10)))
            let video = try VideoFile(path)
            XCTAssertEqual(video.info.duration ?? 0, 3, accuracy: 0.05, name)
            var times: [Double] = []
            let summary = try video.sample(.fps(4)) { times.append($0.time) }
            XCTAssertGreaterThan(times.count, 2, name)
            XCTAssertLessThan(times.count, 12, name)
            guard case .truncated(let p, let until, let duration, _) = summary.warnings.first else {
                return XCTFail("\(name): no truncation warning in \(summary.warnings)")
            }
            XCTAssertEqual(p, path)
            XCTAssertEqual(duration, 3, accuracy: 0.05)
            XCTAssertGreaterThanOrEqual(until, times.last!)
            XCTAssertLessThan(until, 2.5)
            XCTAssertTrue(summary.warnings.first!.description.contains(path))
        }
    }

    /// Bytes overwritten in the middle of a Matroska file: damaged packets are skipped and counted,
    /// frames on both sides of the damage still come out.
    func testCorruptPacketsAreSkippedAndCounted() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Corpus.shared.path("stream.mkv"))))
        var rng = SplitMix64(seed: 11)
        let middle = bytes.count / 2
        for i in middle..<(middle + 3000) { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let path = write("corrupt.mkv", bytes)
        var times: [Double] = []
        let summary = try VideoFile(path).sample(.fps(4)) { times.append($0.time) }
        XCTAssertGreaterThanOrEqual(times.count, 8)
        XCTAssertGreaterThan(times.last!, 2.5, "frames after the damage are decoded")
        XCTAssertTrue(summary.warnings.contains { if case .corruptData = $0 { return true } else { return false } },
                      "\(summary.warnings)")
    }

    func testNoFrameDecodableIsAnError() throws {
        // The header of a valid file, followed by garbage where the frames should be.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Corpus.shared.path("stream.mkv"))))
        var rng = SplitMix64(seed: 3)
        for i in 600..<bytes.count { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let path = write("garbage-body.mkv", bytes)
        do {
            let video = try VideoFile(path)
            try video.sample { _ in XCTFail("a frame out of garbage") }
            XCTFail("no error")
        } catch let error as MediaError {
            XCTAssertEqual(error.path, path)
        }
    }

    func testInvalidPlansAreRefused() throws {
        let video = try VideoFile(try Corpus.shared.path("h264.mp4"))
        XCTAssertThrowsError(try video.sample(.fps(0)) { _ in })
        XCTAssertThrowsError(try video.sample(.count(0)) { _ in })
        XCTAssertThrowsError(try video.sample(.count(3, range: 1...1)) { _ in })
    }
}

/// A small fixed-seed generator for reproducible test data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
