import Foundation
import Watch

/// What clipdexd needs from the index: its records, the persistent job queue, and reading one
/// file into it. The real one is the `Index` module's SQLite store; `MemoryBackend` stands in
/// for `--dry-run` and the tests. Calls may come from any thread.
protocol IngestBackend: Sendable {
    /// Records (indexed or permanently failed) under any of the folders, with the stat of the file
    /// when it was read.
    func knownFiles(under folders: [String]) throws -> [KnownFile]
    /// The record at one path, if any.
    func record(at path: String) throws -> KnownFile?
    /// Records of files with one of these inodes (to find where a file went; the caller checks
    /// the device too).
    func records(inodes: Set<UInt64>) throws -> [KnownFile]
    /// Queues a file to be read. Idempotent: one job per path; re-arms a failed or delayed job.
    func enqueue(_ path: String) throws
    /// Drops the queued job of a path, if any (the file went away before it was read).
    func dequeue(_ path: String) throws
    /// Puts jobs left running by a crash back in the queue; returns how many.
    func recoverInterruptedJobs() throws -> Int
    /// Takes the oldest job due at `now` and marks it running.
    func claimNextJob(now: Date) throws -> IngestJob?
    /// When the earliest delayed (retrying) job becomes due.
    func nextRetryDate() throws -> Date?
    /// Records how a job ended.
    func finish(_ job: IngestJob, _ result: JobResult) throws
    /// Reads one file and commits its rows in one transaction (nothing is visible before the
    /// commit). Blocking; polls `cancelled` and throws `IngestFailure.cancelled` when it says so.
    func index(_ path: String, cancelled: @escaping @Sendable () -> Bool) throws -> IndexOutcome
    /// Deletes the rows of a video (no-op when unknown).
    func remove(_ path: String) throws
    /// Moves a record to a new path, replacing any record already there; its queued job follows.
    func move(from: String, to: String) throws
    /// Jobs waiting or running.
    func queueLength() throws -> Int
}

/// A claimed job.
struct IngestJob: Sendable, Equatable {
    var path: String
    /// Failed attempts so far.
    var attempts: Int
}

/// How a job ended.
enum JobResult: Sendable, Equatable {
    /// Indexed, unchanged, or the file is gone: the job is removed.
    case done
    /// Put back as it was (the daemon is stopping); does not count as an attempt.
    case requeue
    /// A transient failure: try again at `at`.
    case retry(at: Date, reason: String)
    /// A permanent failure, recorded with the file's stat so it is retried only when the file changes.
    case failed(reason: String, stat: FileStat?)
}

/// What indexing a file did.
enum IndexOutcome: Sendable, Equatable {
    case indexed
    /// Already indexed with this content: nothing done.
    case unchanged
}

/// Why indexing a file failed.
enum IngestFailure: Error, Equatable, CustomStringConvertible {
    /// Worth retrying later (disk full, database busy, file briefly unreadable).
    case transient(String)
    /// Will fail again until the file changes (not a video, corrupt).
    case permanent(String)
    /// Stopped on request; nothing was committed.
    case cancelled

    var description: String {
        switch self {
        case let .transient(why), let .permanent(why): return why
        case .cancelled: return "cancelled"
        }
    }
}
