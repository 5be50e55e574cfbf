import Config
import Foundation
import Logging
import Synchronization
import Watch

/// Turns what the watchers see into index operations: holds written files until they settle,
/// queues them, moves records on renames, drops rows of deleted files, and reconciles folders
/// with the index. One actor, fed in order from one stream, so events are applied in order.
actor Coordinator {
    let backend: any IngestBackend
    let logger: Logger
    let roots: [ClipdexConfig.WatchRoot]
    /// Called after files were queued.
    let queued: @Sendable () -> Void
    var settler: Settler {
        didSet { settlingCount.store(settler.count, ordering: .relaxed) }
    }
    /// `settler.count`, readable without waiting for the actor (for STATUS= while it is busy).
    nonisolated let settlingCount = Atomic<Int>(0)
    var limitReported = false
    /// Roots that fell back to polling at run time (watch limit reached).
    private(set) var degradedRoots: Set<String> = []

    init(roots: [ClipdexConfig.WatchRoot], settleSeconds: Double, backend: any IngestBackend, logger: Logger,
         queued: @escaping @Sendable () -> Void) {
        self.roots = roots
        self.backend = backend
        self.logger = logger
        self.queued = queued
        settler = Settler(settleSeconds: settleSeconds)
    }

    /// The root a path lies in (the deepest one when roots nest).
    func root(of path: String) -> ClipdexConfig.WatchRoot? {
        roots.filter { path.isInside($0.path) }.max { $0.path.count < $1.path.count }
    }

    /// Whether a file at `path` is a video this daemon watches.
    func watches(file path: String) -> Bool {
        guard let root = root(of: path) else { return false }
        let name = (path as NSString).lastPathComponent
        if name.hasPrefix(".") || !root.accepts(fileName: name) { return false }
        let parent = (path as NSString).deletingLastPathComponent
        return root.recursive || parent == root.path
    }

    func handle(_ event: WatchEvent) {
        do {
            switch event {
            case let .written(path):
                // Symlinks are not followed: a link leading out of the root is never read.
                if watches(file: path), let st = FileStat.of(path), st.kind == .regular {
                    settler.track(path, now: Monotonic.seconds(), stat: st)
                }
            case let .moved(from, to, false):
                try moveFile(from: from, to: to)
            case let .moved(from, to, true):
                _ = settler.cancel(under: from)
                try reconcile(scanned: [to], known: [from, to], settled: false)
            case let .removed(path, false):
                settler.cancel(path)
                try backend.dequeue(path)
                if try backend.record(at: path) != nil {
                    try backend.remove(path)
                    logger.info("\(path): deleted, its rows are removed")
                }
            case let .removed(path, true):
                _ = settler.cancel(under: path)
                let gone = try backend.knownFiles(under: [path])
                for k in gone { try backend.remove(k.path) }
                if !gone.isEmpty { logger.info("\(path): folder gone, rows of its \(gone.count) file(s) removed") }
            case let .folderAppeared(path):
                // Files moved into the new folder are found here before their move events are
                // handled: they settle from now, so those events come first.
                try reconcile(scanned: [path], known: [path], settled: false)
            case .overflow:
                logger.warning("inotify queue overflowed (too many changes at once): rescanning every folder")
                try reconcile(scanned: roots.map(\.path), known: roots.map(\.path))
            case let .unwatchable(folder, err, limit):
                unwatchable(folder, err: err, limit: limit)
            case let .rootGone(path):
                logger.error("\(path): the watched folder was deleted or moved away; restore it and reload clipdexd (systemctl reload clipdexd)")
            }
        } catch {
            logger.error("could not apply \(event) to the index: \(error)")
        }
    }

    func moveFile(from: String, to: String) throws {
        let keep = watches(file: to)
        if settler.cancel(from) {  // not read yet: settle it under its new name
            try backend.dequeue(from)
            if keep { settler.track(to, now: Monotonic.seconds(), stat: FileStat.of(to)) }
        } else if try backend.record(at: from) != nil {
            if keep {
                try backend.move(from: from, to: to)
                logger.info("\(from): moved to \(to)")
            } else {
                try backend.remove(from)
                logger.info("\(from): renamed to \(to), which is not watched: rows removed")
            }
        } else {
            try backend.dequeue(from)
            if keep { settler.track(to, now: Monotonic.seconds(), stat: FileStat.of(to)) }
        }
    }

    func unwatchable(_ folder: String, err: Int32, limit: Bool) {
        guard limit else {
            logger.warning("\(folder): cannot be watched (\(String(cString: strerror(err)))): changes in it are seen only at start-up")
            return
        }
        if let r = root(of: folder) { degradedRoots.insert(r.path) }
        guard !limitReported else { return }
        limitReported = true
        logger.error("""
            inotify watch limit reached at \(folder): folders beyond it are polled every \
            \(Int(root(of: folder)?.pollSeconds ?? ClipdexConfig.defaultPollSeconds)) s instead. \
            Raise the limit with: sysctl fs.inotify.max_user_watches=524288 \
            (persist it in /etc/sysctl.d/90-clipdex.conf) and restart clipdexd
            """)
    }

    /// Scans folders, compares them with the records under `known` folders, and applies the plan:
    /// moves, removals, and new or changed files handed to the settler. With `settled`, a file
    /// whose mtime is older than the settle time is released at the next tick (start-up, polls).
    @discardableResult
    func reconcile(scanned folders: [String], known: [String], settled: Bool = true) throws -> ReconcilePlan {
        var disk: [String: FileStat] = [:]
        for folder in folders {
            guard let root = root(of: folder) else { continue }
            let found = TreeScanner.scan(folder, recursive: root.recursive) { root.accepts(fileName: $0) }
            disk.merge(found) { a, _ in a }
        }
        var plan = Reconciler.plan(disk: disk, known: try backend.knownFiles(under: known))
        if !settled { try findMovedIn(&plan, disk: disk) }
        for m in plan.moves {
            try backend.move(from: m.from, to: m.to)
            logger.info("\(m.from): found at \(m.to), record moved")
        }
        for path in plan.removals {
            settler.cancel(path)
            try backend.remove(path)
            logger.info("\(path): gone, its rows are removed")
        }
        let now = Monotonic.seconds(), wall = Date().timeIntervalSince1970
        for path in plan.toIndex where !settler.isTracking(path) {
            guard let st = disk[path] else { continue }
            let age = settled ? max(0, wall - Double(st.mtimeNanos) / 1e9) : 0
            settler.track(path, stillSince: now - age, stat: st)
        }
        return plan
    }

    /// A file moved into a folder inotify was not watching yet is reported as gone from its old
    /// place (an unpaired "moved from") after the new folder's scan finds it: before it is read as
    /// new, look for a record of the same file whose path is empty now, and move that instead.
    func findMovedIn(_ plan: inout ReconcilePlan, disk: [String: FileStat]) throws {
        let fresh = try plan.toIndex.filter { try backend.record(at: $0) == nil }
        guard !fresh.isEmpty else { return }
        var byInode: [UInt64: [KnownFile]] = [:]
        for k in try backend.records(inodes: Set(fresh.compactMap { disk[$0]?.inode })) { byInode[k.stat.inode, default: []].append(k) }
        var moved = Set<String>()
        for path in fresh {
            guard let st = disk[path], let old = byInode[st.inode]?.first(where: {
                $0.stat.sameFile(as: st) && FileStat.of($0.path)?.inode != st.inode
            }) else { continue }
            plan.moves.append(.init(from: old.path, to: path))
            moved.insert(path)
        }
        plan.toIndex.removeAll { moved.contains($0) }
    }

    /// Releases the files that settled into the queue; returns how many were queued.
    @discardableResult
    func tick() -> Int {
        let ready = settler.ready(now: Monotonic.seconds()) { FileStat.of($0) }
        var count = 0
        for path in ready {
            do {
                if let k = try backend.record(at: path), let st = FileStat.of(path), k.current(for: st) {
                    continue  // already indexed, or failed, as it is now
                }
                try backend.enqueue(path)
                count += 1
            } catch {
                logger.error("\(path): could not be queued: \(error)")
            }
        }
        if count > 0 {
            logger.debug("\(count) file(s) settled and queued")
            queued()
        }
        return count
    }
}
