import CLIP
import Tensor
import XCTest

/// The forward passes against Hugging Face transformers' outputs on the tiny random CLIP
/// (reference.safetensors): every intermediate the reference exposes, within 1e-4.
final class ForwardParityTests: XCTestCase {
    static let tolerance: Float = 1e-4
    var model: CLIPModel!
    var reference: SafeTensors!

    override func setUpWithError() throws {
        Threads.configure(2)
        model = try CLIPModel(directory: Fixtures.path("clip-tiny"))
        reference = try SafeTensors(path: Fixtures.path("clip-tiny", "reference.safetensors"))
    }

    func assertClose(_ got: UnsafePointer<Float>, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let want = try reference.floats(name)
        var worst: Float = 0
        for i in 0..<want.count { worst = max(worst, abs(got[i] - want.pointer[i])) }
        XCTAssertLessThanOrEqual(worst, Self.tolerance, "\(name): max |diff| \(worst)", file: file, line: line)
    }

    func testVisionTowerMatchesReference() throws {
        let pixels = try reference.floats("pixel_values", shape: [3, 3, 64, 64])
        let out = model.vision.forward(pixels: pixels.pointer, batch: 3)
        try assertClose(out.lastHidden.pointer, "vision_last_hidden_state")
        try assertClose(out.pooled.pointer, "vision_pooled")
        try assertClose(out.embeds.pointer, "image_embeds")
    }

    func testTextTowerMatchesReferenceOverFullContext() throws {
        let ids = try reference.ints("input_ids")
        let rows = (0..<ids.shape[0]).map { Array(ids.values[$0 * 77..<($0 + 1) * 77]) }
        let out = model.text.forward(tokens: rows, fullContext: true)
        try assertClose(out.lastHidden.pointer, "text_last_hidden_state")
        try assertClose(out.pooled.pointer, "text_pooled")
        try assertClose(out.embeds.pointer, "text_embeds")
    }

    func testTextStoppingAtEndTokenGivesTheSamePooledOutput() throws {
        let ids = try reference.ints("input_ids")
        let rows = (0..<ids.shape[0]).map { r in Array(ids.values[r * 77..<(r + 1) * 77]).prefix { $0 != 0 } }.map(Array.init)
        let out = model.text.forward(tokens: rows)
        XCTAssertLessThan(out.seq, 77)
        try assertClose(out.pooled.pointer, "text_pooled")
        try assertClose(out.embeds.pointer, "text_embeds")
    }

    func testLogitsUseTheLearnedScale() throws {
        let pixels = try reference.floats("pixel_values")
        let ids = try reference.ints("input_ids")
        let rows = (0..<5).map { r in Array(ids.values[r * 77..<(r + 1) * 77]).prefix { $0 != 0 } }.map(Array.init)
        let img = model.encodeImages(pixels: pixels.pointer, count: 3).map(normalized)
        let txt = model.encodeTexts(tokens: rows).map(normalized)
        var logits: [Float] = []
        for i in img { for t in txt { logits.append(model.logitScale * zip(i, t).map(*).reduce(0, +)) } }
        try logits.withUnsafeBufferPointer { try assertClose($0.baseAddress!, "logits_per_image") }
    }
}
