import Adapters
import Foundation

/// Settings of the indexing pipeline.
public struct IndexOptions: Sendable {
    /// Frames sampled per second of video.
    public var fps: Double = 1
    /// Frames per forward pass of the image encoder.
    public var batchSize: Int = 16
    /// Preprocessed frames the decoder may run ahead of the encoder (the bounded queue's size).
    public var queueFrames: Int = 48
    /// How frame and segment embeddings are stored (float16: half the bytes, see `bench search` for recall).
    public var frameFormat: EmbeddingFormat = .float16
    public var segmentFormat: EmbeddingFormat = .float16
    /// Re-index files even when unchanged.
    public var force = false
    public init() {}
}

/// What indexing a file did.
public enum IndexOutcome: Sendable, Equatable {
    /// Decoded, embedded, segmented and committed.
    case indexed(videoID: Int64, frames: Int, segments: Int)
    /// Already indexed with this content, model and sampling rate: nothing done.
    case unchanged
}

/// Progress of a batch of files (`Indexer.index(_:cancelled:events:)`), from the pipeline's threads.
public enum IndexEvent: Sendable {
    /// Decoding of file `file` (an index into the paths) began.
    case started(file: Int, path: String)
    /// `frames` more frames of file `file` were embedded.
    case encoded(file: Int, frames: Int)
    /// File `file` is done: committed, unchanged, or failed.
    case finished(file: Int, path: String, result: Result<IndexOutcome, IndexError>)
}

/// The indexing pipeline shared by `clipdex index` and the daemon:
/// decode and sample (a `FrameSource`, on a decode thread, which also preprocesses)
/// → a bounded queue → image embeddings in batches (on the calling thread; BLAS threads per `Threads.configure`)
/// → a second queue → segmentation and one transaction per video (on a storage thread).
/// Files overlap: the next file decodes while the previous one encodes and commits.
public final class Indexer: Sendable {
    public let store: IndexStore
    /// The model's row in the store: every embedding written is stamped with it.
    public let model: ModelRecord
    public let options: IndexOptions
    let embedder: any ImageEmbedder
    let source: any FrameSource
    let segmenter: any Segmenter
    /// The adapter's row when indexing through one: segments and videos are stamped with it.
    public let adapter: AdapterRecord?
    /// Tags segments with the vocabulary at index time (nil: no tags).
    let tagger: VocabularyTagger?
    /// The engine reuses its workspaces: concurrent `index` calls take turns at the encoder.
    let encoderTurn = NSLock()

    /// Registers the embedder's model (and the adapter) in the store. With an `adapter` (which must
    /// be saved, and trained on the embedder's CLIP), segments come from `AdapterSegmenter` unless
    /// `segmenter` is given; `labels` tags them with the vocabulary (the adapter's prompts or the template).
    public init(store: IndexStore, embedder: any ImageEmbedder, source: any FrameSource,
                segmenter: (any Segmenter)? = nil, adapter: Adapter? = nil, labels: LabelEncoder? = nil,
                tagPolicy: TagPolicy = TagPolicy(), options: IndexOptions = IndexOptions()) throws {
        self.store = store
        self.embedder = embedder
        self.source = source
        self.segmenter = segmenter ?? adapter.map { AdapterSegmenter(adapter: $0) } ?? CutSegmenter()
        self.options = options
        tagger = labels.map { VocabularyTagger(encoder: $0, policy: tagPolicy) }
        model = try store.registerModel(identity: embedder.identity, dim: embedder.dim,
                                        imageSize: embedder.imageSize, directory: embedder.directory)
        if let adapter {
            guard adapter.info.baseModel == embedder.identity, !adapter.identity.isEmpty else {
                throw IndexError.noModel("\(adapter.path.isEmpty ? "the adapter" : adapter.path): "
                    + (adapter.identity.isEmpty ? "save the adapter to a file before indexing with it"
                        : "trained on the CLIP model \(adapter.info.baseModel), not on \(embedder.identity); use that model or train a new adapter"))
            }
            self.adapter = try store.registerAdapter(identity: adapter.identity, path: adapter.path, modelID: model.id)
        } else {
            self.adapter = nil
        }
    }

