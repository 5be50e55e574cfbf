import Foundation
import GRDB

// MARK: - Writing videos

extension IndexStore {
    /// Replaces everything the index holds for `path` by `content` — video row, frames, segments,
    /// tags — in one transaction, so readers see the old video or the new one, never a mix.
    /// Returns the video's id.
    @discardableResult
    public func commitVideo(path: String, file: FileIdentity, modelID: Int64, adapterID: Int64? = nil, content: VideoContent,
                            frameFormat: EmbeddingFormat = .float16,
                            segmentFormat: EmbeddingFormat = .float16) throws -> Int64 {
        try write { db in
            try insertVideo(db, path: path, file: file, modelID: modelID, adapterID: adapterID, content: content,
                            frameFormat: frameFormat, segmentFormat: segmentFormat)
        }
    }

    /// `commitVideo` of segments tagged with `vocabulary` (sorted): committed only if that is still
    /// the store's vocabulary, checked inside the transaction; nil (nothing written) when it changed
    /// meanwhile — tag again and retry. So a re-tag never leaves a new video with old tags.
    public func commitVideo(path: String, file: FileIdentity, modelID: Int64, adapterID: Int64?, content: VideoContent,
                            taggedWith vocabulary: [String], frameFormat: EmbeddingFormat = .float16,
                            segmentFormat: EmbeddingFormat = .float16) throws -> Int64? {
        try write { db in
            guard try String.fetchAll(db, sql: "SELECT text FROM vocabulary ORDER BY text") == vocabulary else { return nil }
            return try insertVideo(db, path: path, file: file, modelID: modelID, adapterID: adapterID, content: content,
                                   frameFormat: frameFormat, segmentFormat: segmentFormat)
        }
    }

