import Foundation
import GRDB
import GRDBSQLite

// MARK: - Adapters

extension IndexStore {
    /// The adapter's row, added when new; its path is refreshed so `labels add` and `search` find it.
    @discardableResult
    public func registerAdapter(identity: String, path: String, modelID: Int64) throws -> AdapterRecord {
        try write { db in
            try db.execute(sql: """
                INSERT INTO adapters (identity, path, model_id, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (identity) DO UPDATE SET path = excluded.path WHERE excluded.path <> adapters.path
                """, arguments: [identity, path, modelID, Date().timeIntervalSince1970])
            return try AdapterRecord(row: Row.fetchOne(db, sql: "SELECT * FROM adapters WHERE identity = ?", arguments: [identity])!)
        }
    }

    /// All adapters the index knows.
    public func adapters() throws -> [AdapterRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM adapters ORDER BY id").map(AdapterRecord.init) }
    }

    /// The adapter most indexed videos of `modelID` were built with (nil: none, the frozen CLIP).
    /// What `search` uses without `--adapter`, so search and tags agree.
    public func primaryAdapter(modelID: Int64) throws -> AdapterRecord? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT a.* FROM videos v LEFT JOIN adapters a ON a.id = v.adapter_id
                WHERE v.status = 'indexed' AND v.model_id = ?
                GROUP BY v.adapter_id ORDER BY COUNT(*) DESC, v.adapter_id IS NULL DESC LIMIT 1
                """, arguments: [modelID]).flatMap { $0["id"] == nil ? nil : AdapterRecord(row: $0) }
        }
    }

    /// Every (model, adapter) that made stored segments, with the segment count: the embedding
    /// spaces the vocabulary must be tagged in.
    public func segmentSpaces() throws -> [(model: ModelRecord, adapter: AdapterRecord?, segments: Int)] {
        try read { db in try Self.segmentSpaces(db) }
    }

    static func segmentSpaces(_ db: Database) throws -> [(model: ModelRecord, adapter: AdapterRecord?, segments: Int)] {
        let models = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT * FROM models").map { r in
            (r["id"] as Int64, ModelRecord(row: r))
        })
        let adapters = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT * FROM adapters").map { r in
            (r["id"] as Int64, AdapterRecord(row: r))
        })
        return try Row.fetchAll(db, sql: """
            SELECT model_id, adapter_id, COUNT(*) AS n FROM segments GROUP BY model_id, adapter_id ORDER BY model_id, adapter_id
            """).compactMap { r in
            guard let m = models[r["model_id"]] else { return nil }
            let a: Int64? = r["adapter_id"]
            return (m, a.flatMap { adapters[$0] }, r["n"])
        }
    }
}

// MARK: - Bulk segment embeddings

/// Every segment embedding of one (model, adapter) as float32 rows of one contiguous buffer
/// [count, dim] (row i belongs to `ids[i]`): what re-tagging multiplies against the labels.
public struct SegmentEmbeddings: Sendable {
    public var ids: [Int64]
    public var dim: Int
    public var values: [Float]
    public var count: Int { ids.count }
}

extension IndexStore {
    /// Reads all segment embeddings of (`model`, `adapterID`) in one sequential scan; rows whose
    /// BLOB has the wrong length are skipped.
    public func segmentEmbeddings(model: ModelRecord, adapterID: Int64?) throws -> SegmentEmbeddings {
        try read { db in try Self.segmentEmbeddings(db, model: model, adapterID: adapterID) }
    }

    /// `segmentEmbeddings` inside a transaction.
    static func segmentEmbeddings(_ db: Database, model: ModelRecord, adapterID: Int64?) throws -> SegmentEmbeddings {
        let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM segments WHERE model_id = ? AND adapter_id IS ?",
                                 arguments: [model.id, adapterID]) ?? 0
        let dim = model.dim
        var ids: [Int64] = []
        ids.reserveCapacity(n)
        var values = [Float](repeating: 0, count: n * dim)
        let stmt = try db.makeStatement(sql: "SELECT id, embedding FROM segments WHERE +model_id = ? AND adapter_id IS ? ORDER BY id")
        try stmt.setArguments([model.id, adapterID])
        let raw = stmt.sqliteStatement
        defer { sqlite3_reset(raw) }
        try values.withUnsafeMutableBufferPointer { out in
            while ids.count < n {
                let rc = sqlite3_step(raw)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "reading segments") }
                let bytes = Int(sqlite3_column_bytes(raw, 1))
                guard let blob = sqlite3_column_blob(raw, 1) else { continue }
                let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: blob), count: bytes, deallocator: .none)
                guard EmbeddingCodec.decode(data, dim: dim, into: out.baseAddress! + ids.count * dim) else { continue }
                ids.append(sqlite3_column_int64(raw, 0))
            }
        }
        values.removeLast(values.count - ids.count * dim)
        return SegmentEmbeddings(ids: ids, dim: dim, values: values)
    }
}
