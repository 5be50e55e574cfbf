import Foundation
@testable import Media
import XCTest

/// A few hundred mutated copies of corpus files (fixed seed): every one either samples or fails with
/// a MediaError; none crashes or hangs.
final class FuzzTests: XCTestCase {
    static let seeds = Corpus.available(["h264.mp4", "hevc.mkv", "vp9.webm", "mpeg4.avi", "mjpeg.mov", "offset.ts", "av1.mkv"])

    func testMutatedFilesNeverCrashOrHang() throws {
        var rng = SplitMix64(seed: 2024)
        let originals = try Self.seeds.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Corpus.shared.path($0)))) }
        var opened = 0, sampled = 0, refused = 0
        let limits = MediaLimits(stallTimeout: 5, totalTimeout: 10)
        for i in 0..<300 {
            let source = Int(rng.next() % UInt64(originals.count))
            let bytes = mutate(originals[source], &rng)
            let path = Corpus.shared.scratch("fuzz.\(URL(fileURLWithPath: Self.seeds[source]).pathExtension)")
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                let video = try VideoFile(path, limits: limits)
                opened += 1
                try video.sample(.fps(4), options: SampleOptions(threads: 2)) { frame in
                    XCTAssertEqual(frame.image.pixels.count, frame.image.width * frame.image.height * 3)
                }
                sampled += 1
            } catch let error as MediaError {
                refused += 1
                if case .timedOut = error { XCTFail("case \(i) (\(Self.seeds[source])): \(error)") }
                XCTAssertTrue(error.description.contains(path))
            } catch {
                XCTFail("case \(i): untyped error \(error)")
            }
        }
        XCTAssertEqual(sampled + refused, 300)
        XCTAssertGreaterThanOrEqual(opened, sampled)
        XCTAssertGreaterThan(sampled, 50, "most mutations hit the frame data, not the headers")
        XCTAssertGreaterThan(refused, 10, "some mutations break the headers")
    }

    /// One to three of: flip bytes, overwrite a run with noise, zero a run, duplicate a run, truncate.
    private func mutate(_ original: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = original
        for _ in 0...(rng.next() % 3) {
            let at = Int(rng.next() % UInt64(b.count))
            let run = min(b.count - at, 1 + Int(rng.next() % 64))
            switch rng.next() % 5 {
            case 0: for _ in 0..<8 { let i = Int(rng.next() % UInt64(b.count)); b[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
            case 1: for i in at..<(at + run) { b[i] = UInt8(truncatingIfNeeded: rng.next()) }
            case 2: for i in at..<(at + run) { b[i] = 0 }
            case 3: b.insert(contentsOf: b[at..<(at + run)], at: at)
            default: b.removeSubrange(max(1, at)...)
            }
            if b.isEmpty { b = [0] }
        }
        return b
    }
}
