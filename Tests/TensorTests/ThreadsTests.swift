import Dispatch
import Foundation
@testable import Tensor
import XCTest

final class ThreadsTests: XCTestCase {
    override func tearDown() {
        Threads.configure(1)
        super.tearDown()
    }

    /// Every index is visited exactly once, whatever the split.
    func testChunksCoverTheRangeOnce() {
        Threads.configure(3)
        for n in [0, 1, 999, 2000, 2001, 3000, 10_007, 100_000] {
            var hits = [UInt8](repeating: 0, count: n)
            hits.withUnsafeMutableBufferPointer { h in
                guard let base = h.baseAddress else { return }
                Threads.parallelFor(n, minimum: 1000) { lo, hi in
                    for i in lo..<hi { base[i] += 1 }
                }
            }
            XCTAssertEqual(hits.filter { $0 == 1 }.count, n, "n = \(n)")
        }
    }

    /// With two threads, the two chunks run at the same time (each waits, up to 10 s, for the
    /// other to start); a loop nested in a chunk runs inline.
    func testChunksRunTogetherAndNestedLoopsInline() {
        Threads.configure(2)
        let started = Sum()
        let inner = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
        defer { inner.deallocate() }
        inner.initialize(repeating: 0)
        var waited = [Double](repeating: 0, count: 2)
        waited.withUnsafeMutableBufferPointer { w in
            Threads.parallelFor(2, minimum: 1) { lo, _ in
                started.add(1)
                let t0 = Date()
                while started.value < 2 && Date().timeIntervalSince(t0) < 10 { usleep(100) }
                w[lo] = Date().timeIntervalSince(t0)
                Threads.parallelFor(100, minimum: 1) { a, b in inner[lo] += b - a }
            }
        }
        XCTAssertLessThan(waited.max() ?? 99, 5, "the chunks ran one after the other")
        XCTAssertEqual(Array(inner), [100, 100])
        XCTAssertGreaterThanOrEqual(ChunkPool.shared.helperCount, 1)
    }

    /// The daemon's shape: a short-lived thread runs parallel loops, then, while it ends, drops the
    /// last reference to a queue holding queue-specific data (as GRDB's store does). With the
    /// loops on `DispatchQueue.concurrentPerform`, the ending thread's stale libdispatch cache was
    /// written to after being freed and glibc aborted the process ("unaligned tcache chunk").
    func testShortLivedCallersEndCleanly() {
        Threads.configure(2)
        let key = DispatchSpecificKey<Int>()
        let n = 1 << 16
        Threads.parallelFor(n, minimum: 4096) { _, _ in }
        let helpers = ChunkPool.shared.helperCount
        for round in 0..<200 {
            let done = DispatchSemaphore(value: 0), end = DispatchSemaphore(value: 0)
            let total = Sum()
            do {
                let queue = DispatchQueue(label: "clipdex.test.\(round)")
                queue.setSpecific(key: key, value: round)
                Thread { [queue] in
                    let x = FloatBuffer([Float](repeating: 1, count: n))
                    for _ in 0..<4 {
                        Threads.parallelFor(n, minimum: 4096) { lo, hi in
                            var s = 0.0
                            for i in lo..<hi { s += Double(x[i]) }
                            total.add(s)
                        }
                    }
                    done.signal()
                    end.wait()  // the test's reference to the queue is gone: the thread's is the last
                    withExtendedLifetime(queue) {}
                }.start()
            }
            done.wait()
            XCTAssertEqual(total.value, Double(4 * n))
            end.signal()
        }
        XCTAssertEqual(ChunkPool.shared.helperCount, helpers, "helpers are reused, not started per loop")
    }
}

/// A sum several threads add to.
private final class Sum: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0.0
    var value: Double { lock.lock(); defer { lock.unlock() }; return total }
    func add(_ x: Double) { lock.lock(); total += x; lock.unlock() }
}
