import CBLAS

/// The CPU thread budget shared by BLAS and clipdex's own parallel loops.
/// Set once at start-up; BLAS follows it, so the two never oversubscribe the cores.
public enum Threads {
    nonisolated(unsafe) private static var current = 1

    /// The number of threads in use.
    public static var count: Int { current }

    /// Sets the thread count for BLAS and for `parallelFor`.
    public static func configure(_ n: Int) {
        current = max(1, n)
        openblas_set_num_threads(Int32(current))
    }

    /// Runs `body(chunkStart, chunkEnd)` over `0..<n` split into `Threads.count` contiguous chunks.
    /// Small ranges run inline: spawning costs more than it saves below `minimum` items.
    /// The chunks run on the caller and on `ChunkPool`'s long-lived helpers, never through
    /// libdispatch (see `ChunkPool` for the heap corruption that caused at a caller's thread exit).
    public static func parallelFor(_ n: Int, minimum: Int = 4096, _ body: (Int, Int) -> Void) {
        let parts = min(current, max(1, n / max(1, minimum)))
        if parts <= 1 { body(0, n); return }
        let chunk = (n + parts - 1) / parts
        ChunkPool.shared.run(parts: parts) { p in
            let lo = p * chunk, hi = min(n, lo + chunk)
            if lo < hi { body(lo, hi) }
        }
    }
}
