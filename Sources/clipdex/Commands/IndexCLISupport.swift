import ArgumentParser
import CLIP
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

/// `~/.local/share/clipdex/index.sqlite`, or `$CLIPDEX_DB` when set.
func defaultDatabase() -> String {
    ProcessInfo.processInfo.environment["CLIPDEX_DB"] ?? ("~/.local/share/clipdex/index.sqlite" as NSString).expandingTildeInPath
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

/// The CLIP model a query runs with: `--model` when given, else the one the index was built with.
/// Its identity must match embeddings in the index: embeddings of two models are never compared.
func queryModel(_ store: IndexStore, directory: String?) -> (CLIPModel, ModelRecord) {
    do {
        let models = try store.models()
        // The most used model whose weights are still on disk (synthetic or moved ones are passed over).
        let usable = models.filter { !$0.directory.isEmpty && FileManager.default.fileExists(atPath: $0.directory) }
        guard let primary = usable.first ?? models.first else {
            throw IndexError.noModel("\(store.path): the index holds no embeddings yet; run `clipdex index --model DIR VIDEOS...` first")
        }
        let dir = directory.map(absolutePath) ?? primary.directory
        guard FileManager.default.fileExists(atPath: dir) else {
            throw IndexError.noModel("\(dir): the model the index was built with is no longer there; pass --model DIR with the same weights")
        }
        let clip = try CLIPModel(directory: dir)
        guard let record = models.first(where: { $0.identity == clip.identity }) else {
            throw IndexError.noModel("\(dir): the index holds no embeddings of this model (it was built with \(primary.directory)); pass that model or re-index")
        }
        return (clip, record)
    } catch { fail("\(error)") }
}

/// One search hit as JSON.
func hitJSON(_ h: SearchHit) -> [String: Any] {
    ["video": h.path, "start": h.start, "end": h.end, "score": Double(h.score), "segment": h.segment,
     "tags": h.tags.map { ["label": $0.label, "score": $0.score] as [String: Any] }]
}

/// Prints hits as JSON or as an aligned table.
func printHits(_ hits: [SearchHit], json: Bool) throws {
    if json { try printJSON(hits.map(hitJSON)); return }
    if hits.isEmpty { print("no matching segments"); return }
    printTable(["#", "score", "start", "end", "segment", "video", "tags"], hits.enumerated().map { i, h in
        [String(i + 1), String(format: "%.4f", h.score), timecode(h.start), timecode(h.end), String(h.segment), h.path,
         h.tags.prefix(3).map(\.label).joined(separator: ", ")]
    })
}

/// Fills in the tags of hits from the store.
func withTags(_ hits: [SearchHit], _ store: IndexStore) -> [SearchHit] {
    guard let tags = try? store.tags(segmentIDs: hits.map(\.segment)) else { return hits }
    return hits.map { var h = $0; h.tags = tags[h.segment] ?? []; return h }
}
