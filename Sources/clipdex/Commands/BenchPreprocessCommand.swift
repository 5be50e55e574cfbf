import ArgumentParser
import Foundation
import Imaging

/// `clipdex bench preprocess`: CLIP preprocessing time per video frame, beside a copy of the same frame.
struct BenchPreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "CLIP preprocessing ms/frame (prebuilt and one-shot) for a synthetic frame, next to copying that frame.")

    @Option(help: "Frame width.") var width: Int = 1920
    @Option(help: "Frame height.") var height: Int = 1080
    @Option(help: "Model image size.") var size: Int = 224
    @Option(help: "Frames in the timed run.") var frames: Int = 100
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard width > 0, height > 0, size > 0, frames > 0 else { throw ValidationError("--width, --height, --size, --frames must be positive") }
    }

    func run() throws {
        let frame = syntheticFrame()
        let pre = CLIPPreprocessor(sourceWidth: width, sourceHeight: height, size: size,
                                   mean: CLIPNormalization.mean, std: CLIPNormalization.std)
        var out = [Float](repeating: 0, count: pre.outputCount)
        out.withUnsafeMutableBufferPointer { pre(frame, into: $0.baseAddress!) }  // warm-up
        let (wall, cpu) = timed(frames) { out.withUnsafeMutableBufferPointer { pre(frame, into: $0.baseAddress!) } }
        let (oneShot, _) = timed(max(1, frames / 4)) {
            out = clipPreprocess(frame, size: size, mean: CLIPNormalization.mean, std: CLIPNormalization.std)
        }
        var copy = [UInt8](repeating: 0, count: frame.pixels.count)
        let (copyMs, _) = timed(frames) { copy.withUnsafeMutableBufferPointer { _ = memcpy($0.baseAddress!, frame.pixels, frame.pixels.count) } }
        let result: [String: Any] = [
            "frame": "\(width)x\(height)", "size": size, "frames": frames,
            "ms_per_frame": wall, "cpu_ms_per_frame": cpu, "frames_per_second": 1000 / wall,
            "one_shot_ms_per_frame": oneShot, "copy_frame_ms": copyMs,
        ]
        if json { try printJSON(result) } else {
            print(String(format: "preprocess %dx%d -> %d: %.2f ms/frame (%.2f ms CPU), %.0f frames/s, one thread",
                         width, height, size, wall, cpu, 1000 / wall))
            print(String(format: "one-shot (filter taps rebuilt each call): %.2f ms/frame", oneShot))
            print(String(format: "baseline: copying the frame once: %.3f ms", copyMs))
        }
    }

    /// A frame with gradients and noise, so nothing is constant.
    private func syntheticFrame() -> RGBImage {
        var state: UInt32 = 12345
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<pixels.count {
            state = state &* 1_664_525 &+ 1_013_904_223
            pixels[i] = UInt8(truncatingIfNeeded: (state >> 26) &+ UInt32((i / 3) % width * 255 / width))
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Mean wall and thread-CPU milliseconds of `n` runs of `body`.
    private func timed(_ n: Int, _ body: () -> Void) -> (wall: Double, cpu: Double) {
        let c0 = threadCPU(), t0 = now()
        for _ in 0..<n { body() }
        return ((now() - t0) * 1000 / Double(n), (threadCPU() - c0) * 1000 / Double(n))
    }

    private func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
