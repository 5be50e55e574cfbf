import ArgumentParser
import CLIP
import Foundation
import Index
import Tensor

/// `clipdex bench search`: top-k latency of the in-memory segment scan, float16 next to float32,
/// with the recall of float16 against the exact float32 ranking; optionally through a real store.
struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Top-k search latency over N synthetic segment embeddings (float16 and float32), recall of float16, store load time.")

    @Option(help: "Segments to search over.") var segments: Int = 1_000_000
    @Option(help: "Embedding width (taken from --model when given).") var dim: Int = 512
    @Option(help: "Queries timed per format.") var queries: Int = 20
    @Option(help: "Results per query.") var limit: Int = 10
    @Option(help: "Also write the segments into this index database (it must not exist) and time loading them back.")
    var db: String?
    @Option(help: "With --db: register the segments under this CLIP model, so `clipdex search --db` can query them.")
    var model: String?
    @Flag(help: "Only time loading the segments of an existing --db into memory (what a cold `search` pays).")
    var loadOnly = false
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        guard segments > 0, dim > 0, queries > 0, limit > 0 else { throw ValidationError("--segments, --dim, --queries and --limit must be positive") }
        if model != nil && db == nil { throw ValidationError("--model goes with --db") }
        if loadOnly && db == nil { throw ValidationError("--load-only needs --db") }
    }

    func run() throws {
        engine.apply()
        if loadOnly { return try timeLoad(absolutePath(db!)) }
        var d = dim
        var clip: CLIPModel?
        if let model {
            do { clip = try CLIPModel(directory: absolutePath(model)) } catch { fail("\(error)") }
            d = clip!.config.projectionDim
        }
        var gen = SyntheticEmbeddings(dim: d, clusters: max(16, segments / 1000))
        let t0 = now()
        let half = EmbeddingMatrix(dim: d, format: .float16, capacity: segments)
        let full = EmbeddingMatrix(dim: d, format: .float32, capacity: segments)
        for _ in 0..<segments { let v = gen.next(); half.append(v); full.append(v) }
        let buildSeconds = now() - t0
        let qs = (0..<queries).map { _ in gen.next(noise: 0.8) }

        var result: [String: Any] = ["segments": segments, "dim": d, "limit": limit, "queries": queries,
                                     "threads": Threads.count, "generate_seconds": buildSeconds]
        var t = now(); _ = half.top(qs[0], k: limit); result["fp16_first_query_ms"] = (now() - t) * 1000
        let (h16, fp16) = timed(half, qs), (_, fp32) = timed(full, qs)
        let exact = qs.map { full.top($0, k: limit).map(\.row) }
        let recall = zip(exact, h16).map { Double(Set($0).intersection($1).count) / Double(limit) }.reduce(0, +) / Double(qs.count)
        result["fp16_median_ms"] = fp16.median; result["fp16_max_ms"] = fp16.max
        result["fp32_median_ms"] = fp32.median; result["fp32_max_ms"] = fp32.max
        result["fp16_cpu_ms"] = fp16.cpuMedian; result["fp32_cpu_ms"] = fp32.cpuMedian
        result["fp16_idle_estimate_ms"] = fp16.cpuMedian / Double(Threads.count)
        result["fp16_recall_at_k"] = recall
        result["fp16_gb_per_second"] = Double(segments * d * 2) / (fp16.median / 1000) / 1e9
        if let db {
            t = now()
            let (store, record) = try writeStore(absolutePath(db), full, clip: clip)
            result["store_write_seconds"] = now() - t
            t = now()
            let loaded = try SegmentIndex.load(store: store, model: record)
            result["store_load_seconds"] = now() - t
            t = now(); _ = loaded.search(qs[0], limit: limit); result["store_first_query_ms"] = (now() - t) * 1000
        }
        if json { try printJSON(result); return }
        func f(_ k: String, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", result[k] as? Double ?? 0) }
        print("\(segments) segments × \(d), top-\(limit), \(Threads.count) threads (generated in \(f("generate_seconds")) s)")
        print("float16  first \(f("fp16_first_query_ms")) ms, median \(f("fp16_median_ms")) ms, max \(f("fp16_max_ms")) ms (\(f("fp16_gb_per_second")) GB/s), CPU \(f("fp16_cpu_ms")) ms/query")
        print("float32  median \(f("fp32_median_ms")) ms, max \(f("fp32_max_ms")) ms, CPU \(f("fp32_cpu_ms")) ms/query")
        print("recall@\(limit) of float16 vs exact float32: \(f("fp16_recall_at_k", 4))")
        if db != nil {
            print("store    write \(f("store_write_seconds", 2)) s, load \(f("store_load_seconds", 3)) s, first query \(f("store_first_query_ms")) ms")
        }
    }

    /// Per-query rows of the top-k and latency stats (ms).
    /// Wall and CPU time of `SegmentIndex.load` over an existing index, and of one query.
    private func timeLoad(_ path: String) throws {
        let store = try IndexStore(path: path, create: false)
        guard let record = try store.primaryModel() else { fail("\(path): the index holds no model") }
        let adapter = try store.primaryAdapter(modelID: record.id)   // the segments `search` would load
        let t = now(), c = cpuNow()
        let index = try SegmentIndex.load(store: store, model: record, adapterID: adapter?.id)
        let wall = now() - t, cpu = cpuNow() - c
        var gen = SyntheticEmbeddings(dim: record.dim, clusters: 16)
        let q = gen.next()
        let t2 = now()
        _ = index.search(q, limit: limit)
        let r: [String: Any] = ["segments": index.count, "dim": record.dim, "load_seconds": wall, "load_cpu_seconds": cpu,
                                "query_ms": (now() - t2) * 1000, "threads": Threads.count]
        if json { try printJSON(r); return }
        print(String(format: "loaded %d segments × %d in %.3f s (CPU %.3f s); one top-%d query %.1f ms",
                     index.count, record.dim, wall, cpu, limit, (now() - t2) * 1000))
    }

    /// Wall time and process CPU time per query (ms). On a shared machine the wall time includes
    /// waiting for a core; CPU time ÷ threads is what a query costs on idle cores.
    private func timed(_ m: EmbeddingMatrix, _ qs: [[Float]]) -> ([[Int]], (median: Double, max: Double, cpuMedian: Double)) {
        _ = m.top(qs[0], k: limit)
        var times: [Double] = [], cpu: [Double] = [], rows: [[Int]] = []
        for q in qs {
            let t = now(), c = cpuNow()
            let r = m.top(q, k: limit)
            times.append((now() - t) * 1000)
            cpu.append((cpuNow() - c) * 1000)
            rows.append(r.map(\.row))
        }
        times.sort(); cpu.sort()
        return (rows, (times[times.count / 2], times.last!, cpu[cpu.count / 2]))
    }

    private func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Writes the matrix as segments of synthetic one-minute videos (100 segments each) into a new index.
    private func writeStore(_ path: String, _ m: EmbeddingMatrix, clip: CLIPModel?) throws -> (IndexStore, ModelRecord) {
        guard !FileManager.default.fileExists(atPath: path) else { fail("\(path): exists; --db wants a new file") }
        let store = try IndexStore(path: path, create: true)
        let record = try store.registerModel(identity: clip?.identity ?? "bench-synthetic-\(m.dim)", dim: m.dim,
                                             imageSize: clip?.config.vision.imageSize ?? 224, directory: clip?.directory ?? "")
        let perVideo = 100
        var row = 0
        while row < m.count {
            let n = min(perVideo, m.count - row)
            let segs = (0..<n).map { j in
                SegmentInput(start: Double(j) * 0.6, end: Double(j + 1) * 0.6, score: 1, frames: j..<(j + 1), embedding: m.row(row + j))
            }
            let file = FileIdentity(device: 0, inode: UInt64(row), size: 0, mtimeNanos: 0, fingerprint: "synthetic")
            let content = VideoContent(metadata: VideoMetadata(duration: Double(n) * 0.6, width: 0, height: 0, codec: "none"),
                                       fps: 1, times: [], frames: [], segments: segs)
            try store.commitVideo(path: "/synthetic/video-\(row / perVideo).mp4", file: file, modelID: record.id, content: content)
            row += n
        }
        return (store, record)
    }
}

/// Clustered random unit-ish vectors (cluster centre + Gaussian-like noise), so that nearest
/// neighbours are meaningful and float16 rounding can actually swap ranks.
struct SyntheticEmbeddings {
    let dim: Int
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var centres: [[Float]] = []

    init(dim: Int, clusters: Int) {
        self.dim = dim
        centres = (0..<clusters).map { _ in [] }
        for c in 0..<clusters { centres[c] = (0..<dim).map { _ in gaussian() } }
    }

    /// Roughly normal via the sum of four uniforms.
    private mutating func uniform() -> Float {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(state >> 40) / Float(1 << 24)
    }

    private mutating func gaussian() -> Float { (uniform() + uniform() + uniform() + uniform() - 2) * 1.732 }

    mutating func next(noise: Float = 0.5) -> [Float] {
        let c = centres[Int(uniform() * Float(centres.count)) % centres.count]
        return (0..<dim).map { c[$0] + noise * gaussian() }
    }
}
