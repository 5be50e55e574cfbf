import Imaging
import Media
import Tensor
import XCTest

/// CLIP preprocessing (decode → resize → crop → normalise) against Pillow 9.4 + Hugging Face's
/// CLIPImageProcessor (Tests/Fixtures/preprocess/reference.safetensors, float32 [3,224,224] per image).
final class PreprocessParityTests: XCTestCase {
    static let names = ["img_1280x720", "img_300x500", "img_640x360"]

    func differences(_ got: [Float], _ name: String) throws -> (mean: Float, max: Float) {
        let reference = try SafeTensors(path: Fixtures.path("preprocess", "reference.safetensors"))
        let want = try reference.floats(name, shape: [3, 224, 224])
        XCTAssertEqual(got.count, want.count)
        var sum: Double = 0, worst: Float = 0
        for i in 0..<want.count {
            let d = abs(got[i] - want.pointer[i])
            sum += Double(d)
            worst = max(worst, d)
        }
        return (Float(sum / Double(want.count)), worst)
    }

    /// The contract's bars are mean ≤ 0.005 and max ≤ 0.06; this implementation reproduces Pillow's
    /// integer arithmetic, so it is held to float rounding (one 8-bit level is ≈ 0.015 here).
    func testMatchesPillowReference() throws {
        for name in Self.names {
            let image = try ImageFile.load(Fixtures.path("preprocess", name + ".png"))
            let got = clipPreprocess(image, size: 224, mean: CLIPNormalization.mean, std: CLIPNormalization.std)
            let (mean, worst) = try differences(got, name)
            XCTAssertLessThanOrEqual(mean, 0.005, name)
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(name): max |diff| \(worst)")
        }
    }

    /// One preprocessor reused over several frames of one size gives what one-shot calls give.
    func testReusedPreprocessorMatchesOneShot() throws {
        let a = try ImageFile.load(Fixtures.path("preprocess", "img_640x360.png"))
        let b = noiseImage(width: 640, height: 360, seed: 9)
        let pre = CLIPPreprocessor(sourceWidth: 640, sourceHeight: 360, size: 224,
                                   mean: CLIPNormalization.mean, std: CLIPNormalization.std)
        var out = [Float](repeating: .nan, count: pre.outputCount)
        for image in [a, b, a] {
            out.withUnsafeMutableBufferPointer { pre(image, into: $0.baseAddress!) }
            XCTAssertEqual(out, clipPreprocess(image, size: 224, mean: CLIPNormalization.mean, std: CLIPNormalization.std))
        }
    }

    /// The output layout is channel-major: a solid colour gives three constant planes of (v/255 − mean)/std.
    func testSolidColourGivesNormalisedPlanes() {
        let rgb: [UInt8] = [200, 100, 0]
        let image = RGBImage(width: 300, height: 200, pixels: (0..<300 * 200).flatMap { _ in rgb })
        let out = clipPreprocess(image, size: 32, mean: CLIPNormalization.mean, std: CLIPNormalization.std)
        for c in 0..<3 {
            let want = (Float(rgb[c]) / 255 - CLIPNormalization.mean[c]) / CLIPNormalization.std[c]
            let plane = out[c * 1024 ..< (c + 1) * 1024]
            XCTAssertTrue(plane.allSatisfy { abs($0 - want) < 1e-6 }, "channel \(c)")
        }
    }
}
