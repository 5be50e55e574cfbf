import Adapters
import CLIP
import Foundation

/// Tags segments at index time with the store's vocabulary in one embedding space: label
/// embeddings come from the store's cache (missing ones are encoded once and cached), scores are
/// `tagSegments` at the encoder's temperature, kept per `policy` — the same computation as a
/// re-tag (`Retagger`), so tags do not depend on when a segment was made.
public struct VocabularyTagger: Sendable {
    public let encoder: LabelEncoder
    public var policy: TagPolicy

    public init(encoder: LabelEncoder, policy: TagPolicy = TagPolicy()) {
        self.encoder = encoder
        self.policy = policy
    }

    /// Fills `tags` of the segments (label ids of `model`'s rows in `labels`) and returns the
    /// vocabulary (sorted) they were tagged with; no tags with an empty vocabulary.
    @discardableResult
    public func tag(_ segments: inout [SegmentInput], store: IndexStore, model: ModelRecord) throws -> [String] {
        let vocabulary = try store.vocabulary()
        for i in segments.indices { segments[i].tags = [] }
        guard !vocabulary.isEmpty, !segments.isEmpty else { return vocabulary }
        let labels = try store.vocabularyLabels(vocabulary, model: model, encoder: encoder)
        var flat = [Float]()
        flat.reserveCapacity(segments.count * model.dim)
        for s in segments { flat += s.embedding.count == model.dim ? s.embedding : [Float](repeating: 0, count: model.dim) }
        let tags = flat.withUnsafeBufferPointer {
            tagSegments(features: $0.baseAddress!, count: segments.count, labels: labels.embeddings,
                        temperature: encoder.temperature, topK: policy.topK, threshold: policy.threshold)
        }
        for i in segments.indices { segments[i].tags = tags[i].map { (labels.ids[$0.label], Double($0.score)) } }
        return vocabulary
    }
}

extension IndexStore {
    /// The embeddings (and `labels` row ids) of `texts` in the encoder's space of `model`: cached
    /// ones read back, missing ones encoded and cached.
    public func vocabularyLabels(_ texts: [String], model: ModelRecord, encoder: LabelEncoder) throws -> (ids: [Int64], embeddings: [[Float]]) {
        var cached = try labelEmbeddings(modelID: model.id, promptSet: encoder.promptSet, texts: texts, dim: model.dim)
        let missing = texts.filter { cached[$0] == nil }
        if !missing.isEmpty {
            let fresh = Array(zip(missing, encoder.embed(missing))).map { (text: $0.0, embedding: $0.1) }
            let ids = try putLabelEmbeddings(modelID: model.id, promptSet: encoder.promptSet, fresh)
            for f in fresh { cached[f.text] = (ids[f.text]!, f.embedding) }
        }
        return (texts.map { cached[$0]!.id }, texts.map { cached[$0]!.embedding })
    }
}

/// What a vocabulary change did.
public struct RetagReport: Sendable {
    /// Labels in the vocabulary afterwards.
    public var labels: Int
    public var added: [String]
    public var removed: [String]
    /// Segments whose tags were replaced.
    public var segmentsRetagged: Int
    public var seconds: Double
}

/// Changes the vocabulary and re-tags every stored segment from its stored embedding (nothing is
/// decoded): for each (model, adapter) that made segments, the new vocabulary's label embeddings
/// (cached, or encoded through that space's prompts), one `tagSegments` sgemm over all its
/// segments, then the vocabulary, the label cache and all tags in ONE transaction.
public struct Retagger {
    public let store: IndexStore
    public var policy: TagPolicy
    /// The label encoder of a (model, adapter) space; by default loaded from the recorded files.
    let encoderFor: (ModelRecord, AdapterRecord?) throws -> LabelEncoder

    public init(store: IndexStore, policy: TagPolicy = TagPolicy(),
                encoderFor: @escaping (ModelRecord, AdapterRecord?) throws -> LabelEncoder) {
        self.store = store; self.policy = policy; self.encoderFor = encoderFor
    }

    public func apply(adding: [String] = [], removing: [String] = []) throws -> RetagReport {
        let start = Date()
        for _ in 0..<5 {
            var target = Set(try store.vocabulary())
            target.formUnion(adding)
            target.subtract(removing)
            let labels = target.sorted()
            let spaces = try store.segmentSpaces().map { try space(model: $0.model, adapter: $0.adapter, labels: labels) }
            if let done = try store.commitVocabulary(adding: adding, removing: removing, spaces: spaces, policy: policy) {
                return RetagReport(labels: labels.count, added: done.added, removed: done.removed, segmentsRetagged: done.segments,
                                   seconds: Date().timeIntervalSince(start))
            }
        }
        throw IndexError.database(store.path, "segments of new models or adapters kept arriving during the re-tag; try again")
    }

    /// The new vocabulary's label embeddings in one space: cached ones, the rest encoded here
    /// (outside the write transaction: encoding is the slow part).
    private func space(model: ModelRecord, adapter: AdapterRecord?, labels: [String]) throws -> TagSpace {
        guard !labels.isEmpty else {
            return TagSpace(model: model, adapterID: adapter?.id, promptSet: "", labels: [], temperature: 1)
        }
        let encoder = try encoderFor(model, adapter)
        let cached = try store.labelEmbeddings(modelID: model.id, promptSet: encoder.promptSet, texts: labels, dim: model.dim)
        let missing = labels.filter { cached[$0] == nil }
        let fresh = Dictionary(uniqueKeysWithValues: zip(missing, encoder.embed(missing)))
        return TagSpace(model: model, adapterID: adapter?.id, promptSet: encoder.promptSet,
                        labels: labels.map { (text: $0, embedding: cached[$0]?.embedding ?? fresh[$0]!) },
                        temperature: encoder.temperature)
    }
}

extension Retagger {
    /// A re-tagger whose encoders load each space's model and adapter from their recorded files.
    public init(store: IndexStore, policy: TagPolicy = TagPolicy(), tokenizer: Tokenizer) {
        var cache: [String: LabelEncoder] = [:]
        self.init(store: store, policy: policy) { model, adapter in
            let key = "\(model.id)/\(adapter?.id ?? 0)"
            if let e = cache[key] { return e }
            let e = try LabelEncoder.load(model: model, adapter: adapter, tokenizer: tokenizer)
            cache[key] = e
            return e
        }
    }
}
