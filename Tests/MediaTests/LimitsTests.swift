import Foundation
@testable import Media
import XCTest

/// Configurable limits refuse files with a clear error; the watchdog stops stalls and honours cancel().
final class LimitsTests: XCTestCase {
    private func limitError(_ limits: MediaLimits, file: StaticString = #filePath, line: UInt = #line) throws -> (what: String, message: String)? {
        let path = try Corpus.shared.path("h264.mp4")
        do {
            _ = try VideoFile(path, limits: limits)
            XCTFail("opened despite \(limits)", file: file, line: line)
        } catch let error as MediaError {
            guard case .limitExceeded(let p, let what, _, _) = error else { XCTFail("\(error)", file: file, line: line); return nil }
            XCTAssertEqual(p, path, file: file, line: line)
            return (what, error.description)
        }
        return nil
    }

    func testPixelDurationAndFileSizeLimits() throws {
        XCTAssertEqual(try limitError(MediaLimits(maxPixels: 160 * 120 - 1))?.what, "frame size")
        XCTAssertEqual(try limitError(MediaLimits(maxDimension: 159))?.what, "frame size")
        XCTAssertEqual(try limitError(MediaLimits(maxDuration: 2.5))?.what, "duration")
        let size = try limitError(MediaLimits(maxFileSize: 1000))
        XCTAssertEqual(size?.what, "file size")
        XCTAssertTrue(size?.message.contains("limit of 1000 bytes") ?? false, size?.message ?? "")
        XCTAssertNoThrow(try VideoFile(try Corpus.shared.path("h264.mp4"), limits: MediaLimits(maxPixels: 160 * 120, maxDuration: 3)))
    }

    func testDefaultLimitsAdmit8KAndRefuseMore() {
        let limits = MediaLimits()
        XCTAssertLessThanOrEqual(7680 * 4320, limits.maxPixels)
        XCTAssertLessThanOrEqual(7680, limits.maxDimension)
        XCTAssertGreaterThan(16_384 * 16_384, limits.maxPixels)
    }

    func testStallTimeoutStopsTheOpen() throws {
        let path = try Corpus.shared.path("h264.mp4")
        XCTAssertThrowsError(try VideoFile(path, limits: MediaLimits(stallTimeout: 0))) { error in
            XCTAssertEqual(error as? MediaError, .timedOut(path: path, seconds: 0))
        }
    }

    func testTotalTimeoutStopsSampling() throws {
        let path = try Corpus.shared.path("h264.mp4")
        let video = try VideoFile(path, limits: MediaLimits(totalTimeout: 0.3))
        var frames = 0
        XCTAssertThrowsError(try video.sample(.fps(25)) { _ in frames += 1; usleep(100_000) }) { error in
            XCTAssertEqual(error as? MediaError, .timedOut(path: path, seconds: 0.3))
        }
        XCTAssertGreaterThan(frames, 0)
        XCTAssertLessThan(frames, 75)
    }

    func testSlowConsumerIsNotAStall() throws {
        let video = try VideoFile(try Corpus.shared.path("h264.mp4"), limits: MediaLimits(stallTimeout: 0.15))
        var frames = 0
        try video.sample(.fps(1)) { _ in frames += 1; usleep(200_000) }
        XCTAssertEqual(frames, 3)
    }

    func testCancelFromAnotherThread() throws {
        let path = try Corpus.shared.path("h264.mp4")
        let video = try VideoFile(path)
        let cancel = UnsafeSendable(video)
        var frames = 0
        XCTAssertThrowsError(try video.sample(.fps(25)) { _ in
            frames += 1
            if frames == 3 { Thread.detachNewThread { cancel.value.cancel() }; usleep(50_000) }
        }) { error in
            XCTAssertEqual(error as? MediaError, .cancelled(path: path))
        }
        XCTAssertLessThan(frames, 75)
    }
}

/// Hands a non-Sendable reference to another thread in a test where the access is known to be safe
/// (`VideoFile.cancel()` is thread-safe).
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
