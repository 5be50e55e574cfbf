import CLIP
import Foundation
import Tensor
import XCTest

/// Model loading: fp16/bf16 checkpoints, and errors that name the file, key or tensor.
final class LoadingTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "clipdex-load-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Copies clip-tiny into a temporary directory with every tensor re-encoded by `transform`.
    func rewrittenTiny(_ transform: (String, [Int], [Float], inout SafeTensorsWriter) -> Void,
                       config: String? = nil) throws -> String {
        let src = try SafeTensors(path: Fixtures.path("clip-tiny", "model.safetensors"))
        var w = SafeTensorsWriter()
        for (name, info) in src.tensors.sorted(by: { $0.key < $1.key }) {
            transform(name, info.shape, try src.floats(name).array, &w)
        }
        try w.write(to: dir + "/model.safetensors")
        let cfg = try config ?? String(contentsOfFile: Fixtures.path("clip-tiny", "config.json"), encoding: .utf8)
        try cfg.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        return dir
    }

    func imageEmbeds(_ model: CLIPModel) throws -> [Float] {
        let ref = try SafeTensors(path: Fixtures.path("clip-tiny", "reference.safetensors"))
        let px = try ref.floats("pixel_values")
        return model.encodeImages(pixels: px.pointer, count: 3).flatMap { $0 }
    }

    func testHalfPrecisionCheckpointGivesNearlyTheSameEmbeddings() throws {
        let ref = try SafeTensors(path: Fixtures.path("clip-tiny", "reference.safetensors"))
        let want = try ref.floats("image_embeds").array
        let path = try rewrittenTiny { name, shape, values, w in w.add(name, shape: shape, values: values, as: .f16) }
        let got = try imageEmbeds(try CLIPModel(directory: path))
        let worst = zip(got, want).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 0.02, "fp16 weights drift too far: \(worst)")
        XCTAssertGreaterThan(worst, 0, "fp16 rounding should change something")
    }

    func testErrorsNameTheThingToFix() throws {
        // Missing tensor: named with its file.
        let missing = try rewrittenTiny { name, shape, values, w in
            if name != "vision_model.post_layernorm.weight" { w.add(name, shape: shape, values: values) }
        }
        XCTAssertThrowsError(try CLIPModel(directory: missing)) {
            XCTAssertTrue("\($0)".contains("vision_model.post_layernorm.weight") && "\($0)".contains("model.safetensors"), "\($0)")
        }
        // Wrong shape.
        let wrong = try rewrittenTiny { name, shape, values, w in
            if name == "text_projection.weight" { w.add(name, shape: [16, 64], values: Array(values[0..<1024])) }
            else { w.add(name, shape: shape, values: values) }
        }
        XCTAssertThrowsError(try CLIPModel(directory: wrong)) { XCTAssertTrue("\($0)".contains("text_projection.weight") && "\($0)".contains("[32, 64]"), "\($0)") }
        // Not a CLIP config.
        try #"{"model_type": "bert", "hidden_size": 768}"#.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPModel(directory: dir)) { XCTAssertTrue("\($0)".contains("config.json") && "\($0)".contains("'bert'"), "\($0)") }
        // Unsupported activation.
        try #"{"model_type": "clip", "vision_config": {"hidden_act": "relu"}}"#.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPModel(directory: dir)) { XCTAssertTrue("\($0)".contains("vision_config.hidden_act 'relu'"), "\($0)") }
        // Wrong type of a size.
        try #"{"model_type": "clip", "text_config": {"hidden_size": "big"}}"#.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPModel(directory: dir)) { XCTAssertTrue("\($0)".contains("text_config.hidden_size"), "\($0)") }
        // No directory, no weights.
        XCTAssertThrowsError(try CLIPModel(directory: dir + "/absent")) { XCTAssertTrue("\($0)".contains("absent"), "\($0)") }
        try FileManager.default.removeItem(atPath: dir + "/model.safetensors")
        try String(contentsOfFile: Fixtures.path("clip-tiny", "config.json"), encoding: .utf8).write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CLIPModel(directory: dir)) { XCTAssertTrue("\($0)".contains("model.safetensors"), "\($0)") }
    }

    func testStandardArchitecturesCountTheirMultiplyAdds() {
        // ViT-B/32 at 224 px: 4.41 G multiply-adds per image.
        let b32 = CLIPConfig.standard("vit-b-32")!
        XCTAssertEqual(b32.visionMultiplyAdds / 1e9, 4.41, accuracy: 0.01)
        XCTAssertEqual(b32.vision.gridSize, 7)
    }
}
