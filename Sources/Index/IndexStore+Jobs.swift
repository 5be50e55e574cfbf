import Foundation
import GRDB

/// A job of the persistent ingest queue, as claimed by a worker.
public struct IndexJob: Sendable, Equatable {
    public var path: String
    /// Failed attempts so far.
    public var attempts: Int
    public init(path: String, attempts: Int) { self.path = path; self.attempts = attempts }
}

/// How a job ended (the daemon's view).
public enum IndexJobResult: Sendable, Equatable {
    /// Indexed, unchanged, or gone: the job is removed.
    case done
    /// Put back as it was (shutting down); not an attempt.
    case requeue
    /// Transient failure: try again at `at`.
    case retry(at: Date, reason: String)
    /// Permanent failure: the job is removed and the video recorded as failed with `file`.
    case failed(reason: String, file: FileIdentity?)
}

// MARK: - The job queue (the daemon's persistent work list)

extension IndexStore {
    /// Queues `path`. One job per path: an existing waiting job is made due now with its attempts reset.
    public func enqueue(_ path: String, now: Date = Date()) throws {
        let t = now.timeIntervalSince1970
        try write { db in
            try db.execute(sql: """
                INSERT INTO jobs (path, state, attempts, due_at, seq, created_at, updated_at)
                VALUES (?, 'queued', 0, 0, (SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs), ?, ?)
                ON CONFLICT (path) DO UPDATE SET due_at = 0, attempts = 0, last_error = NULL, updated_at = excluded.updated_at
                  WHERE jobs.state = 'queued'
                """, arguments: [path, t, t])
        }
    }

    /// Drops the waiting job of `path`, if any (a running one stays).
    public func dequeue(_ path: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM jobs WHERE path = ? AND state = 'queued'", arguments: [path]) }
    }

    /// Puts jobs left running (by a crash) back in the queue; returns how many.
    public func recoverInterruptedJobs() throws -> Int {
        try write { db in
            try db.execute(sql: "UPDATE jobs SET state = 'queued' WHERE state = 'running'")
            return db.changesCount
        }
    }

    /// Takes the oldest job due at `now` and marks it running.
    public func claimNextJob(now: Date = Date()) throws -> IndexJob? {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT path, attempts FROM jobs WHERE state = 'queued' AND due_at <= ? ORDER BY seq LIMIT 1
                """, arguments: [now.timeIntervalSince1970]) else { return nil }
            let job = IndexJob(path: row["path"], attempts: row["attempts"])
            try db.execute(sql: "UPDATE jobs SET state = 'running', updated_at = ? WHERE path = ?",
                           arguments: [now.timeIntervalSince1970, job.path])
            return job
        }
    }

    /// When the earliest waiting job becomes due (nil when none waits).
    public func nextDueDate() throws -> Date? {
        try read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(due_at) FROM jobs WHERE state = 'queued'")
                .map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// Records how a claimed job ended.
    public func finish(_ job: IndexJob, _ result: IndexJobResult, now: Date = Date()) throws {
        let t = now.timeIntervalSince1970
        switch result {
        case .done:
            try write { db in try db.execute(sql: "DELETE FROM jobs WHERE path = ?", arguments: [job.path]) }
        case .requeue:
            try write { db in try db.execute(sql: "UPDATE jobs SET state = 'queued', updated_at = ? WHERE path = ?", arguments: [t, job.path]) }
        case let .retry(at, reason):
            try write { db in
                try db.execute(sql: """
                    UPDATE jobs SET state = 'queued', due_at = ?, attempts = ?, last_error = ?, updated_at = ? WHERE path = ?
                    """, arguments: [at.timeIntervalSince1970, job.attempts + 1, reason, t, job.path])
            }
        case let .failed(reason, file):
            try write { db in try db.execute(sql: "DELETE FROM jobs WHERE path = ?", arguments: [job.path]) }
            try recordFailure(path: job.path, file: file, reason: reason)
        }
    }

    /// Jobs waiting or running.
    public func queueLength() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") ?? 0 }
    }

    /// Paths with a job (waiting or running), with their last error, in queue order.
    public func queuedPaths() throws -> [(path: String, lastError: String?)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT path, last_error FROM jobs ORDER BY seq").map { ($0["path"], $0["last_error"]) }
        }
    }
}

// MARK: - Label vocabulary

extension IndexStore {
    /// Adds (or refreshes) labels of a prompt set with their text embeddings under a model; returns
    /// their ids in the order given. Tags of segments refer to these ids.
    public func upsertLabels(modelID: Int64, promptSet: String, _ labels: [(text: String, embedding: [Float])]) throws -> [Int64] {
        try write { db in
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO labels (model_id, prompt_set, text, embedding) VALUES (?, ?, ?, ?)
                ON CONFLICT (model_id, prompt_set, text) DO UPDATE SET embedding = excluded.embedding
                """)
            return try labels.map { l in
                try stmt.execute(arguments: [modelID, promptSet, l.text, EmbeddingCodec.encode(EmbeddingCodec.normalized(l.embedding), as: .float32)])
                return try Int64.fetchOne(db, sql: "SELECT id FROM labels WHERE model_id = ? AND prompt_set = ? AND text = ?",
                                          arguments: [modelID, promptSet, l.text])!
            }
        }
    }

    /// The labels of a prompt set under a model: id, text, unit-length embedding.
    public func labels(modelID: Int64, promptSet: String) throws -> [(id: Int64, text: String, embedding: [Float])] {
        try read { db in
            let dim = try Int.fetchOne(db, sql: "SELECT dim FROM models WHERE id = ?", arguments: [modelID]) ?? 0
            return try Row.fetchAll(db, sql: "SELECT id, text, embedding FROM labels WHERE model_id = ? AND prompt_set = ? ORDER BY id",
                                    arguments: [modelID, promptSet]).compactMap { r in
                EmbeddingCodec.decode(r["embedding"], dim: dim).map { (r["id"], r["text"], $0) }
            }
        }
    }
}

