import CLIP
import DemoModel
import Foundation
import Imaging
import XCTest
@testable import Synth

/// Does the bundled demo CLIP recognise the generator's frames? Zero-shot over WORLD.md's check:
/// the 36 captions "a {colour} {shape}" and, with colour and shape given, the 9 positions.
final class DemoModelSeesFramesTests: XCTestCase {
    static let colours: [ShapeColour] = [.red, .green, .blue, .yellow, .white, .black]
    static let shapes: [ShapeKind] = [.circle, .square, .triangle, .star, .ring, .cross]

    func testDemoModelNamesColourShapeAndPlaceOfRenderedStills() throws {
        let dir = try XCTUnwrap(DemoModel.directory, "the demo model is bundled")
        let model = try CLIPModel(directory: dir)
        let tokenizer = try Tokenizer.bundled()
        let pairs = Self.colours.flatMap { c in Self.shapes.map { (c, $0) } }
        let texts = model.encodeTexts(tokens: pairs.map { tokenizer.encode("a \($0.0.rawValue) \($0.1.rawValue)") }).map(unit)
        var rng = SynthRNG(seed: 99)
        var colourRight = 0, shapeRight = 0, bothRight = 0, placeRight = 0, total = 0
        let format = VideoFormat(width: 224, height: 224, fps: 1)
        for (c, s) in pairs {
            for _ in 0..<3 {
                let extent = rng.uniform(0.25, 0.5), m = 0.425 * extent + 0.02
                let scene = SceneBuilder.still(s, c, extent: extent, cx: rng.uniform(m, 1 - m), cy: rng.uniform(m, 1 - m),
                                               format: format, seed: rng.next())
                let image = RGBImage(width: format.width, height: format.height, pixels: scene.render(at: 0))
                let pixels = clipPreprocess(image, size: model.config.vision.imageSize, mean: model.config.imageMean, std: model.config.imageStd)
                let e = unit(pixels.withUnsafeBufferPointer { model.encodeImages(pixels: $0.baseAddress!, count: 1) }[0])
                let best = pairs[argmax(texts.map { dot($0, e) })]
                colourRight += best.0 == c ? 1 : 0
                shapeRight += best.1 == s ? 1 : 0
                bothRight += best.0 == c && best.1 == s ? 1 : 0
                let state = scene.tracks[0].initial
                let places = model.encodeTexts(tokens: ObjectState.positionPhrases.map { tokenizer.encode("a \(c.rawValue) \(s.rawValue) \($0)") }).map(unit)
                placeRight += argmax(places.map { dot($0, e) }) == state.cell ? 1 : 0
                total += 1
            }
        }
        let n = Double(total)
        print(String(format: "demo CLIP on %d rendered stills: colour %.3f, shape %.3f, both %.3f, position (9-way) %.3f",
                     total, Double(colourRight) / n, Double(shapeRight) / n, Double(bothRight) / n, Double(placeRight) / n))
        XCTAssertGreaterThanOrEqual(Double(colourRight) / n, 0.9)
        XCTAssertGreaterThanOrEqual(Double(shapeRight) / n, 0.5)
        XCTAssertGreaterThanOrEqual(Double(placeRight) / n, 0.75)
    }

    private func unit(_ v: [Float]) -> [Float] {
        let norm = max(1e-12, v.reduce(0) { $0 + $1 * $1 }.squareRoot())
        return v.map { $0 / norm }
    }

    private func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    private func argmax(_ v: [Float]) -> Int { v.indices.max { v[$0] < v[$1] }! }
}
