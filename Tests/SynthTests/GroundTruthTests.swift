import Foundation
import Media
import XCTest
@testable import Synth

/// Decodes generated clips and checks the pixels against the scene's ground truth.
final class GroundTruthTests: XCTestCase {
    let format = VideoFormat(width: 128, height: 96, fps: 6)
    var dir = ""

    override func setUp() { dir = makeTempDir() }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes a noise-free clip of `action` and returns (scene, first frame blob, last frame blob)
    /// for the colours of the main shape at the start and end.
    func clip(_ action: SynthAction, index: Int) throws -> (Scene, first: ColourBlob, last: ColourBlob, lastOfStart: ColourBlob) {
        let w = try DatasetWriter(directory: dir, format: format, seed: 3)
        var v = w.trimmedScenes([action], perClass: index + 1, seconds: 3)[index]
        v.scene = v.scene.quiet
        try w.write([v], groundTruth: false)
        let frames = try decodeFrames(dir + "/" + v.relativePath)
        XCTAssertEqual(frames.count, v.scene.frameCount)
        let track = v.scene.tracks[0]
        let start = track.initial.colour, end = track.final.colour
        return (v.scene, ColourBlob(frames.first!.image, colour: start), ColourBlob(frames.last!.image, colour: end),
                ColourBlob(frames.last!.image, colour: start))
    }

    func testGrowAndShrinkChangeTheArea() throws {
        for i in 0..<3 {
            let g = try clip(.grow, index: i)
            XCTAssertGreaterThan(Double(g.last.count), 2 * Double(g.first.count), "grow \(i): \(g.0.caption)")
            let s = try clip(.shrink, index: i)
            XCTAssertLessThan(2 * Double(s.last.count), Double(s.first.count), "shrink \(i): \(s.0.caption)")
        }
    }

    func testMovesGoTheirWay() throws {
        let side = Double(min(format.width, format.height))
        for i in 0..<2 {
            let l = try clip(.moveLeft, index: i), r = try clip(.moveRight, index: i)
            let u = try clip(.moveUp, index: i), d = try clip(.moveDown, index: i)
            XCTAssertLessThan(l.last.cx, l.first.cx - 0.25 * side, l.0.caption)
            XCTAssertGreaterThan(r.last.cx, r.first.cx + 0.25 * side, r.0.caption)
            XCTAssertLessThan(u.last.cy, u.first.cy - 0.25 * side, u.0.caption)
            XCTAssertGreaterThan(d.last.cy, d.first.cy + 0.25 * side, d.0.caption)
            for m in [l, r, u, d] { XCTAssertEqual(Double(m.last.count), Double(m.first.count), accuracy: 0.25 * Double(m.first.count)) }
        }
    }

    func testAppearDisappearAndColourChange() throws {
        for i in 0..<2 {
            let a = try clip(.appear, index: i)
            XCTAssertLessThan(a.first.count, 5, a.0.caption)
            XCTAssertGreaterThan(a.last.count, 100, a.0.caption)
            let d = try clip(.disappear, index: i)
            XCTAssertGreaterThan(d.first.count, 100, d.0.caption)
            XCTAssertLessThan(d.last.count, 5, d.0.caption)
            for action in [SynthAction.brighten, .darken] {
                let c = try clip(action, index: i)
                let track = c.0.tracks[0]
                XCTAssertGreaterThan(c.first.count, 100, c.0.caption)
                XCTAssertGreaterThan(c.last.count, 100, c.0.caption)
                XCTAssertLessThan(c.lastOfStart.count, c.last.count / 10, c.0.caption)
                XCTAssertEqual(track.final.colour.luma > track.initial.colour.luma + 60, action == .brighten, c.0.caption)
            }
        }
    }

    func testStillShapeMatchesItsDescribedPlace() throws {
        let side = Double(min(format.width, format.height)), left = Double(format.width - format.height) / 2
        for i in 0..<3 {
            let c = try clip(.stayStill, index: i)
            let s = c.0.tracks[0].initial
            XCTAssertEqual(c.first.cx, left + s.cx * side - 0.5, accuracy: 0.08 * s.extent * side + 1, c.0.caption)
            XCTAssertEqual(c.first.cy, s.cy * side - 0.5, accuracy: 0.16 * s.extent * side + 1, c.0.caption)
            XCTAssertEqual(c.first.cx, c.last.cx, accuracy: 0.5)
            XCTAssertEqual(Double(c.first.count), Double(c.last.count), accuracy: 0.05 * Double(c.first.count) + 3)
        }
    }

    func testUntrimmedSegmentsLieInsideTheVideoAndDoNotOverlap() throws {
        let w = try DatasetWriter(directory: dir, format: VideoFormat(width: 64, height: 48, fps: 4), seed: 11)
        let videos = w.untrimmedScenes(count: 4)
        try w.write(videos, groundTruth: true)
        let rows = try String(contentsOfFile: dir + "/ground_truth.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(rows.count, videos.map(\.scene.segments.count).reduce(0, +))
        var byVideo: [String: [(Double, Double, String)]] = [:]
        for row in rows {
            let f = row.split(separator: ",").map(String.init)
            XCTAssertEqual(f.count, 4)
            byVideo[f[0], default: []].append((Double(f[1])!, Double(f[2])!, f[3]))
        }
        for v in videos {
            let segs = try XCTUnwrap(byVideo[v.relativePath])
            XCTAssertGreaterThanOrEqual(segs.count, 2)
            let duration = try VideoFile(dir + "/" + v.relativePath).info.duration ?? 0
            for (k, s) in segs.enumerated() {
                XCTAssertNotNil(SynthAction(label: s.2), s.2)
                XCTAssertNotEqual(s.2, "stay still")
                XCTAssertGreaterThan(s.0, 0.5)
                XCTAssertGreaterThan(s.1, s.0 + 1.5)
                XCTAssertLessThanOrEqual(s.1, duration)
                if k > 0 { XCTAssertGreaterThanOrEqual(s.0, segs[k - 1].1 + 0.9, "idle stretch between segments") }
            }
        }
    }
}
