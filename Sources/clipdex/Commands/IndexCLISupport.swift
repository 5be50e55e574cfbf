import Adapters
import ArgumentParser
import CLIP
import Config
import DemoModel
import Foundation
import Index

/// `--db` and `--json`, shared by every index command.
struct StoreOptions: ParsableArguments {
    @Option(help: "The index database (default: [store] database of the config, else ~/.local/share/clipdex/index.sqlite).")
    var db: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    /// The database path: `--db`, else the default.
    var path: String { absolutePath(db ?? defaultDatabase()) }

    /// Opens the index; query commands pass `create: false` so a wrong --db is an error, not a new file.
    func open(create: Bool = false) -> IndexStore {
        do { return try IndexStore(path: path, create: create) } catch { fail("\(error)") }
    }
}

/// The config's `[store] database` (the file `$CLIPDEX_CONFIG`, else /etc/clipdex/clipdex.toml)
/// when it exists and parses, else `~/.local/share/clipdex/index.sqlite`.
func defaultDatabase() -> String { ClipdexConfig.cliDatabase() }

/// The model `clipdex index` uses without --model: the config's `[model] path` when the config
/// exists and parses, else the bundled demo model (nil when this build has none).
func defaultModelDirectory() -> String? {
    let file = ClipdexConfig.defaultFile
    if FileManager.default.fileExists(atPath: file), let config = try? ClipdexConfig.load(file: file) {
        return config.modelDirectory
    }
    return DemoModel.directory
}

/// `p` made absolute against the working directory, `~` expanded, `.`/`..` resolved.
func absolutePath(_ p: String) -> String {
    let e = (p as NSString).expandingTildeInPath
    let full = e.hasPrefix("/") ? e : FileManager.default.currentDirectoryPath + "/" + e
    return (full as NSString).standardizingPath
}

/// Seconds as HH:MM:SS.mmm.
func timecode(_ seconds: Double) -> String {
    let ms = Int((max(0, seconds) * 1000).rounded())
    return String(format: "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// Prints rows under headers, each column padded to its widest cell.
func printTable(_ headers: [String], _ rows: [[String]]) {
    var widths = headers.map(\.count)
    for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
    }
    print(line(headers))
    for r in rows { print(line(r)) }
}

/// The model the index was built with: the most used one whose weights are still on disk
/// (synthetic or moved ones are passed over), else the most used.
func defaultModelRecord(_ store: IndexStore) throws -> ModelRecord? {
    let models = try store.models()
    let usable = models.filter { !$0.directory.isEmpty && FileManager.default.fileExists(atPath: $0.directory) }
    return usable.first ?? models.first
}

/// The CLIP model a query runs with: `--model` when given, else the one the index was built with.
/// Its identity must match embeddings in the index: embeddings of two models are never compared.
func queryModel(_ store: IndexStore, directory: String?) -> (CLIPModel, ModelRecord) {
    do {
        guard let primary = try defaultModelRecord(store) else {
            throw IndexError.noModel("\(store.path): the index holds no embeddings yet; run `clipdex index --model DIR VIDEOS...` first")
        }
        guard let dir = try directory.map(modelDirectory) ?? (primary.directory.isEmpty ? nil : primary.directory) else {
            throw IndexError.noModel("\(store.path): no weights directory is recorded for the index's model (\(primary.dim)-d, \(primary.identity)); pass --model DIR")
        }
        guard FileManager.default.fileExists(atPath: dir) else {
            throw IndexError.noModel("\(dir): the model the index was built with is no longer there; pass --model DIR with the same weights")
        }
        let clip = try CLIPModel(directory: dir)
        guard let record = try store.models().first(where: { $0.identity == clip.identity }) else {
            throw IndexError.noModel("\(dir): the index holds no embeddings of this model (it was built with \(primary.directory)); pass that model or re-index")
        }
        return (clip, record)
    } catch { fail("\(error)") }
}

/// A value computed on its own thread while the caller does other work (a cold `search` reads the
/// segments while the text is tokenized and encoded).
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, Error>?

    init(_ work: @escaping @Sendable () throws -> T) {
        Thread { [self] in
            result = Result { try work() }
            done.signal()
        }.start()
    }

    func value() throws -> T {
        done.wait()
        done.signal()
        return try result!.get()
    }
}

/// One search hit as JSON.
func hitJSON(_ h: SearchHit) -> [String: Any] {
    ["video": h.path, "start": h.start, "end": h.end, "score": Double(h.score), "segment": h.segment,
     "tags": h.tags.map { ["label": $0.label, "score": $0.score] as [String: Any] },
     "moment": h.moment.map { $0 as Any } ?? NSNull()]
}

/// Prints hits as JSON or as an aligned table.
func printHits(_ hits: [SearchHit], json: Bool) throws {
    if json { try printJSON(hits.map(hitJSON)); return }
    if hits.isEmpty { print("no matching segments"); return }
    printTable(["#", "score", "start", "end", "best frame", "segment", "video", "tags"], hits.enumerated().map { i, h in
        [String(i + 1), String(format: "%.4f", h.score), timecode(h.start), timecode(h.end), h.moment.map(timecode) ?? "-",
         String(h.segment), h.path,
         h.tags.prefix(3).map(\.label).joined(separator: ", ")]
    })
}

/// Fills in the tags of hits and, given the query, the best-matching frame inside each segment.
func decorate(_ hits: [SearchHit], _ store: IndexStore, query: [Float]? = nil) -> [SearchHit] {
    let tags = (try? store.tags(segmentIDs: hits.map(\.segment))) ?? [:]
    return hits.map { hit in
        var h = hit
        h.tags = tags[h.segment] ?? []
        if let query { h.moment = (try? store.bestFrame(videoID: h.videoID, start: h.start, end: h.end, query: query))??.time }
        return h
    }
}

/// The adapter a query runs with: `--adapter FILE` (refused on another CLIP, and when the index
/// holds no segments made with it), else the one most of the model's videos were indexed with
/// (loaded from its recorded path), else none: the frozen CLIP's own text embedding.
func queryAdapter(_ store: IndexStore, model: ModelRecord, clip: CLIPModel, file: String?) throws -> (Adapter?, AdapterRecord?) {
    if let file {
        let path = try adapterFile(file)
        let adapter = try Adapter.load(path, model: clip)
        guard let record = try store.adapters().first(where: { $0.identity == adapter.identity && $0.modelID == model.id }) else {
            throw IndexError.noModel("\(path): the index holds no segments made with this adapter; index with `clipdex index --adapter \(file) VIDEOS...`")
        }
        return (adapter, record)
    }
    guard let record = try store.primaryAdapter(modelID: model.id) else { return (nil, nil) }
    guard FileManager.default.fileExists(atPath: record.path) else {
        throw IndexError.noModel("\(record.path): the adapter the index was built with is no longer there; put it back or pass --adapter FILE")
    }
    return (try Adapter.load(record.path, model: clip), record)
}

/// A text query's embedding in the space of the segments it is compared with: through the
/// adapter's learned prompts when the segments were made with one, else the frozen text tower.
func queryEmbedding(_ text: String, clip: CLIPModel, adapter: Adapter?, tokenizer: Tokenizer) -> [Float] {
    adapter.map { $0.encodeQuery(text, tokenizer: tokenizer) } ?? clip.encodeTexts(tokens: [tokenizer.encode(text)])[0]
}
