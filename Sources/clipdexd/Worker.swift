import Foundation
import Logging
import Synchronization
import Watch

/// When a transient failure is tried again: 30 s, doubling, at most an hour; after `maxAttempts`
/// it is recorded as a permanent failure.
struct RetryPolicy: Sendable {
    var firstDelay = 30.0
    var maxDelay = 3600.0
    var maxAttempts = 6

    func delay(afterAttempts attempts: Int) -> Double {
        min(maxDelay, firstDelay * pow(2, Double(max(0, attempts))))
    }
}

/// Counts for `STATUS=` and the log.
struct IngestStats: Sendable {
    var indexed = 0
    var unchanged = 0
    var failed = 0
    /// Monotonic completion times of recent files, for the rate.
    var recent: [Double] = []

    /// Files per minute over the last five minutes.
    func rate(now: Double) -> Double {
        Double(recent.filter { now - $0 <= 300 }.count) / 5
    }
}

/// Reads queued files one at a time on a thread of its own (decoding and CLIP are blocking CPU
/// work that must not sit on Swift's cooperative pool).
final class Worker: Sendable {
    let backend: any IngestBackend
    let logger: Logger
    let retry: RetryPolicy
    let wake = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    let stopping = Atomic<Bool>(false)
    let current = Mutex<String?>(nil)
    let stats = Mutex(IngestStats())

    init(backend: any IngestBackend, logger: Logger, retry: RetryPolicy = RetryPolicy()) {
        self.backend = backend
        self.logger = logger
        self.retry = retry
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "clipdex-worker"
        thread.start()
    }

    /// New work was queued.
    func poke() { wake.signal() }

    /// Asks the worker to stop and waits up to `timeout` seconds; returns the file it was still
    /// reading when the time ran out (left in the queue, to be redone), or nil.
    func stop(timeout: Double) -> String? {
        stopping.store(true, ordering: .relaxed)
        wake.signal()
        if finished.wait(timeout: .now() + timeout) == .success { return nil }
        return current.withLock { $0 } ?? "?"
    }

    func run() {
        while !stopping.load(ordering: .relaxed) {
            do {
                if let job = try backend.claimNextJob(now: Date()) {
                    try process(job)
                } else {
                    let wait = (try backend.nextRetryDate()).map { max(0.05, $0.timeIntervalSinceNow) } ?? 3600
                    _ = wake.wait(timeout: .now() + min(wait, 3600))
                }
            } catch {
                logger.error("the job queue failed: \(error); trying again in 5 s")
                _ = wake.wait(timeout: .now() + 5)
            }
        }
    }

    func process(_ job: IngestJob) throws {
        guard let before = FileStat.of(job.path), before.kind == .regular else {
            try backend.finish(job, .done)  // gone before we got to it: the watcher drops its rows
            return
        }
        current.withLock { $0 = job.path }
        defer { current.withLock { $0 = nil } }
        let started = ContinuousClock.now
        do {
            let outcome = try backend.index(job.path, cancelled: { [self] in stopping.load(ordering: .relaxed) })
            try backend.finish(job, .done)
            // Renamed or deleted while it was read: the rows committed under the old path must go.
            if FileStat.of(job.path)?.inode != before.inode { try backend.remove(job.path) }
            record(outcome, job.path, started.duration(to: .now))
        } catch IngestFailure.cancelled {
            try backend.finish(job, .requeue)
            logger.info("\(job.path): interrupted, left in the queue to be read again")
        } catch let IngestFailure.permanent(reason) {
            try fail(job, reason, stat: before)
        } catch {
            let reason = "\(error)"
            if job.attempts + 1 >= retry.maxAttempts {
                try fail(job, "\(reason) (gave up after \(job.attempts + 1) attempts)", stat: before)
            } else {
                let delay = retry.delay(afterAttempts: job.attempts)
                try backend.finish(job, .retry(at: Date().addingTimeInterval(delay), reason: reason))
                logger.warning("\(job.path): \(reason); trying again in \(Int(delay)) s")
            }
        }
    }

    func fail(_ job: IngestJob, _ reason: String, stat: FileStat) throws {
        try backend.finish(job, .failed(reason: reason, stat: stat))
        stats.withLock { $0.failed += 1 }
        logger.error("\(job.path): not indexed: \(reason) (retried when the file changes)")
    }

    func record(_ outcome: IndexOutcome, _ path: String, _ took: Duration) {
        let now = Monotonic.seconds()
        stats.withLock { s in
            if outcome == .indexed { s.indexed += 1 } else { s.unchanged += 1 }
            s.recent.append(now)
            if s.recent.count > 1000 { s.recent.removeFirst(s.recent.count - 1000) }
        }
        let secs = Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18
        if outcome == .indexed {
            logger.info("\(path): indexed in \(String(format: "%.1f", secs)) s")
        } else {
            logger.debug("\(path): unchanged")
        }
    }
}

/// Monotonic seconds (CLOCK_MONOTONIC), for settle timers and rates.
enum Monotonic {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
