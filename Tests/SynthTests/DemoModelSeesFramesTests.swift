import CLIP
import DemoModel
import Foundation
import Imaging
import Media
import XCTest
@testable import Synth

/// Does the bundled demo CLIP recognise the generator's frames? Zero-shot over WORLD.md's check:
/// the 36 captions "a {colour} {shape}" and, with colour and shape given, the 9 positions.
final class DemoModelSeesFramesTests: XCTestCase {
    static let colours: [ShapeColour] = [.red, .green, .blue, .yellow, .white, .black]
    static let shapes: [ShapeKind] = [.circle, .square, .triangle, .star, .ring, .cross]
    let format = VideoFormat(width: 224, height: 224, fps: 1)

    /// 3 stills of each of the 36 colour × shape pairs (extent 0.25–0.5, anywhere).
    func stills() -> [Scene] {
        var rng = SynthRNG(seed: 99)
        return Self.colours.flatMap { c in Self.shapes.flatMap { s in (0..<3).map { _ in
            let extent = rng.uniform(0.25, 0.5), m = 0.425 * extent + 0.02
            return SceneBuilder.still(s, c, extent: extent, cx: rng.uniform(m, 1 - m), cy: rng.uniform(m, 1 - m), format: format, seed: rng.next())
        } } }
    }

    func testDemoModelNamesColourShapeAndPlaceOfRenderedStills() throws {
        let scenes = stills()
        let scores = try classify(scenes, images: scenes.map { RGBImage(width: format.width, height: format.height, pixels: $0.render(at: 0)) })
        print(String(format: "demo CLIP on %d rendered stills: colour %.3f, shape %.3f, both %.3f, position (9-way) %.3f",
                     scenes.count, scores.colour, scores.shape, scores.both, scores.place))
        XCTAssertGreaterThanOrEqual(scores.colour, 0.9)    // measured 1.0; the issue asks 0.8
        XCTAssertGreaterThanOrEqual(scores.shape, 0.75)   // measured 0.917; the issue asks 0.6
        XCTAssertGreaterThanOrEqual(scores.place, 0.8)     // measured 0.935
    }

    /// The same stills through the H.264 writer and the Media decoder, as the indexer sees them.
    func testDemoModelNamesDecodedVideoFrames() throws {
        let scenes = stills(), path = makeTempDir() + "/stills.mp4"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let writer = try VideoWriter(path: path, format: format)
        for s in scenes { try writer.write(s.render(at: 0)) }
        try writer.finish()
        let frames = try decodeFrames(path)
        XCTAssertEqual(frames.count, scenes.count)
        let scores = try classify(scenes, images: frames.map(\.image))
        print(String(format: "demo CLIP on %d decoded H.264 frames: colour %.3f, shape %.3f, both %.3f, position (9-way) %.3f",
                     scenes.count, scores.colour, scores.shape, scores.both, scores.place))
        XCTAssertGreaterThanOrEqual(scores.colour, 0.9)    // measured 1.0; the issue asks 0.8
        XCTAssertGreaterThanOrEqual(scores.shape, 0.75)   // measured 0.917; the issue asks 0.6
        XCTAssertGreaterThanOrEqual(scores.place, 0.8)     // measured 0.935
    }

    /// Accuracy of the argmax caption: colour, shape, both, and the 9-way position given both.
    func classify(_ scenes: [Scene], images: [RGBImage]) throws -> (colour: Double, shape: Double, both: Double, place: Double) {
        let model = try CLIPModel(directory: try XCTUnwrap(DemoModel.directory, "the demo model is bundled"))
        let tokenizer = try Tokenizer.bundled()
        let pairs = Self.colours.flatMap { c in Self.shapes.map { (c, $0) } }
        let texts = model.encodeTexts(tokens: pairs.map { tokenizer.encode("a \($0.0.rawValue) \($0.1.rawValue)") }).map(unit)
        var colour = 0, shape = 0, both = 0, place = 0
        for (scene, image) in zip(scenes, images) {
            let truth = scene.tracks[0].initial
            let pixels = clipPreprocess(image, size: model.config.vision.imageSize, mean: model.config.imageMean, std: model.config.imageStd)
            let e = unit(pixels.withUnsafeBufferPointer { model.encodeImages(pixels: $0.baseAddress!, count: 1) }[0])
            let best = pairs[argmax(texts.map { dot($0, e) })]
            colour += best.0 == truth.colourName ? 1 : 0
            shape += best.1 == truth.shape ? 1 : 0
            both += best.0 == truth.colourName && best.1 == truth.shape ? 1 : 0
            let name = "\(truth.colourName.rawValue) \(truth.shape.rawValue)"
            let places = model.encodeTexts(tokens: ObjectState.positionPhrases.map { tokenizer.encode("a \(name) \($0)") }).map(unit)
            place += argmax(places.map { dot($0, e) }) == truth.cell ? 1 : 0
        }
        let n = Double(scenes.count)
        return (Double(colour) / n, Double(shape) / n, Double(both) / n, Double(place) / n)
    }

    private func unit(_ v: [Float]) -> [Float] {
        let norm = max(1e-12, v.reduce(0) { $0 + $1 * $1 }.squareRoot())
        return v.map { $0 / norm }
    }

    private func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    private func argmax(_ v: [Float]) -> Int { v.indices.max { v[$0] < v[$1] }! }
}