    /// Whether `path` is indexed with this content (size, mtime, fingerprint), model, adapter and rate.
    public func isUnchanged(_ path: String, file: FileIdentity) throws -> Bool {
        guard let v = try store.video(path: path), v.status == .indexed, v.modelID == model.id, v.adapterID == adapter?.id,
              v.fps == options.fps, let old = v.file else { return false }
        return old.sameContent(as: file)
    }

    /// Indexes one file (the daemon's call): `.unchanged`, or committed in one transaction, or a
    /// typed `IndexError` (nothing committed; failures are not recorded — the caller decides).
    /// Blocking; `cancelled` is polled per frame.
    public func index(_ path: String, cancelled: @escaping @Sendable () -> Bool = { false }) throws -> IndexOutcome {
        try run([path], recordFailures: false, cancelled: cancelled, events: { _ in })[0].get()
    }

    /// Indexes files in order through one overlapped pipeline (`clipdex index`). Failures are
    /// recorded in the store (status `failed`, with the reason) except cancellations.
    public func index(_ paths: [String], cancelled: @escaping @Sendable () -> Bool = { false },
                      events: @escaping @Sendable (IndexEvent) -> Void = { _ in }) -> [Result<IndexOutcome, IndexError>] {
        run(paths, recordFailures: true, cancelled: cancelled, events: events)
    }

    private func run(_ paths: [String], recordFailures: Bool, cancelled: @escaping @Sendable () -> Bool,
                     events: @escaping @Sendable (IndexEvent) -> Void) -> [Result<IndexOutcome, IndexError>] {
        let decoded = BoundedQueue<Decoded>(capacity: options.queueFrames)
        let encoded = BoundedQueue<Encoded>(capacity: 2)
        let results = Locked([Result<IndexOutcome, IndexError>?](repeating: nil, count: paths.count))
        let decoder = Worker(name: "clipdex-decode") { [self] in
            decodeAll(paths, into: decoded, cancelled: cancelled, events: events)
            decoded.close()
        }
        let storer = Worker(name: "clipdex-store") { [self] in
            while let item = encoded.pop() {
                let (i, result) = store(item, paths, recordFailures: recordFailures)
                results.with { $0[i] = result }
                events(.finished(file: i, path: paths[i], result: result))
            }
        }
        encodeAll(decoded, into: encoded, cancelled: cancelled, events: events)
        encoded.close()
        decoder.join()
        storer.join()
        return results.with { $0.map { $0 ?? .failure(.cancelled) } }
    }
}

// MARK: - Stages

/// Decode thread → encoder.
enum Decoded: Sendable {
    case begin(Int, FileIdentity)
    case frame(Int, Double, [Float])
    case end(Int, VideoMetadata)
    case skip(Int)
    case fail(Int, IndexError, FileIdentity?)
}

/// Encoder → storage thread.
enum Encoded: Sendable {
    case video(Int, FileIdentity, VideoMetadata, [Double], [[Float]])
    case skip(Int)
    case fail(Int, IndexError, FileIdentity?)
}

extension Indexer {
    /// Decode stage: stat and fingerprint, skip unchanged files, sample and preprocess frames.
    func decodeAll(_ paths: [String], into queue: BoundedQueue<Decoded>, cancelled: @Sendable () -> Bool,
                   events: @Sendable (IndexEvent) -> Void) {
        let s = embedder.imageSize
        for (i, path) in paths.enumerated() {
            var file: FileIdentity?
            do {
                if cancelled() { throw IndexError.cancelled }
                let f = try FileIdentity.read(path)
                file = f
                if !options.force, try isUnchanged(path, file: f) { queue.push(.skip(i)); continue }
                events(.started(file: i, path: path))
                queue.push(.begin(i, f))
                let meta = try source.sample(path, fps: options.fps) { frame in
                    if cancelled() { throw IndexError.cancelled }
                    var px = [Float](repeating: 0, count: 3 * s * s)
                    px.withUnsafeMutableBufferPointer { embedder.preprocess(frame.image, into: $0.baseAddress!) }
                    queue.push(.frame(i, frame.time, px))
                }
                if let now = try? FileIdentity.read(path), !now.sameContent(as: f) {
                    throw IndexError.unreadable(path, "it changed while being read; read it again once it is complete")
                }
                queue.push(.end(i, meta))
            } catch {
                queue.push(.fail(i, Self.indexError(error, path: path), file))
            }
        }
    }

