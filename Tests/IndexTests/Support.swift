import Foundation
import Imaging
@testable import Index

/// Paths of the reference fixtures copied into Tests/Fixtures.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static func path(_ parts: String...) -> String { ([root] + parts).joined(separator: "/") }
}

/// A fresh temporary folder, removed by `cleanup()`.
struct TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "clipdex-index-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// A fake "video" format for pipeline tests: a text file whose characters are frames, one per
/// second, each a solid colour ('r', 'g', 'b', 'w', 'k'); "!" anywhere makes it undecodable.
struct LetterFrameSource: FrameSource {
    let calls = Counter()

    func sample(_ path: String, fps: Double, frame: (SampledFrame) throws -> Void) throws -> VideoMetadata {
        calls.add(path)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw IndexError.fileMissing(path) }
        let letters = Array(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if letters.contains("!") { throw IndexError.notAVideo(path, "test: undecodable") }
        for (i, c) in letters.enumerated() {
            let rgb: [UInt8] = ["r": [255, 0, 0], "g": [0, 255, 0], "b": [0, 0, 255], "w": [255, 255, 255]][c] ?? [0, 0, 0]
            let image = RGBImage(width: 4, height: 4, pixels: Array((0..<16).map { _ in rgb }.joined()))
            try frame(SampledFrame(time: Double(i), image: image))
        }
        return VideoMetadata(duration: Double(letters.count), width: 4, height: 4, codec: "letters")
    }
}

/// Paths sampled, in order (thread-safe).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: [String] = []
    func add(_ p: String) { lock.lock(); paths.append(p); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return paths }
}

/// An embedder that maps a solid colour to a fixed 4-d direction: (r, g, b, 0.1).
struct ColourEmbedder: ImageEmbedder {
    var identity = "colour-test-model"
    var dim: Int { 4 }
    var imageSize: Int { 2 }
    var directory: String { "/nonexistent/colour-model" }

    func preprocess(_ image: RGBImage, into out: UnsafeMutablePointer<Float>) {
        for c in 0..<3 { for i in 0..<4 { out[c * 4 + i] = Float(image.pixels[c]) / 255 } }
    }

    func embed(pixels: UnsafePointer<Float>, count: Int) -> [[Float]] {
        (0..<count).map { n in [pixels[n * 12], pixels[n * 12 + 4], pixels[n * 12 + 8], 0.1] }
    }
}

/// Writes `text` to `path` and moves its mtime by `bump` seconds so a rewrite is always seen.
func writeFile(_ path: String, _ text: String, mtime: Date? = nil) {
    try! text.write(toFile: path, atomically: false, encoding: .utf8)
    if let mtime { try! FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: path) }
}
