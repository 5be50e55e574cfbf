import CFFmpeg
import Foundation

/// The per-file time limit and cancellation flag. FFmpeg polls it through
/// `AVFormatContext.interrupt_callback` during blocking I/O and demuxing; the sampling loop polls it
/// between packets. `progress()` marks the file as alive, so only a stall (or the optional total
/// budget) trips it. Thread-safe: `cancel()` may come from any thread.
final class Watchdog: @unchecked Sendable {
    enum Trip: Equatable { case stalled(Double), overBudget(Double), cancelled }

    private let lock = NSLock()
    private let stallTimeout: Double
    private let totalTimeout: Double?
    private let started: Double
    private var lastProgress: Double
    private var tripped: Trip?

    init(limits: MediaLimits) {
        stallTimeout = limits.stallTimeout
        totalTimeout = limits.totalTimeout
        started = monotonicSeconds()
        lastProgress = started
    }

    /// Records that a packet was read or a frame decoded.
    func progress() {
        let now = monotonicSeconds()
        lock.lock(); lastProgress = now; lock.unlock()
    }

    func cancel() {
        lock.lock(); if tripped == nil { tripped = .cancelled }; lock.unlock()
    }

    /// Why the file must be abandoned, or nil to carry on. Once tripped it stays tripped.
    func check() -> Trip? {
        let now = monotonicSeconds()
        lock.lock(); defer { lock.unlock() }
        if tripped == nil {
            if now - lastProgress >= stallTimeout { tripped = .stalled(stallTimeout) }
            else if let totalTimeout, now - started >= totalTimeout { tripped = .overBudget(totalTimeout) }
        }
        return tripped
    }

    /// The error for a tripped watchdog.
    func error(path: String) -> MediaError? {
        switch check() {
        case nil: return nil
        case .cancelled: return .cancelled(path: path)
        case .stalled(let s), .overBudget(let s): return .timedOut(path: path, seconds: s)
        }
    }

    /// The callback to install in `AVFormatContext.interrupt_callback`; `self` must outlive the context.
    func interruptCallback() -> AVIOInterruptCB {
        AVIOInterruptCB(callback: { opaque in
            guard let opaque else { return 0 }
            return Unmanaged<Watchdog>.fromOpaque(opaque).takeUnretainedValue().check() == nil ? 0 : 1
        }, opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
