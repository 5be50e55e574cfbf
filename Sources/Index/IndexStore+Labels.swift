import Adapters
import Foundation
import GRDB

// MARK: - Vocabulary

extension IndexStore {
    /// The user's vocabulary: label texts segments are tagged with, independent of models, sorted.
    public func vocabulary() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT text FROM vocabulary ORDER BY text") }
    }

    /// Adds labels to the vocabulary (tags are not touched: see `Retagger`). Returns those that were new.
    @discardableResult
    public func addVocabulary(_ texts: [String]) throws -> [String] {
        try write { db in try Self.addVocabulary(db, texts) }
    }

    /// Removes labels from the vocabulary (tags are not touched: see `Retagger`). Returns those it held.
    @discardableResult
    public func removeVocabulary(_ texts: [String]) throws -> [String] {
        try write { db in try Self.removeVocabulary(db, texts) }
    }

    static func addVocabulary(_ db: Database, _ texts: [String]) throws -> [String] {
        var added: [String] = []
        let now = Date().timeIntervalSince1970
        for t in texts {
            try db.execute(sql: "INSERT OR IGNORE INTO vocabulary (text, added_at) VALUES (?, ?)", arguments: [t, now])
            if db.changesCount > 0 { added.append(t) }
        }
        return added
    }

    static func removeVocabulary(_ db: Database, _ texts: [String]) throws -> [String] {
        var removed: [String] = []
        for t in texts {
            try db.execute(sql: "DELETE FROM vocabulary WHERE text = ?", arguments: [t])
            if db.changesCount > 0 { removed.append(t) }
        }
        return removed
    }

    /// Each vocabulary label with the number of segments tagged with it (any model or adapter).
    public func vocabularyUsage() throws -> [(label: String, segments: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT v.text, (SELECT COUNT(*) FROM labels l JOIN tags t ON t.label_id = l.id WHERE l.text = v.text) AS n
                FROM vocabulary v ORDER BY v.text
                """).map { ($0["text"], $0["n"]) }
        }
    }
}

// MARK: - Label embedding cache

extension IndexStore {
    /// Cached label embeddings of (model, prompt set) for the texts it holds (missing texts are absent).
    public func labelEmbeddings(modelID: Int64, promptSet: String, texts: [String], dim: Int) throws -> [String: (id: Int64, embedding: [Float])] {
        try read { db in
            var out: [String: (id: Int64, embedding: [Float])] = [:]
            let stmt = try db.cachedStatement(sql: "SELECT id, embedding FROM labels WHERE model_id = ? AND prompt_set = ? AND text = ?")
            for t in texts {
                guard let r = try Row.fetchOne(stmt, arguments: [modelID, promptSet, t]),
                      let v = EmbeddingCodec.decode(r["embedding"], dim: dim) else { continue }
                out[t] = (r["id"], v)
            }
            return out
        }
    }

    /// Stores label embeddings of (model, prompt set) (float32, replacing any cached ones); returns their ids.
    @discardableResult
    public func putLabelEmbeddings(modelID: Int64, promptSet: String, _ items: [(text: String, embedding: [Float])]) throws -> [String: Int64] {
        try write { db in try Self.putLabels(db, modelID: modelID, promptSet: promptSet, items) }
    }

    static func putLabels(_ db: Database, modelID: Int64, promptSet: String, _ items: [(text: String, embedding: [Float])]) throws -> [String: Int64] {
        let put = try db.cachedStatement(sql: """
            INSERT INTO labels (model_id, prompt_set, text, embedding) VALUES (?, ?, ?, ?)
            ON CONFLICT (model_id, prompt_set, text) DO UPDATE SET embedding = excluded.embedding
            """)
        let get = try db.cachedStatement(sql: "SELECT id FROM labels WHERE model_id = ? AND prompt_set = ? AND text = ?")
        var ids: [String: Int64] = [:]
        for item in items {
            try put.execute(arguments: [modelID, promptSet, item.text, EmbeddingCodec.encode(item.embedding, as: .float32)])
            ids[item.text] = try Int64.fetchOne(get, arguments: [modelID, promptSet, item.text])
        }
        return ids
    }
}

// MARK: - Re-tagging

/// One embedding space's part of a vocabulary change: the segments of (model, adapter), the new
/// vocabulary's label embeddings there (stored or refreshed in the cache in the same commit) and
/// the softmax temperature of its tags.
public struct TagSpace: Sendable {
    public var model: ModelRecord
    public var adapterID: Int64?
    public var promptSet: String
    public var labels: [(text: String, embedding: [Float])]
    public var temperature: Float

    public init(model: ModelRecord, adapterID: Int64?, promptSet: String, labels: [(text: String, embedding: [Float])], temperature: Float) {
        self.model = model; self.adapterID = adapterID; self.promptSet = promptSet
        self.labels = labels; self.temperature = temperature
    }
}

/// What a committed vocabulary change did.
public struct VocabularyCommit: Sendable {
    public var added: [String]
    public var removed: [String]
    /// Segments whose tags were replaced.
    public var segments: Int
}

extension IndexStore {
    /// Changes the vocabulary and re-tags every segment of `spaces` from its stored embedding, all in
    /// ONE transaction: readers see the old tags or the new ones, never half a re-tag, and segments
    /// committed meanwhile by an indexer are read inside it, so none keeps tags of the old
    /// vocabulary (an indexer checks the vocabulary in its own commit: see `commitVideo`).
    /// Returns nil, writing nothing, when the (model, adapter) pairs holding segments are no longer
    /// those of `spaces` (a new adapter's first video arrived): prepare again.
    public func commitVocabulary(adding: [String] = [], removing: [String] = [], spaces: [TagSpace],
                                 policy: TagPolicy) throws -> VocabularyCommit? {
        try write { db in
            let now = try Self.segmentSpaces(db).map { "\($0.model.id)/\($0.adapter?.id ?? 0)" }
            guard Set(now) == Set(spaces.map { "\($0.model.id)/\($0.adapterID ?? 0)" }) else { return nil }
            let added = try Self.addVocabulary(db, adding)
            let removed = try Self.removeVocabulary(db, removing)
            var count = 0
            for space in spaces { count += try Self.retag(db, space, policy: policy) }
            return VocabularyCommit(added: added, removed: removed, segments: count)
        }
    }

    /// Replaces the tags of every segment of one space (inside the caller's transaction).
    private static func retag(_ db: Database, _ space: TagSpace, policy: TagPolicy) throws -> Int {
        let segments = try segmentEmbeddings(db, model: space.model, adapterID: space.adapterID)
        let ids = try putLabels(db, modelID: space.model.id, promptSet: space.promptSet, space.labels)
        let labelIDs = space.labels.map { ids[$0.text]! }
        let embeddings = space.labels.map(\.embedding)
        let tags = segments.values.withUnsafeBufferPointer { buf in
            buf.isEmpty || embeddings.isEmpty ? Array(repeating: [], count: segments.count)
                : tagSegments(features: buf.baseAddress!, count: segments.count, labels: embeddings,
                              temperature: space.temperature, topK: policy.topK, threshold: policy.threshold)
        }
        let delete = try db.cachedStatement(sql: "DELETE FROM tags WHERE segment_id = ?")
        let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO tags (segment_id, label_id, score, rank) VALUES (?, ?, ?, ?)")
        for (seg, segTags) in zip(segments.ids, tags) {
            try delete.execute(arguments: [seg])
            for (rank, t) in segTags.enumerated() {
                try insert.execute(arguments: [seg, labelIDs[t.label], Double(t.score), rank + 1])
            }
        }
        return segments.count
    }
}
