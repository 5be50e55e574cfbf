/// A file the index knows: indexed, or recorded as permanently failed, with the stat it had then.
public struct KnownFile: Sendable, Equatable {
    public var path: String
    public var stat: FileStat
    /// A permanent failure is recorded: retried only once the file changes.
    public var failed: Bool
    /// Indexed with another model or sampling rate: to be read again even though unchanged.
    public var stale: Bool

    public init(path: String, stat: FileStat, failed: Bool = false, stale: Bool = false) {
        self.path = path
        self.stat = stat
        self.failed = failed
        self.stale = stale
    }

    /// Whether the record is up to date for a file with this stat.
    public func current(for st: FileStat) -> Bool { !stale && stat.sameContent(as: st) }
}

/// What to do to bring the index in line with the folders.
public struct ReconcilePlan: Sendable, Equatable {
    public struct Move: Sendable, Equatable {
        public var from: String
        public var to: String
        public init(from: String, to: String) { self.from = from; self.to = to }
    }
    /// Records to move: the same file (device, inode, size, mtime) now at another path.
    public var moves: [Move] = []
    /// Records whose file is gone.
    public var removals: [String] = []
    /// New or changed files, to read once settled.
    public var toIndex: [String] = []
    /// Files already indexed (or failed) as they are.
    public var unchanged = 0

    public init() {}
}

/// Compares what is on disk with what the index holds (at start-up, after an inotify queue
/// overflow, and on every poll of a polled folder).
public enum Reconciler {
    /// The plan for the files on disk `disk` and the records `known` (both limited to the same roots).
    public static func plan(disk: [String: FileStat], known: [KnownFile]) -> ReconcilePlan {
        var plan = ReconcilePlan()
        var byPath: [String: KnownFile] = [:]
        for k in known { byPath[k.path] = k }
        // Records whose file vanished, by inode: candidates for a move.
        var vanished: [UInt64: [KnownFile]] = [:]
        for k in known where disk[k.path] == nil { vanished[k.stat.inode, default: []].append(k) }

        for (path, st) in disk.sorted(by: { $0.key < $1.key }) {
            if let k = byPath[path] {
                if k.current(for: st) { plan.unchanged += 1 } else { plan.toIndex.append(path) }
            } else if let i = vanished[st.inode]?.firstIndex(where: { $0.stat.sameFile(as: st) }) {
                plan.moves.append(.init(from: vanished[st.inode]![i].path, to: path))
                vanished[st.inode]!.remove(at: i)
            } else {
                plan.toIndex.append(path)
            }
        }
        plan.removals = vanished.values.flatMap { $0.map(\.path) }.sorted()
        return plan
    }
}