// MARK: - Summaries

/// One file as `clipdex list` shows it: a file with a pending job is `queued` (its old rows, if
/// any, stay searchable until it is read again), otherwise its record's status.
public struct VideoListing: Sendable, Equatable {
    public var path: String
    public var status: VideoStatus
    public var duration: Double?
    public var segments: Int
    public var error: String?
    public var videoID: Int64?
}

/// Counts over the whole index (`clipdex status`); `videos` = `indexed` + `failed` + `queued`.
public struct IndexSummary: Sendable, Equatable {
    public var videos: Int
    public var indexed: Int
    public var failed: Int
    public var queued: Int
    public var segments: Int
    public var frames: Int
    /// Failed files with their reasons.
    public var failures: [VideoListing]
}

extension IndexStore {
    /// One entry per file (recorded or queued), by path; only `path` when given.
    public func listing(path: String? = nil) throws -> [VideoListing] {
        try read { db in
            let filter = path == nil ? "" : " WHERE v.path = ?"
            let args: StatementArguments = path.map { [$0] } ?? []
            var out: [String: VideoListing] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT v.id, v.path, v.status, v.duration, v.error, (SELECT COUNT(*) FROM segments s WHERE s.video_id = v.id) AS n
                FROM videos v\(filter)
                """, arguments: args) {
                out[r["path"]] = VideoListing(path: r["path"], status: VideoStatus(rawValue: r["status"]) ?? .failed,
                                              duration: r["duration"], segments: r["n"], error: r["error"], videoID: r["id"])
            }
            for r in try Row.fetchAll(db, sql: "SELECT path, last_error FROM jobs" + (path == nil ? "" : " WHERE path = ?"), arguments: args) {
                let p: String = r["path"]
                var e = out[p] ?? VideoListing(path: p, status: .queued, duration: nil, segments: 0, error: nil, videoID: nil)
                e.status = .queued
                e.error = r["last_error"]
                out[p] = e
            }
            return out.values.sorted { $0.path < $1.path }
        }
    }

    public func summary() throws -> IndexSummary {
        let all = try listing()
        let (segments, frames) = try read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM segments") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM frames") ?? 0)
        }
        let failures = all.filter { $0.status == .failed }
        return IndexSummary(videos: all.count, indexed: all.filter { $0.status == .indexed }.count, failed: failures.count,
                            queued: all.filter { $0.status == .queued }.count, segments: segments, frames: frames,
                            failures: failures)
    }
}