    private func insertVideo(_ db: Database, path: String, file: FileIdentity, modelID: Int64, adapterID: Int64?,
                             content: VideoContent, frameFormat: EmbeddingFormat, segmentFormat: EmbeddingFormat) throws -> Int64 {
        let id = try upsertVideo(db, path: path, file: file, status: .indexed, error: nil, modelID: modelID,
                                 adapterID: adapterID, metadata: content.metadata, frameCount: content.frames.count, fps: content.fps)
        try db.execute(sql: "DELETE FROM frames WHERE video_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM segments WHERE video_id = ?", arguments: [id])
        let frame = try db.cachedStatement(sql: "INSERT INTO frames (video_id, model_id, time, embedding) VALUES (?, ?, ?, ?)")
        for (t, v) in zip(content.times, content.frames) {
            try frame.execute(arguments: [id, modelID, t, EmbeddingCodec.encode(v, as: frameFormat)])
        }
        let seg = try db.cachedStatement(sql: """
            INSERT INTO segments (video_id, model_id, adapter_id, start, "end", score, frame_count, embedding)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let tag = try db.cachedStatement(sql: "INSERT OR REPLACE INTO tags (segment_id, label_id, score, rank) VALUES (?, ?, ?, ?)")
        for s in content.segments {
            try seg.execute(arguments: [id, modelID, adapterID, s.start, s.end, s.score, s.frames.count,
                                        EmbeddingCodec.encode(s.embedding, as: segmentFormat)])
            let segID = db.lastInsertedRowID
            for (rank, t) in s.tags.enumerated() { try tag.execute(arguments: [segID, t.label, t.score, rank + 1]) }
        }
        return id
    }

    /// Records that `path` could not be indexed (why), dropping any rows it had: `list` and
    /// `status` show it as failed with the reason. `file` is its stat when known, so a daemon
    /// retries only once the file changes.
    public func recordFailure(path: String, file: FileIdentity?, reason: String) throws {
        try write { db in
            let id = try upsertVideo(db, path: path, file: file, status: .failed, error: reason, modelID: nil,
                                     adapterID: nil, metadata: nil, frameCount: 0, fps: nil)
            try db.execute(sql: "DELETE FROM segments WHERE video_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM frames WHERE video_id = ?", arguments: [id])
        }
    }

    private func upsertVideo(_ db: Database, path: String, file: FileIdentity?, status: VideoStatus, error: String?,
                             modelID: Int64?, adapterID: Int64?, metadata: VideoMetadata?, frameCount: Int, fps: Double?) throws -> Int64 {
        let dev = file.map { Int64(bitPattern: $0.device) }, ino = file.map { Int64(bitPattern: $0.inode) }
        try db.execute(sql: """
            INSERT INTO videos (path, device, inode, size, mtime_ns, fingerprint, duration, width, height, codec,
                                status, error, model_id, adapter_id, frame_count, fps, indexed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (path) DO UPDATE SET device = excluded.device, inode = excluded.inode, size = excluded.size,
              mtime_ns = excluded.mtime_ns, fingerprint = excluded.fingerprint, duration = excluded.duration,
              width = excluded.width, height = excluded.height, codec = excluded.codec, status = excluded.status,
              error = excluded.error, model_id = excluded.model_id, adapter_id = excluded.adapter_id, frame_count = excluded.frame_count,
              fps = excluded.fps, indexed_at = excluded.indexed_at
            """, arguments: [path, dev, ino, file?.size, file?.mtimeNanos, file?.fingerprint, metadata?.duration,
                             metadata?.width, metadata?.height, metadata?.codec, status.rawValue, error, modelID,
                             adapterID, frameCount, fps, Date().timeIntervalSince1970])
        return try Int64.fetchOne(db, sql: "SELECT id FROM videos WHERE path = ?", arguments: [path])!
    }

    /// Deletes a video's rows (frames, segments, tags) and its queued job. No-op when unknown.
    public func removeVideo(path: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM videos WHERE path = ?", arguments: [path])
            try db.execute(sql: "DELETE FROM jobs WHERE path = ? AND state = 'queued'", arguments: [path])
        }
    }

    /// Deletes the rows of every video at or under `folder` (a folder was deleted). Returns how many.
    @discardableResult
    public func removeVideos(under folder: String) throws -> Int {
        try write { db in
            let (sql, args) = Self.under(folder)
            try db.execute(sql: "DELETE FROM videos WHERE \(sql)", arguments: args)
            let n = db.changesCount
            try db.execute(sql: "DELETE FROM jobs WHERE state = 'queued' AND \(sql)", arguments: args)
            return n
        }
    }

    /// Moves a record (and its queued job) to a new path, replacing whatever was recorded there.
    /// No-op when nothing is recorded at `from`.
    public func moveVideo(from: String, to: String) throws {
        guard from != to else { return }
        try write { db in
            if try Int64.fetchOne(db, sql: "SELECT id FROM videos WHERE path = ?", arguments: [from]) != nil {
                try db.execute(sql: "DELETE FROM videos WHERE path = ?", arguments: [to])
                try db.execute(sql: "UPDATE videos SET path = ? WHERE path = ?", arguments: [to, from])
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM jobs WHERE path = ?", arguments: [from]) != nil {
                try db.execute(sql: "DELETE FROM jobs WHERE path = ?", arguments: [to])
                try db.execute(sql: "UPDATE jobs SET path = ? WHERE path = ?", arguments: [to, from])
            }
        }
    }

    /// SQL condition (on `path`) for "at or under folder", with its arguments.
    static func under(_ folder: String) -> (String, StatementArguments) {
        let dir = folder.hasSuffix("/") ? folder : folder + "/"
        return ("(path = ? OR substr(path, 1, ?) = ?)", [folder, dir.utf8.count, dir])
    }
}

// MARK: - Reading videos

extension IndexStore {
    /// The record at `path`, if any.
    public func video(path: String) throws -> VideoRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM videos WHERE path = ?", arguments: [path]).map(VideoRecord.init) }
    }

    /// The record with this id, if any.
    public func video(id: Int64) throws -> VideoRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM videos WHERE id = ?", arguments: [id]).map(VideoRecord.init) }
    }

    /// Records (indexed or failed) at or under any of the folders, by path; all when `folders` is empty.
    public func videos(under folders: [String] = []) throws -> [VideoRecord] {
        try read { db in
            var sql = "SELECT * FROM videos"
            var args = StatementArguments()
            if !folders.isEmpty {
                let parts = folders.map { Self.under($0) }
                sql += " WHERE " + parts.map(\.0).joined(separator: " OR ")
                for p in parts { args += p.1 }
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY path", arguments: args).map(VideoRecord.init)
        }
    }

    /// A video's segments in time order.
    public func segments(videoID: Int64) throws -> [SegmentRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, video_id, model_id, adapter_id, start, \"end\", score, frame_count FROM segments WHERE video_id = ? ORDER BY start",
                             arguments: [videoID]).map(SegmentRecord.init)
        }
    }

    /// One segment, with its video's path.
    public func segment(id: Int64) throws -> (segment: SegmentRecord, path: String) {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.id, s.video_id, s.model_id, s.adapter_id, s.start, s."end", s.score, s.frame_count, v.path
                FROM segments s JOIN videos v ON v.id = s.video_id WHERE s.id = ?
                """, arguments: [id]) else { throw IndexError.unknownSegment(id) }
            return (SegmentRecord(row: row), row["path"])
        }
    }

