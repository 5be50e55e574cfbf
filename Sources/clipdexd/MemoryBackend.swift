import Foundation
import Synchronization
import Watch

/// An `IngestBackend` held in memory: `--dry-run` uses it to show what the daemon would do with a
/// configuration, and the tests use it (with `reader`) in place of the SQLite index.
final class MemoryBackend: IngestBackend {
    struct Job: Sendable {
        var attempts = 0
        var running = false
        var due = Date.distantPast
        var seq: Int
    }
    struct State: Sendable {
        var records: [String: KnownFile] = [:]
        var jobs: [String: Job] = [:]
        var seq = 0
        /// Every read, in order: path and the size it had then.
        var reads: [(path: String, size: Int64)] = []
        var failures: [String: String] = [:]
    }

    let state = Mutex(State())
    /// "Reads" a file: throws `IngestFailure` to simulate failures. The default accepts anything.
    let reader: @Sendable (String) throws -> Void

    init(reader: @escaping @Sendable (String) throws -> Void = { _ in }) {
        self.reader = reader
    }

    var records: [String: KnownFile] { state.withLock { $0.records } }
    var reads: [(path: String, size: Int64)] { state.withLock { $0.reads } }
    var failures: [String: String] { state.withLock { $0.failures } }

    func knownFiles(under folders: [String]) throws -> [KnownFile] {
        state.withLock { s in s.records.values.filter { r in folders.contains { r.path.isInside($0) } } }
    }

    func record(at path: String) throws -> KnownFile? { state.withLock { $0.records[path] } }

    func records(inodes: Set<UInt64>) throws -> [KnownFile] {
        state.withLock { s in s.records.values.filter { inodes.contains($0.stat.inode) } }
    }

    func enqueue(_ path: String) throws {
        state.withLock { s in
            if var job = s.jobs[path] {
                if !job.running { job.due = .distantPast; job.attempts = 0 }
                s.jobs[path] = job
            } else {
                s.seq += 1
                s.jobs[path] = Job(seq: s.seq)
            }
        }
    }

    func dequeue(_ path: String) throws {
        state.withLock { s in if s.jobs[path]?.running == false { s.jobs.removeValue(forKey: path) } }
    }

    func recoverInterruptedJobs() throws -> Int {
        state.withLock { s in
            let running = s.jobs.filter { $0.value.running }.map(\.key)
            for p in running { s.jobs[p]?.running = false }
            return running.count
        }
    }

    func claimNextJob(now: Date) throws -> IngestJob? {
        state.withLock { s in
            guard let (path, job) = s.jobs.filter({ !$0.value.running && $0.value.due <= now })
                .min(by: { $0.value.seq < $1.value.seq }) else { return nil }
            s.jobs[path]?.running = true
            return IngestJob(path: path, attempts: job.attempts)
        }
    }

    func nextRetryDate() throws -> Date? {
        state.withLock { s in s.jobs.values.filter { !$0.running }.map(\.due).min() }
    }

    func finish(_ job: IngestJob, _ result: JobResult) throws {
        state.withLock { s in
            switch result {
            case .done:
                s.jobs.removeValue(forKey: job.path)
            case .requeue:
                s.jobs[job.path]?.running = false
            case let .retry(at, _):
                s.jobs[job.path]?.running = false
                s.jobs[job.path]?.due = at
                s.jobs[job.path]?.attempts = job.attempts + 1
            case let .failed(reason, stat):
                s.jobs.removeValue(forKey: job.path)
                s.failures[job.path] = reason
                if let stat { s.records[job.path] = KnownFile(path: job.path, stat: stat, failed: true) }
            }
        }
    }

    func index(_ path: String, cancelled: @escaping @Sendable () -> Bool) throws -> IndexOutcome {
        guard let st = FileStat.of(path) else { throw IngestFailure.transient("\(path): vanished while being read") }
        if let old = state.withLock({ $0.records[path] }), !old.failed, old.stat.sameContent(as: st) { return .unchanged }
        try reader(path)
        if cancelled() { throw IngestFailure.cancelled }
        state.withLock { s in
            s.reads.append((path, st.size))
            s.records[path] = KnownFile(path: path, stat: st)
            s.failures.removeValue(forKey: path)
        }
        return .indexed
    }

    func remove(_ path: String) throws {
        state.withLock { s in
            s.records.removeValue(forKey: path)
            s.failures.removeValue(forKey: path)
        }
    }

    func move(from: String, to: String) throws {
        state.withLock { s in
            guard var r = s.records.removeValue(forKey: from) else { return }
            r.path = to
            s.records[to] = r
            if let reason = s.failures.removeValue(forKey: from) { s.failures[to] = reason }
            if let job = s.jobs.removeValue(forKey: from) { s.jobs[to] = job }
        }
    }

    func queueLength() throws -> Int { state.withLock { $0.jobs.count } }
}

extension String {
    /// Whether this path is `folder` or lies under it.
    func isInside(_ folder: String) -> Bool {
        self == folder || hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
    }
}
