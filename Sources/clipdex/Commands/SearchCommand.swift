import Adapters
import ArgumentParser
import CLIP
import Foundation
import Index
import Tensor

/// `clipdex search`: the segments that best match words or a picture.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find video segments matching a text (or an image with --image), best first.")

    @Argument(help: "What to look for, in words.") var text: String?
    @Option(help: "Search with a picture instead of words.") var image: String?
    @Option(help: "How many segments to return.") var limit: Int = 10
    @Option(name: .customLong("in"), help: "Only videos whose path starts with this prefix.") var pathPrefix: String?
    @Option(help: "CLIP model directory (default: the one the index was built with).") var model: String?
    @Option(help: "Adapter file: the query goes through its prompts and only its segments are ranked (default: the adapter the index was built with, if any).")
    var adapter: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        guard (text == nil) != (image == nil) else { throw ValidationError("give a TEXT or --image FILE (one of them)") }
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
        let clock = PhaseClock()
        engine.apply()
        let db = store.open()
        clock.mark("open")
        // Read the segments of the default model on another thread while the model loads and the query is encoded.
        let guess = model == nil && adapter == nil ? (try? defaultModelRecord(db)) ?? nil : nil
        let guessAdapter = guess.flatMap { (try? db.primaryAdapter(modelID: $0.id)) ?? nil }
        let preload = guess.map { record in Background { try SegmentIndex.load(store: db, model: record, adapterID: guessAdapter?.id) } }
        let (clip, record) = queryModel(db, directory: model)
        clock.mark("model")
        let query: [Float]
        do {
            let (adapted, adapterRecord) = try queryAdapter(db, model: record, clip: clip, file: adapter)
            if let text {
                let tokenizer = try Tokenizer.bundled()
                clock.mark("tokenizer")
                query = queryEmbedding(text, clip: clip, adapter: adapted, tokenizer: tokenizer)
            } else {
                guard adapted == nil else {
                    throw IndexError.noModel("\(adapterRecord!.path): segments made with an adapter are searched in words only; search TEXT, or index without the adapter")
                }
                query = try ImageInput.embed(file: absolutePath(image!), model: clip)[0]
            }
            clock.mark("encode")
            let index = try preload.flatMap { guess?.id == record.id && guessAdapter?.id == adapterRecord?.id ? try $0.value() : nil }
                ?? SegmentIndex.load(store: db, model: record, adapterID: adapterRecord?.id)
            clock.mark("segments (\(index.count))")
            let prefix = pathPrefix.map { $0.hasPrefix("/") || $0.hasPrefix("~") || $0.hasPrefix(".") ? absolutePath($0) : $0 }
            let hits = index.search(query, limit: limit, pathPrefix: prefix)
            clock.mark("scan")
            try printHits(decorate(hits, db, query: query), json: store.json)
            clock.mark("output")
        } catch { fail("\(error)") }
    }
}

/// `clipdex similar`: segments that look like a given one.
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar", abstract: "Find segments similar to a segment (ids come from search, show).")

    @Argument(help: "The segment id.") var segment: Int64
    @Option(help: "How many segments to return.") var limit: Int = 10
    @Option(name: .customLong("in"), help: "Only videos whose path starts with this prefix.") var pathPrefix: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var engine: EngineOptions

    func run() throws {
        engine.apply()
        let db = store.open()
        do {
            let seg = try db.segment(id: segment).segment
            guard let model = try db.models().first(where: { $0.id == seg.modelID }) else { throw IndexError.unknownSegment(segment) }
            let index = try SegmentIndex.load(store: db, model: model, adapterID: seg.adapterID)
            let query = try db.segmentEmbedding(id: segment)
            let hits = index.search(query, limit: limit, pathPrefix: pathPrefix.map(absolutePath), excluding: segment)
            try printHits(decorate(hits, db, query: query), json: store.json)
        } catch { fail("\(error)") }
    }
}

/// With `CLIPDEX_TIMING=1`, prints the time of each phase of a command to stderr (for `search`'s
/// cold-start budget); silent otherwise.
final class PhaseClock {
    private let on = ProcessInfo.processInfo.environment["CLIPDEX_TIMING"] == "1"
    private var last = now()

    func mark(_ phase: String) {
        guard on else { return }
        let t = now()
        FileHandle.standardError.write(Data(String(format: "%@ %.1f ms\n", phase, (t - last) * 1000).utf8))
        last = t
    }
}