    /// A segment's pooled embedding (unit length, float32).
    public func segmentEmbedding(id: Int64) throws -> [Float] {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.embedding, m.dim FROM segments s JOIN models m ON m.id = s.model_id WHERE s.id = ?
                """, arguments: [id]) else { throw IndexError.unknownSegment(id) }
            let blob: Data = row["embedding"], dim: Int = row["dim"]
            guard let v = EmbeddingCodec.decode(blob, dim: dim) else {
                throw IndexError.database(path, "segment \(id) has an embedding of \(blob.count) bytes for width \(dim); re-index its video")
            }
            return v
        }
    }

    /// A video's frame times and embeddings (unit length).
    public func frames(videoID: Int64) throws -> (times: [Double], vectors: [[Float]]) {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.time, f.embedding, m.dim FROM frames f JOIN models m ON m.id = f.model_id
                WHERE f.video_id = ? ORDER BY f.time
                """, arguments: [videoID])
            var times: [Double] = [], vectors: [[Float]] = []
            for r in rows {
                guard let v = EmbeddingCodec.decode(r["embedding"], dim: r["dim"]) else { continue }
                times.append(r["time"]); vectors.append(v)
            }
            return (times, vectors)
        }
    }

    /// Tags of the given segments, best first.
    public func tags(segmentIDs: [Int64]) throws -> [Int64: [SegmentTag]] {
        guard !segmentIDs.isEmpty else { return [:] }
        return try read { db in
            var out: [Int64: [SegmentTag]] = [:]
            let marks = Array(repeating: "?", count: segmentIDs.count).joined(separator: ",")
            for r in try Row.fetchAll(db, sql: """
                SELECT t.segment_id, l.text, t.score, t.rank FROM tags t JOIN labels l ON l.id = t.label_id
                WHERE t.segment_id IN (\(marks)) ORDER BY t.segment_id, t.rank
                """, arguments: StatementArguments(segmentIDs)) {
                out[r["segment_id"], default: []].append(SegmentTag(label: r["text"], score: r["score"], rank: r["rank"]))
            }
            return out
        }
    }
}

// MARK: - Moments

extension IndexStore {
    /// The stored frame of a video within [start, end) that best matches `query` (cosine): the
    /// moment inside a segment to jump to. nil when the span holds no frame.
    public func bestFrame(videoID: Int64, start: Double, end: Double, query: [Float]) throws -> (time: Double, score: Float)? {
        let q = EmbeddingCodec.normalized(query)
        return try read { db in
            var best: (time: Double, score: Float)?
            var v = [Float](repeating: 0, count: q.count)
            for r in try Row.fetchAll(db, sql: "SELECT time, embedding FROM frames WHERE video_id = ? AND time >= ? AND time < ? ORDER BY time",
                                      arguments: [videoID, start, end]) {
                let ok = v.withUnsafeMutableBufferPointer { EmbeddingCodec.decode(r["embedding"], dim: q.count, into: $0.baseAddress!) }
                guard ok else { continue }
                var s: Float = 0
                for i in 0..<q.count { s += v[i] * q[i] }
                if best == nil || s > best!.score { best = (r["time"], s) }
            }
            return best
        }
    }
}
