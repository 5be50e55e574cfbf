import Config
import Foundation
import Logging
import Watch

/// One running configuration: the watcher thread, the coordinator, the worker thread, and the
/// timers between them. SIGHUP stops one and starts another; SIGTERM stops it for good.
final class Pipeline: Sendable {
    let config: ClipdexConfig
    let backend: any IngestBackend
    let logger: Logger
    let notifier: SystemdNotifier
    let worker: Worker
    let coordinator: Coordinator
    let watcher: InotifyWatcher?
    let events: AsyncStream<WatchEvent>.Continuation
    let tasks: [Task<Void, Never>]

    /// Starts everything: watches first (so nothing is missed), then the reconciliation scan of
    /// every root (in the background), the worker and the timers. Returns once the watches are set.
    init(config: ClipdexConfig, backend: any IngestBackend, logger: Logger, notifier: SystemdNotifier,
         retry: RetryPolicy = RetryPolicy()) async throws {
        self.config = config
        self.backend = backend
        self.logger = logger
        self.notifier = notifier
        let worker = Worker(backend: backend, logger: logger, retry: retry)
        self.worker = worker
        let coordinator = Coordinator(roots: config.watch, settleSeconds: config.ingest.settleSeconds, backend: backend,
                                      logger: logger, queued: { worker.poke() })
        self.coordinator = coordinator
        let (stream, events) = AsyncStream.makeStream(of: WatchEvent.self)
        self.events = events

        let recovered = try backend.recoverInterruptedJobs()
        if recovered > 0 { logger.notice("\(recovered) file(s) interrupted by the last stop are queued again") }

        let inotifyRoots = Self.inotifyRoots(config.watch, logger: logger)
        if inotifyRoots.isEmpty {
            watcher = nil
        } else {
            let watcher = try InotifyWatcher(roots: inotifyRoots) { events.yield($0) }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in watcher.start { done.resume() } }
            self.watcher = watcher
        }
        let polled = Set(config.watch.map(\.path)).subtracting(inotifyRoots.map(\.path))

        // The start-up scan runs first in the event task, so events that arrive meanwhile wait
        // their turn; READY=1 goes out now, the watches being in place (a large library's scan
        // must not run into systemd's start timeout).
        var tasks: [Task<Void, Never>] = []
        let all = config.watch.map(\.path)
        tasks.append(Task {
            do {
                let plan = try await coordinator.reconcile(scanned: all, known: all)
                logger.notice("""
                    watching \(all.count) folder(s): \(plan.unchanged) file(s) up to date, \(plan.toIndex.count) to read, \
                    \(plan.moves.count) moved, \(plan.removals.count) gone
                    """)
                await coordinator.tick()
            } catch {
                logger.error("start-up scan failed: \(error); changes made while clipdexd was stopped are picked up at the next start")
            }
            for await event in stream { await coordinator.handle(event) }
        })
        worker.start()
        tasks.append(Self.settleTask(coordinator, settleSeconds: config.ingest.settleSeconds))
        for root in config.watch {
            tasks.append(Self.pollTask(coordinator, root: root, always: polled.contains(root.path), logger: logger))
        }
        self.tasks = tasks
    }

    /// The roots inotify can follow; the others (mode "poll", or a network/FUSE filesystem under
    /// "auto") are polled.
    static func inotifyRoots(_ roots: [ClipdexConfig.WatchRoot], logger: Logger) -> [InotifyWatcher.Root] {
        roots.compactMap { root in
            switch root.mode {
            case .poll: return nil
            case .inotify: return InotifyWatcher.Root(path: root.path, recursive: root.recursive)
            case .auto:
                if case let .remote(kind)? = FilesystemKind.of(root.path) {
                    logger.notice("\(root.path): on a \(kind) filesystem, which inotify cannot follow: polled every \(Int(root.pollSeconds)) s")
                    return nil
                }
                return InotifyWatcher.Root(path: root.path, recursive: root.recursive)
            }
        }
    }

    /// Releases settled files: wakes a few times per settle period, at most once a second.
    static func settleTask(_ coordinator: Coordinator, settleSeconds: Double) -> Task<Void, Never> {
        let interval = min(1.0, max(0.1, settleSeconds / 4))
        return Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                await coordinator.tick()
            }
        }
    }

    /// Polls a root by reconciling it every `poll_seconds`: always for a polled root, and for an
    /// inotify root only once the watch limit left part of it unwatched.
    static func pollTask(_ coordinator: Coordinator, root: ClipdexConfig.WatchRoot, always: Bool, logger: Logger) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(root.pollSeconds))
                guard !Task.isCancelled else { return }
                let degraded = await coordinator.degradedRoots.contains(root.path)
                guard always || degraded else { continue }
                do { try await coordinator.reconcile(scanned: [root.path], known: [root.path]) } catch {
                    logger.error("\(root.path): polling failed: \(error)")
                }
            }
        }
    }

    /// `STATUS=` text: queue length, settling files, counts and rate.
    func status() -> String {
        let settling = coordinator.settlingCount.load(ordering: .relaxed)
        let queue = (try? backend.queueLength()) ?? 0
        let s = worker.stats.withLock { $0 }
        return String(format: "queue %d, settling %d, indexed %d, failed %d, %.1f files/min", queue, settling, s.indexed,
                      s.failed, s.rate(now: Monotonic.seconds()))
    }

    /// Stops watching and waits for the worker up to `timeout` seconds; returns the file left to be
    /// redone if the worker was still reading one then.
    func stop(timeout: Double) -> String? {
        for t in tasks { t.cancel() }
        watcher?.stop()
        events.finish()
        return worker.stop(timeout: timeout)
    }
}
