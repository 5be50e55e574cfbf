import Foundation
@testable import Media
import XCTest

/// The background sampler hands out exactly what the direct sampler does, and passes errors and
/// cancellation through.
final class PrefetcherTests: XCTestCase {
    func testSameFramesAsTheDirectSampler() throws {
        let path = try Corpus.shared.path("vp9.webm")
        var direct: [VideoFrame] = []
        let summary = try VideoFile(path).sample(.fps(4)) { direct.append($0) }
        let prefetcher = FramePrefetcher(path: path, plan: .fps(4), capacity: 1)
        XCTAssertEqual(try prefetcher.info().codec, "vp9")
        var fetched: [VideoFrame] = []
        while let frame = try prefetcher.next() { fetched.append(frame) }
        XCTAssertEqual(fetched.map(\.time), direct.map(\.time))
        XCTAssertEqual(fetched.map(\.image.pixels), direct.map(\.image.pixels))
        XCTAssertEqual(prefetcher.summary?.frames, summary.frames)
        XCTAssertNil(try prefetcher.next())
    }

    func testOpenErrorsComeOutOfInfoAndNext() {
        let path = Corpus.shared.scratch("missing-for-prefetch.mp4")
        let prefetcher = FramePrefetcher(path: path)
        XCTAssertThrowsError(try prefetcher.info()) { XCTAssertEqual(($0 as? MediaError)?.path, path) }
        XCTAssertThrowsError(try prefetcher.next()) { XCTAssertEqual(($0 as? MediaError)?.path, path) }
        XCTAssertNil(prefetcher.summary)
    }

    func testCancelStopsTheWorker() throws {
        let path = try Corpus.shared.path("h264.mp4")
        let prefetcher = FramePrefetcher(path: path, plan: .fps(25), capacity: 1)
        XCTAssertNotNil(try prefetcher.next())
        prefetcher.cancel()
        var error: Error?
        var more = 0
        do { while try prefetcher.next() != nil { more += 1 } } catch let e { error = e }
        XCTAssertEqual(error as? MediaError, .cancelled(path: path))
        XCTAssertLessThanOrEqual(more, 1, "at most the frame already buffered")
    }

    func testWarningsArriveInTheSummary() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try Corpus.shared.path("stream.mkv")))
        let path = Corpus.shared.scratch("cut-for-prefetch.mkv")
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: data.prefix(data.count / 2)))
        let prefetcher = FramePrefetcher(path: path, plan: .fps(2))
        var frames = 0
        while try prefetcher.next() != nil { frames += 1 }
        XCTAssertGreaterThan(frames, 0)
        XCTAssertTrue(prefetcher.summary?.warnings.contains { if case .truncated = $0 { return true } else { return false } } ?? false)
    }
}
