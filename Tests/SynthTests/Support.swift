import Foundation
import Imaging
import Media
@testable import Synth

/// A fresh temporary folder.
func makeTempDir() -> String {
    var template = Array("/tmp/clipdex-synth-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

/// Every frame of a video, decoded with the Media module.
func decodeFrames(_ path: String) throws -> [VideoFrame] {
    var frames: [VideoFrame] = []
    try VideoFile(path).sample(.fps(100)) { frames.append($0) }
    return frames
}

/// Where pixels within `tolerance` (RGB distance) of `colour` are: count and centroid, in pixels.
struct ColourBlob {
    var count = 0
    var cx = 0.0, cy = 0.0

    init(_ image: RGBImage, colour: RGB, tolerance: Double = 60) {
        var sx = 0.0, sy = 0.0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let i = (y * image.width + x) * 3
                let c = RGB(Double(image.pixels[i]), Double(image.pixels[i + 1]), Double(image.pixels[i + 2]))
                if c.distance(to: colour) < tolerance { count += 1; sx += Double(x); sy += Double(y) }
            }
        }
        if count > 0 { cx = sx / Double(count); cy = sy / Double(count) }
    }
}

extension Scene {
    /// The scene without pixel noise, so colour tests measure geometry only.
    var quiet: Scene {
        var s = self
        s.background.noise = 0
        return s
    }
}