    /// Encode stage (calling thread): batches frames through the image tower, normalises.
    func encodeAll(_ queue: BoundedQueue<Decoded>, into out: BoundedQueue<Encoded>, cancelled: @Sendable () -> Bool,
                   events: @Sendable (IndexEvent) -> Void) {
        let per = 3 * embedder.imageSize * embedder.imageSize, cap = max(1, options.batchSize)
        let batch = UnsafeMutablePointer<Float>.allocate(capacity: cap * per)   // [cap, 3, S, S]
        defer { batch.deallocate() }
        var pending = 0
        var current: (file: Int, id: FileIdentity, times: [Double], vectors: [[Float]])?
        func flush() {
            guard pending > 0, current != nil else { pending = 0; return }
            encoderTurn.lock()
            let v = embedder.embed(pixels: batch, count: pending)
            encoderTurn.unlock()
            current!.vectors += v.map(EmbeddingCodec.normalized)
            events(.encoded(file: current!.file, frames: pending))
            pending = 0
        }
        while let item = queue.pop() {
            switch item {
            case let .begin(i, id):
                current = (i, id, [], [])
            case let .frame(i, t, px):
                guard current?.file == i, !cancelled() else { continue }
                px.withUnsafeBufferPointer { (batch + pending * per).update(from: $0.baseAddress!, count: per) }
                pending += 1
                current!.times.append(t)
                if pending == cap { flush() }
            case let .end(i, meta):
                flush()
                if let c = current, c.file == i {
                    out.push(cancelled() ? .fail(i, .cancelled, c.id) : .video(i, c.id, meta, c.times, c.vectors))
                }
                current = nil
            case let .skip(i):
                out.push(.skip(i))
            case let .fail(i, e, id):
                pending = 0
                current = nil
                out.push(.fail(i, e, id))
            }
        }
    }

    /// Storage stage: segment a video and commit it in one transaction.
    func store(_ item: Encoded, _ paths: [String], recordFailures: Bool) -> (Int, Result<IndexOutcome, IndexError>) {
        switch item {
        case let .skip(i):
            return (i, .success(.unchanged))
        case let .fail(i, e, id):
            if recordFailures && e != .cancelled { try? store.recordFailure(path: paths[i], file: id, reason: e.description) }
            return (i, .failure(e))
        case let .video(i, id, meta, times, vectors):
            do {
                guard !vectors.isEmpty else { throw IndexError.noFrames(paths[i]) }
                let duration = meta.duration ?? (times[times.count - 1] + 1 / options.fps)
                let segments = segmenter.segment(FrameEmbeddings(times: times, vectors: vectors, duration: duration))
                let content = VideoContent(metadata: meta, fps: options.fps, times: times, frames: vectors, segments: segments)
                let videoID = try commit(paths[i], id, content)
                return (i, .success(.indexed(videoID: videoID, frames: vectors.count, segments: segments.count)))
            } catch {
                let e = Self.indexError(error, path: paths[i])
                if recordFailures { try? store.recordFailure(path: paths[i], file: id, reason: e.description) }
                return (i, .failure(e))
            }
        }
    }

    /// Commits a video in one transaction, its segments tagged with the vocabulary when there is a
    /// tagger (tagged again if a `labels add|remove` committed in between).
    private func commit(_ path: String, _ file: FileIdentity, _ content: VideoContent) throws -> Int64 {
        guard let tagger else {
            return try store.commitVideo(path: path, file: file, modelID: model.id, adapterID: adapter?.id, content: content,
                                         frameFormat: options.frameFormat, segmentFormat: options.segmentFormat)
        }
        var content = content
        for _ in 0..<5 {
            let vocabulary = try tagger.tag(&content.segments, store: store, model: model)
            if let id = try store.commitVideo(path: path, file: file, modelID: model.id, adapterID: adapter?.id, content: content,
                                              taggedWith: vocabulary, frameFormat: options.frameFormat,
                                              segmentFormat: options.segmentFormat) { return id }
        }
        throw IndexError.database(store.path, "the vocabulary kept changing while \(path) was committed; index it again")
    }

    /// Any error of a stage as an `IndexError` naming the file: decoder errors of other types are
    /// taken as "not a video" (permanent).
    static func indexError(_ error: Error, path: String) -> IndexError {
        if let e = error as? IndexError { return e }
        return .notAVideo(path, "\(error)")
    }
}
