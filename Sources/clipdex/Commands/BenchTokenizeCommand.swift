import ArgumentParser
import CLIP
import Foundation

/// `clipdex bench tokenize`: merges-file load time and per-query tokenize latency, next to the
/// cost of the text cleanup alone measured in the same run. Each figure is given as wall time and
/// as the thread's CPU time (which other processes on a busy machine do not inflate).
struct BenchTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Tokenizer load seconds and per-query latency (first sight and cached).")

    @Option(help: "Merges file (default: the bundled bpe_simple_vocab_16e6.txt.gz).") var merges: String?
    @Option(help: "Timed repetitions per query and block (the best of 5 blocks counts).") var repeats: Int = 1000
    @Flag(help: "Print one JSON object.") var json = false

    static let queries = [
        "a photo of a dog pulling a sled",
        "Three dogs are pulling a sled through the snow!",
        "a person riding a horse on the beach at sunset, 4k, high quality",
        "Café crème brûlée — “quoted” &amp; ﬁne",
        "mojibake: Ã©tÃ© â€œquotesâ€\u{9D}",
        "中文 视频 理解 日本語のテキスト",
    ]

    /// Wall and thread-CPU seconds.
    struct Time {
        var wall = 0.0, cpu = 0.0
        static func + (a: Time, b: Time) -> Time { Time(wall: a.wall + b.wall, cpu: a.cpu + b.cpu) }
        func scaled(_ k: Double) -> Time { Time(wall: wall * k, cpu: cpu * k) }
    }

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func run() throws {
        guard let path = merges ?? Tokenizer.bundledMergesPath else {
            fail("the bundled merges file is missing from the CLIP resource bundle; pass --merges FILE")
        }
        var loads: [Time] = []
        var tokenizer: Tokenizer?
        for _ in 0..<5 {
            loads.append(time { do { tokenizer = try Tokenizer(mergesPath: path) } catch { fail("\(error)") } })
        }
        let result = measure(tokenizer!, loads: loads)
        if json { try printJSON(result) } else { printTable(result) }
    }

    /// Microseconds per query: first sight (fresh word cache), cached, and cleanup alone.
    private func measure(_ tokenizer: Tokenizer, loads: [Time]) -> [String: Any] {
        var firstSight = Time(), cached = Time(), cleanup = Time()
        var tokens = 0
        for query in Self.queries {
            firstSight = firstSight + time { tokens += tokenizer.encode(query).count }
            cached = cached + best { _ = tokenizer.encode(query) }
            cleanup = cleanup + best { _ = Tokenizer.cleanText(query) }
        }
        let perQuery = 1e6 / Double(Self.queries.count)
        let (f, c, k) = (firstSight.scaled(perQuery), cached.scaled(perQuery), cleanup.scaled(perQuery))
        return [
            "load_seconds_median": loads.map(\.wall).sorted()[2], "load_cpu_seconds_median": loads.map(\.cpu).sorted()[2],
            "load_seconds_max": loads.map(\.wall).max()!,
            "encode_first_sight_us": f.wall, "encode_first_sight_cpu_us": f.cpu,
            "encode_cached_us": c.wall, "encode_cached_cpu_us": c.cpu,
            "cleanup_only_us": k.wall, "cleanup_only_cpu_us": k.cpu,
            "queries": Self.queries.count, "tokens_per_query": Double(tokens) / Double(Self.queries.count),
            "repeats": repeats,
        ]
    }

    private func time(_ body: () -> Void) -> Time {
        let (w, c) = (now(), threadCPU())
        body()
        return Time(wall: now() - w, cpu: threadCPU() - c)
    }

    /// Mean time of one call, from the fastest of 5 blocks of `repeats` calls.
    private func best(_ body: () -> Void) -> Time {
        var fastest = Time(wall: .infinity, cpu: .infinity)
        for _ in 0..<5 {
            let t = time { for _ in 0..<repeats { body() } }
            fastest = Time(wall: min(fastest.wall, t.wall), cpu: min(fastest.cpu, t.cpu))
        }
        return fastest.scaled(1 / Double(repeats))
    }

    private func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    private func printTable(_ r: [String: Any]) {
        func f(_ k: String, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", r[k] as? Double ?? 0) }
        print("load merges     \(f("load_seconds_median", 4)) s median of 5, \(f("load_cpu_seconds_median", 4)) s CPU (max \(f("load_seconds_max", 4)) s)")
        print("encode          \(f("encode_first_sight_us")) µs/query first sight (\(f("encode_first_sight_cpu_us")) CPU), \(f("encode_cached_us")) µs cached (\(f("encode_cached_cpu_us")) CPU)")
        print("cleanup alone   \(f("cleanup_only_us")) µs/query (\(f("cleanup_only_cpu_us")) CPU), same queries, same run")
        print("queries         \(Self.queries.count), \(f("tokens_per_query")) tokens each on average")
    }
}
