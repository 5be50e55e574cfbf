import Foundation
import Imaging

/// Paths of the fixtures copied into Tests/Fixtures.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static func path(_ parts: String...) -> String { ([root] + parts).joined(separator: "/") }
}

/// A binary PPM (P6) or PGM (P5, grey replicated to RGB) with maxval 255, parsed independently of FFmpeg.
func readNetpbm(_ path: String) throws -> RGBImage {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var fields: [String] = [], i = 0
    while fields.count < 4 {
        while bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        let start = i
        while !(bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09) { i += 1 }
        fields.append(String(decoding: bytes[start..<i], as: UTF8.self))
    }
    i += 1
    let width = Int(fields[1])!, height = Int(fields[2])!
    precondition(fields[3] == "255", "\(path): only maxval 255")
    let body = Array(bytes[i...])
    switch fields[0] {
    case "P6": return RGBImage(width: width, height: height, pixels: Array(body.prefix(width * height * 3)))
    case "P5": return RGBImage(width: width, height: height, pixels: body.prefix(width * height).flatMap { [$0, $0, $0] })
    default: fatalError("\(path): not P5/P6")
    }
}

/// A deterministic pseudo-random RGB image (a linear congruential generator, so tests are repeatable).
func noiseImage(width: Int, height: Int, seed: UInt32) -> RGBImage {
    var state = seed
    let pixels = (0..<width * height * 3).map { _ -> UInt8 in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
    return RGBImage(width: width, height: height, pixels: pixels)
}
