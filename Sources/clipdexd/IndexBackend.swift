import Adapters
import CLIP
import Config
import Foundation
import Index
import Logging
import Tensor
import Watch

/// The `IngestBackend` over the Index module: its SQLite store (records and the `jobs` queue) and
/// its pipeline (FFmpeg sampling → CLIP → segments, one transaction per video).
final class IndexBackend: IngestBackend {
    let store: IndexStore
    let indexer: Indexer

    init(store: IndexStore, indexer: Indexer) {
        self.store = store
        self.indexer = indexer
    }

    /// Opens (or creates) the index of `[store] database` and loads the configured model and, with
    /// `[model] adapter`, the adapter: segments, embeddings and tags then come through it, and files
    /// indexed without it (or with another) are stale. Tags use the store's vocabulary.
    static func open(_ config: ClipdexConfig, logger: Logger) throws -> any IngestBackend {
        guard let dir = config.modelDirectory else {
            throw ConfigError(file: config.file, key: "[model] path", "no model configured and no bundled demo model in this build")
        }
        Threads.configure(config.ingest.threads)
        let store = try IndexStore(path: config.store.database, create: true)
        let model = try CLIPModel(directory: dir)
        var options = IndexOptions()
        options.fps = config.ingest.sampleFPS
        let source = MediaFrameSource(modelInputSize: model.config.vision.imageSize, decoderThreads: config.ingest.threads)
        let adapter = try config.adapterPath.map { try Adapter.load($0, model: model) }
        let tokenizer = try Tokenizer.bundled()
        let labels = adapter.map { LabelEncoder.adapter($0, tokenizer: tokenizer) } ?? .template(model: model, tokenizer: tokenizer)
        let indexer = try Indexer(store: store, embedder: CLIPImageEmbedder(model: model), source: source,
                                  adapter: adapter, labels: labels, options: options)
        let through = adapter.map { ", adapter \($0.path) (\($0.identity.prefix(12)))" } ?? ""
        logger.info("index \(store.path), model \(dir) (\(model.identity.prefix(12)))\(through), \(options.fps) frame/s, \(Threads.count) thread(s)")
        return IndexBackend(store: store, indexer: indexer)
    }

    func known(_ v: VideoRecord) -> KnownFile {
        // A failure recorded without a stat never matches a file: it is retried at the next scan.
        let st = v.file.map { FileStat(device: $0.device, inode: $0.inode, size: $0.size, mtimeNanos: $0.mtimeNanos) }
            ?? FileStat(device: 0, inode: 0, size: -1, mtimeNanos: 0)
        let stale = v.status == .indexed
            && (v.modelID != indexer.model.id || v.adapterID != indexer.adapter?.id || v.fps != indexer.options.fps)
        return KnownFile(path: v.path, stat: st, failed: v.status == .failed, stale: stale)
    }

    func knownFiles(under folders: [String]) throws -> [KnownFile] {
        try store.videos(under: folders).map(known)
    }

    func record(at path: String) throws -> KnownFile? {
        try store.video(path: path).map(known)
    }

    func records(inodes: Set<UInt64>) throws -> [KnownFile] {
        try store.videos().filter { $0.file.map { inodes.contains($0.inode) } ?? false }.map(known)
    }

    func enqueue(_ path: String) throws { try store.enqueue(path) }
    func dequeue(_ path: String) throws { try store.dequeue(path) }
    func recoverInterruptedJobs() throws -> Int { try store.recoverInterruptedJobs() }
    func nextRetryDate() throws -> Date? { try store.nextDueDate() }
    func queueLength() throws -> Int { try store.queueLength() }
    func remove(_ path: String) throws { try store.removeVideo(path: path) }
    func move(from: String, to: String) throws { try store.moveVideo(from: from, to: to) }

    func claimNextJob(now: Date) throws -> IngestJob? {
        try store.claimNextJob(now: now).map { IngestJob(path: $0.path, attempts: $0.attempts) }
    }

    func finish(_ job: IngestJob, _ result: JobResult) throws {
        let j = IndexJob(path: job.path, attempts: job.attempts)
        switch result {
        case .done: try store.finish(j, .done)
        case .requeue: try store.finish(j, .requeue)
        case let .retry(at, reason): try store.finish(j, .retry(at: at, reason: reason))
        case let .failed(reason, stat):
            // Recorded with the file as it was read, so it is retried once the file changes; if it
            // changed meanwhile, without a stat (retried at once).
            let now = try? FileIdentity.read(job.path)
            let same = now.flatMap { id in stat.map { id.size == $0.size && id.mtimeNanos == $0.mtimeNanos } } ?? false
            try store.finish(j, .failed(reason: reason, file: same ? now : nil))
        }
    }

    func index(_ path: String, cancelled: @escaping @Sendable () -> Bool) throws -> IndexOutcome {
        do {
            switch try indexer.index(path, cancelled: cancelled) {
            case .indexed: return .indexed
            case .unchanged: return .unchanged
            }
        } catch let e as IndexError {
            if e == .cancelled { throw IngestFailure.cancelled }
            throw e.isPermanent ? IngestFailure.permanent(e.description) : IngestFailure.transient(e.description)
        }
    }
}
