import Foundation
import GRDB
import GRDBSQLite

/// One search result: a segment of a video and how well it matches.
public struct SearchHit: Sendable, Equatable {
    public var segment: Int64
    public var videoID: Int64
    public var path: String
    public var start: Double
    public var end: Double
    /// Cosine similarity between the query and the segment's embedding.
    public var score: Float
    public var tags: [SegmentTag] = []
    /// The sampled frame inside the segment that matches best (seconds), when looked up.
    public var moment: Double?
}

/// The segments of one model held in memory for search: embeddings in a contiguous
/// `EmbeddingMatrix`, with each row's segment id, video and times beside it. Built once per
/// process from the store (`load`); every query is then one exact scan.
public final class SegmentIndex: Sendable {
    public let model: ModelRecord
    /// The adapter whose segments these are (nil: frozen CLIP, mean pooling).
    public let adapterID: Int64?
    public let matrix: EmbeddingMatrix
    let segmentIDs: [Int64]
    let rowVideo: [Int32]          // index into videoIDs/paths
    let starts: [Double]
    let ends: [Double]
    let videoIDs: [Int64]
    let paths: [String]

    /// Segment count.
    public var count: Int { segmentIDs.count }

    /// Reads every segment of (`model`, `adapterID`) whose video is indexed into memory (`format`
    /// float16 halves the memory and the scan time; see `clipdex bench search` for its recall).
    /// Segments of other adapters live in other embedding spaces and are left out.
    public static func load(store: IndexStore, model: ModelRecord, adapterID: Int64? = nil,
                            format: EmbeddingFormat = .float16) throws -> SegmentIndex {
        try store.read { db in
            var videoIndex: [Int64: Int32] = [:], videoIDs: [Int64] = [], paths: [String] = []
            for r in try Row.fetchAll(db, sql: "SELECT id, path FROM videos WHERE status = 'indexed' AND model_id = ?",
                                         arguments: [model.id]) {
                videoIndex[r["id"]] = Int32(videoIDs.count)
                videoIDs.append(r["id"]); paths.append(r["path"])
            }
            let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM segments WHERE model_id = ? AND adapter_id IS ?",
                                     arguments: [model.id, adapterID]) ?? 0
            let matrix = EmbeddingMatrix(dim: model.dim, format: format, capacity: n)
            var ids: [Int64] = [], rowVideo: [Int32] = [], starts: [Double] = [], ends: [Double] = []
            ids.reserveCapacity(n); rowVideo.reserveCapacity(n); starts.reserveCapacity(n); ends.reserveCapacity(n)
            // Raw statement stepping: GRDB's per-row `Row` costs more than the copy of the vector itself.
            // `+model_id` keeps SQLite on one sequential table scan in rowid order instead of an index
            // lookup per row (nearly every row matches: most indexes hold one model).
            let stmt = try db.makeStatement(sql: """
                SELECT id, video_id, start, "end", embedding FROM segments WHERE +model_id = ? AND adapter_id IS ? ORDER BY id
                """)
            try stmt.setArguments([model.id, adapterID])
            let raw = stmt.sqliteStatement
            while true {
                let rc = sqlite3_step(raw)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: "reading segments") }
                guard let v = videoIndex[sqlite3_column_int64(raw, 1)] else { continue }
                let bytes = Int(sqlite3_column_bytes(raw, 4))
                guard let blob = sqlite3_column_blob(raw, 4),
                      matrix.append(bytes: UnsafeRawBufferPointer(start: blob, count: bytes)) else { continue }
                ids.append(sqlite3_column_int64(raw, 0)); rowVideo.append(v)
                starts.append(sqlite3_column_double(raw, 2)); ends.append(sqlite3_column_double(raw, 3))
            }
            sqlite3_reset(raw)
            return SegmentIndex(model: model, adapterID: adapterID, matrix: matrix, segmentIDs: ids, rowVideo: rowVideo, starts: starts,
                                ends: ends, videoIDs: videoIDs, paths: paths)
        }
    }

    init(model: ModelRecord, adapterID: Int64? = nil, matrix: EmbeddingMatrix, segmentIDs: [Int64], rowVideo: [Int32],
         starts: [Double], ends: [Double], videoIDs: [Int64], paths: [String]) {
        self.model = model; self.adapterID = adapterID; self.matrix = matrix; self.segmentIDs = segmentIDs; self.rowVideo = rowVideo
        self.starts = starts; self.ends = ends; self.videoIDs = videoIDs; self.paths = paths
    }

    /// The `limit` segments most similar to `query` (any scale; normalised here), best first,
    /// among videos whose path starts with `pathPrefix` when given, leaving out `excluding`.
    public func search(_ query: [Float], limit: Int, pathPrefix: String? = nil, excluding: Int64? = nil) -> [SearchHit] {
        let q = EmbeddingCodec.normalized(query)
        var allowed: [Bool]?
        if let pathPrefix { allowed = paths.map { $0.hasPrefix(pathPrefix) } }
        let skipRow = excluding.flatMap { id in segmentIDs.firstIndex(of: id) }
        let accept: ((Int) -> Bool)?
        if allowed != nil || skipRow != nil {
            let a = allowed, rv = rowVideo
            accept = { row in row != skipRow && (a?[Int(rv[row])] ?? true) }
        } else {
            accept = nil
        }
        return matrix.top(q, k: limit, accept: accept).map { hit in
            let v = Int(rowVideo[hit.row])
            return SearchHit(segment: segmentIDs[hit.row], videoID: videoIDs[v], path: paths[v],
                             start: starts[hit.row], end: ends[hit.row], score: hit.score)
        }
    }

    /// The stored embedding of a segment, if it is in this index.
    public func embedding(segment id: Int64) -> [Float]? {
        segmentIDs.firstIndex(of: id).map { matrix.row($0) }
    }
}
