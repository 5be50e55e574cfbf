import Foundation

/// Samples a video on its own thread, a few frames ahead of the caller, so that decoding continues
/// while the caller preprocesses or encodes the previous frame:
///
///     let frames = FramePrefetcher(path: path, plan: .fps(1), options: .modelInput())
///     while let frame = try frames.next() { ... }        // blocks until the next frame is ready
///     frames.summary?.warnings
///
/// Holds at most `capacity` converted frames. Errors (`MediaError`) come out of `next()` after the
/// frames decoded before them. Dropping the prefetcher or calling `cancel()` stops the worker thread.
public final class FramePrefetcher: Sendable {
    private let state: State

    public init(path: String, plan: SamplingPlan = .fps(1), options: SampleOptions = SampleOptions(),
                limits: MediaLimits = MediaLimits(), capacity: Int = 2) {
        let state = State(capacity: max(1, capacity))
        self.state = state
        let thread = Thread { state.run(path: path, plan: plan, options: options, limits: limits) }
        thread.name = "clipdex.media.prefetch"
        thread.start()
    }

    deinit { state.cancel() }

    /// The video's description, once it is open (blocks until then); throws if opening failed.
    public func info() throws -> VideoInfo { try state.waitForInfo() }

    /// The next frame in time order, nil at the end; rethrows the sampling error after the good frames.
    public func next() throws -> VideoFrame? { try state.next() }

    /// What the run survived; nil until `next()` has returned nil.
    public var summary: SampleSummary? { state.summary }

    /// Stops the worker; `next()` then throws `MediaError.cancelled`.
    public func cancel() { state.cancel() }

    /// Shared between the worker thread and the caller, guarded by one condition variable.
    private final class State: @unchecked Sendable {
        private let condition = NSCondition()
        private let capacity: Int
        private var buffer: [VideoFrame] = []
        private var opened: Result<VideoInfo, Error>?
        private var ended: Result<SampleSummary, Error>?
        private var cancelled = false
        private var cancelVideo: (() -> Void)?

        init(capacity: Int) { self.capacity = capacity }

        func run(path: String, plan: SamplingPlan, options: SampleOptions, limits: MediaLimits) {
            let result: Result<SampleSummary, Error>
            do {
                let video = try VideoFile(path, limits: limits)
                locked { opened = .success(video.info); cancelVideo = video.cancel; if cancelled { video.cancel() } }
                result = .success(try video.sample(plan, options: options) { try push($0, path: path) })
            } catch {
                result = .failure(error)
            }
            locked {
                if opened == nil, case .failure(let error) = result { opened = .failure(error) }
                ended = result
                cancelVideo = nil
            }
        }

        private func push(_ frame: VideoFrame, path: String) throws {
            try locked {
                while buffer.count >= capacity && !cancelled { condition.wait() }
                if cancelled { throw MediaError.cancelled(path: path) }
                buffer.append(frame)
            }
        }

        func next() throws -> VideoFrame? {
            try locked {
                while buffer.isEmpty && ended == nil { condition.wait() }
                if !buffer.isEmpty { return buffer.removeFirst() }
                if case .failure(let error) = ended { throw error }
                return nil
            }
        }

        func waitForInfo() throws -> VideoInfo {
            try locked {
                while opened == nil { condition.wait() }
                return try opened!.get()
            }
        }

        var summary: SampleSummary? {
            locked { if case .success(let s) = ended, buffer.isEmpty { return s } else { return nil } }
        }

        func cancel() {
            locked { cancelled = true; cancelVideo?() }
        }

        /// Runs `body` under the lock and wakes every waiter afterwards (state changed or not: cheap here).
        private func locked<T>(_ body: () throws -> T) rethrows -> T {
            condition.lock()
            defer { condition.broadcast(); condition.unlock() }
            return try body()
        }
    }
}
