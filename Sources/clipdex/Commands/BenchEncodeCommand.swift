import ArgumentParser
import CLIP
import Foundation
import Tensor

/// `clipdex bench encode`: image and text encoder throughput next to the machine's sgemm peak.
struct BenchEncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode", abstract: "Image encoder images/s and GFLOP/s, text latency, and sgemm GFLOP/s of the same BLAS.")

    @Option(help: "Model directory in the Hugging Face CLIP layout, or `demo` for the bundled demo model.") var model: String?
    @Option(help: "Random weights of a standard architecture: \(CLIPConfig.standardNames.joined(separator: ", ")).")
    var random: String?
    @Option(help: "Images per forward pass.") var batch: Int = 16
    @Option(help: "Images to encode in the timed run.") var images: Int = 64
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        guard (model == nil) != (random == nil) else { throw ValidationError("give exactly one of --model DIR or --random NAME") }
        if let random, CLIPConfig.standard(random) == nil {
            throw ValidationError("--random \(random): unknown architecture (\(CLIPConfig.standardNames.joined(separator: ", ")))")
        }
        guard batch > 0, images > 0 else { throw ValidationError("--batch and --images must be positive") }
    }

    func run() throws {
        engine.apply()
        let t0 = now()
        let clip: CLIPModel
        do {
            if let model { clip = try loadModel(model) } else {
                clip = try CLIPModel(config: CLIPConfig.standard(random!)!, source: RandomWeights(), identity: random!)
            }
        } catch { fail("\(error)") }
        let loadSeconds = now() - t0
        let result = measure(clip, loadSeconds: loadSeconds)
        if json { try printJSON(result) } else { printTable(result) }
    }

    private func measure(_ clip: CLIPModel, loadSeconds: Double) -> [String: Any] {
        let c = clip.config.vision, s = c.imageSize
        let pixels = FloatBuffer(count: batch * 3 * s * s)
        var rng: UInt64 = 42
        for i in 0..<pixels.count {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            pixels[i] = Float(Int(rng >> 40) % 2000 - 1000) / 600
        }
        _ = clip.vision.forward(pixels: pixels.pointer, batch: batch)          // warm-up
        let shape = (m: batch * clip.vision.tokens, n: c.intermediateSize, k: c.hiddenSize)
        let peakBefore = sgemmGFLOPS(m: shape.m, n: shape.n, k: shape.k)
        var done = 0
        let start = now()
        while done < images {
            let n = min(batch, images - done)
            _ = clip.vision.forward(pixels: pixels.pointer, batch: n)
            done += n
        }
        let seconds = now() - start
        let ips = Double(images) / seconds
        let gflops = ips * 2 * clip.config.visionMultiplyAdds / 1e9
        // The machine's peak is taken before and after the timed run; the higher one is the baseline.
        let peak = max(peakBefore, sgemmGFLOPS(m: shape.m, n: shape.n, k: shape.k))
        let text = textLatency(clip)
        return [
            "images_per_second": ips, "gflops": gflops, "sgemm_gflops": peak,
            "roofline_images_per_second": peak * 1e9 / (2 * clip.config.visionMultiplyAdds),
            "share_of_sgemm": gflops / peak,
            "text_query_ms": text.latencyMS, "text_queries_per_second": text.qps,
            "load_seconds": loadSeconds, "batch": batch, "images": images, "threads": Threads.count,
            "gflop_per_image": 2 * clip.config.visionMultiplyAdds / 1e9,
        ]
    }

    /// Median single-query latency of a 10-token query, and throughput of 64 queries in one batch.
    private func textLatency(_ clip: CLIPModel) -> (latencyMS: Double, qps: Double) {
        let query = [Tokenizer.startToken] + Array(320..<328) + [Tokenizer.endToken]   // 10 tokens
        _ = clip.encodeTexts(tokens: [query])
        var times: [Double] = []
        for _ in 0..<20 {
            let t = now(); _ = clip.encodeTexts(tokens: [query]); times.append(now() - t)
        }
        times.sort()
        let batchQueries = Array(repeating: query, count: 64)
        let t = now(); _ = clip.encodeTexts(tokens: batchQueries)
        return (times[times.count / 2] * 1000, 64 / (now() - t))
    }

    private func printTable(_ r: [String: Any]) {
        func f(_ k: String, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", r[k] as? Double ?? 0) }
        print("image encoder   \(f("images_per_second")) images/s, \(f("gflops", 1)) GFLOP/s (\(f("gflop_per_image")) GFLOP/image)")
        print("sgemm (same BLAS, same run)  \(f("sgemm_gflops", 1)) GFLOP/s -> roofline \(f("roofline_images_per_second")) images/s")
        print("share of sgemm peak  \(String(format: "%.0f%%", 100 * (r["share_of_sgemm"] as? Double ?? 0)))")
        print("text encoder    \(f("text_query_ms")) ms per 10-token query, \(f("text_queries_per_second", 0)) queries/s batched")
        print("model load      \(f("load_seconds", 3)) s   threads \(Threads.count), batch \(batch)")
    }
}

/// sgemm GFLOP/s of the linked BLAS on one shape, best of a few repetitions.
func sgemmGFLOPS(m: Int, n: Int, k: Int) -> Double {
    let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), c = FloatBuffer(count: m * n)
    for i in 0..<a.count { a[i] = Float(i % 7) * 0.01 }
    for i in 0..<b.count { b[i] = Float(i % 5) * 0.01 }
    var best = 0.0
    for _ in 0..<5 {
        let t = now()
        linear(a.pointer, rows: m, inFeatures: k, weight: b.pointer, bias: nil, outFeatures: n, into: c.pointer)
        best = max(best, 2 * Double(m) * Double(n) * Double(k) / (now() - t) / 1e9)
    }
    return best
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
