import CLIP
import Foundation
import Imaging
import Media
import Tensor

/// Frame embeddings of video files for training and evaluation: frames sampled at a fixed rate,
/// preprocessed like CLIP (shortest side to the model's size, bicubic, centre crop, normalised),
/// encoded by the frozen image tower once and cached per (model, file, size, mtime, rate).
///
struct VideoFrames {
    let model: CLIPModel
    let fps: Double
    let cacheDirectory: String

    init(model: CLIPModel, fps: Double) {
        self.model = model
        self.fps = fps
        let base = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
        cacheDirectory = (base as NSString).appendingPathComponent("clipdex/frames")
    }

    /// Frame times (seconds) and embeddings [T][D] of a file.
    func embeddings(of path: String) throws -> (times: [Double], frames: [[Float]]) {
        let key = try cacheKey(path)
        let cachePath = (cacheDirectory as NSString).appendingPathComponent(key + ".safetensors")
        if let st = try? SafeTensors(path: cachePath), let e = try? st.floats("frames"), e.shape.count == 2,
           e.shape[1] == model.config.projectionDim, let t = try? st.floats("times", shape: [e.shape[0]]) {
            let d = e.shape[1]
            return ((0..<e.shape[0]).map { Double(t.pointer[$0]) },
                    (0..<e.shape[0]).map { Array(UnsafeBufferPointer(start: e.pointer + $0 * d, count: d)) })
        }
        let (times, pixels, count) = try decode(path)
        guard count > 0 else { throw CLIPError.input("\(path): no frames could be decoded (is it a video?)") }
        let frames = pixels.withUnsafeBufferPointer { model.encodeImages(pixels: $0.baseAddress!, count: count) }
        var w = SafeTensorsWriter()
        w.add("frames", shape: [count, model.config.projectionDim], values: frames.flatMap { $0 })
        w.add("times", shape: [count], values: times.map { Float($0) })
        w.metadata = ["source": path, "model": model.identity, "fps": "\(fps)"]
        try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        try? w.write(to: cachePath)
        return (times, frames)
    }

    private func cacheKey(_ path: String) throws -> String {
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attrs else { throw CLIPError.input("\(path): video file not found") }
        let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
        let mtime = (attrs[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let real = URL(fileURLWithPath: path).standardizedFileURL.path
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in "\(real)|\(size)|\(mtime)|\(model.identity)|\(fps)|\(model.config.vision.imageSize)".utf8 {
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }

    /// Decodes frames at `fps` (Media) and preprocesses them like CLIP (Imaging): pixels [T, 3, S, S].
    private func decode(_ path: String) throws -> ([Double], [Float], Int) {
        let s = model.config.vision.imageSize, n = 3 * s * s
        let file = try VideoFile(path)
        var times: [Double] = [], pixels: [Float] = []
        try file.sample(.fps(fps), options: .modelInput()) { frame in
            times.append(frame.time)
            pixels.append(contentsOf: clipPreprocess(frame.image, size: s, mean: model.config.imageMean, std: model.config.imageStd))
        }
        return (times, pixels, pixels.count / n)
    }
}
