import Foundation

/// The helper threads of `Threads.parallelFor`: started on first use, parked between loops, never
/// ended. The caller runs chunks too and only ever waits on a condition variable.
///
/// Why not `DispatchQueue.concurrentPerform`: called from a thread that is not one of libdispatch's
/// (the daemon's worker, the indexer's storage thread), it fills that thread's continuation cache.
/// When such a thread ends, swift-corelibs-libdispatch frees the cache but leaves the thread's
/// pointer to it; anything the thread's remaining destructors hand to libdispatch afterwards (e.g.
/// GRDB's queue being disposed when the thread drops the last reference to the store) takes a
/// continuation from freed memory and writes into the heap: `clipdexd` aborted at exit with
/// "tcache_thread_shutdown(): unaligned tcache chunk detected". Here no caller touches libdispatch.
final class ChunkPool: @unchecked Sendable {
    /// The loop being run; read by helpers under `condition` only.
    private struct Job {
        let parts: Int
        let run: UnsafePointer<(Int) -> Void>
    }

    private let condition = NSCondition()
    private var job: Job?
    private var next = 0
    private var unfinished = 0
    private var helpers = 0

    /// The process-wide pool.
    static let shared = ChunkPool()

    /// How many helper threads are running (they are never ended).
    var helperCount: Int {
        condition.lock(); defer { condition.unlock() }
        return helpers
    }

    /// Runs `body(p)` for every `p` in `0..<parts`, on the caller and up to `parts - 1` helpers,
    /// and returns when all have returned. While another loop uses the pool (a concurrent caller,
    /// or a nested loop) the parts run on the caller, in order.
    func run(parts: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafePointer(to: &task) { run(Job(parts: parts, run: $0)) }
        }
    }

    private func run(_ newJob: Job) {
        condition.lock()
        if job != nil {
            condition.unlock()
            for p in 0..<newJob.parts { newJob.run.pointee(p) }
            return
        }
        while helpers < newJob.parts - 1 { startHelper() }
        job = newJob
        next = 0
        unfinished = newJob.parts
        condition.broadcast()
        while let (j, p) = claim() {
            condition.unlock()
            Self.call(j, p)
            condition.lock()
            finishPart()
        }
        while unfinished > 0 { condition.wait() }
        job = nil
        condition.unlock()
    }

    /// The next unclaimed part of the current job (call with the lock held).
    private func claim() -> (Job, Int)? {
        guard let j = job, next < j.parts else { return nil }
        next += 1
        return (j, next - 1)
    }

    /// One part finished (call with the lock held).
    private func finishPart() {
        unfinished -= 1
        if unfinished == 0 { condition.broadcast() }
    }

    /// Calls part `p` of `job`; the closure is only borrowed, so nothing of it outlives the call.
    @inline(never)
    private static func call(_ job: Job, _ p: Int) { job.run.pointee(p) }

    private func startHelper() {
        helpers += 1
        let thread = Thread { [self] in helperLoop() }
        thread.name = "clipdex-parallel"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func helperLoop() {
        condition.lock()
        while true {
            guard let (j, p) = claim() else { condition.wait(); continue }
            condition.unlock()
            Self.call(j, p)
            condition.lock()
            finishPart()
        }
    }
}
