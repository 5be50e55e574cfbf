import ArgumentParser
import CLIP
import Foundation

/// `clipdex bench tokenize`: merges-file load time and per-query tokenize latency, next to the
/// cost of the text cleanup alone measured in the same run.
struct BenchTokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Tokenizer load seconds and per-query latency (first sight and cached).")

    @Option(help: "Merges file (default: the bundled bpe_simple_vocab_16e6.txt.gz).") var merges: String?
    @Option(help: "Timed repetitions per query.") var repeats: Int = 2000
    @Flag(help: "Print one JSON object.") var json = false

    static let queries = [
        "a photo of a dog pulling a sled",
        "Three dogs are pulling a sled through the snow!",
        "a person riding a horse on the beach at sunset, 4k, high quality",
        "Café crème brûlée — “quoted” &amp; ﬁne",
        "mojibake: Ã©tÃ© â€œquotesâ€\u{9D}",
        "中文 视频 理解 日本語のテキスト",
    ]

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive") }
    }

    func run() throws {
        guard let path = merges ?? Tokenizer.bundledMergesPath else {
            fail("the bundled merges file is missing from the CLIP resource bundle; pass --merges FILE")
        }
        var loads: [Double] = []
        var tokenizer: Tokenizer?
        for _ in 0..<5 {
            let t = now()
            do { tokenizer = try Tokenizer(mergesPath: path) } catch { fail("\(error)") }
            loads.append(now() - t)
        }
        let result = measure(tokenizer!, loads: loads.sorted())
        if json { try printJSON(result) } else { printTable(result) }
    }

    /// Microseconds per query: first sight (fresh word cache), cached, and cleanup alone.
    private func measure(_ tokenizer: Tokenizer, loads: [Double]) -> [String: Any] {
        var firstSight = 0.0, cached = 0.0, cleanup = 0.0
        var tokens = 0
        for query in Self.queries {
            let t0 = now()
            tokens += tokenizer.encode(query).count
            firstSight += now() - t0
            cached += timed { _ = tokenizer.encode(query) }
            cleanup += timed { _ = Tokenizer.cleanText(query) }
        }
        let n = Double(Self.queries.count)
        return [
            "load_seconds_median": loads[loads.count / 2], "load_seconds_max": loads.last!,
            "encode_first_sight_us": firstSight / n * 1e6, "encode_cached_us": cached / n * 1e6,
            "cleanup_only_us": cleanup / n * 1e6, "queries": Self.queries.count,
            "tokens_per_query": Double(tokens) / n, "repeats": repeats,
        ]
    }

    private func timed(_ body: () -> Void) -> Double {
        let t = now()
        for _ in 0..<repeats { body() }
        return (now() - t) / Double(repeats)
    }

    private func printTable(_ r: [String: Any]) {
        func f(_ k: String, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", r[k] as? Double ?? 0) }
        print("load merges     \(f("load_seconds_median", 4)) s median of 5 (max \(f("load_seconds_max", 4)) s)")
        print("encode          \(f("encode_first_sight_us", 1)) µs/query first sight, \(f("encode_cached_us", 1)) µs/query cached")
        print("cleanup alone   \(f("cleanup_only_us", 1)) µs/query (same queries, same run)")
        print("queries         \(Self.queries.count), \(f("tokens_per_query", 1)) tokens each on average")
    }
}
