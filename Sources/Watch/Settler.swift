/// Holds back files that are still being written. A tracked file is released once its size and
/// mtime have stayed the same for `settleSeconds` (slow copies, downloads, tools that write without
/// closing). Pure state: the caller passes the time and how to stat a file, so it is tested
/// without waiting.
public struct Settler: Sendable {
    struct Entry: Sendable {
        var stat: FileStat?
        /// Monotonic seconds since when the file has looked the same.
        var since: Double
    }

    public var settleSeconds: Double
    private(set) var entries: [String: Entry] = [:]

    public init(settleSeconds: Double) {
        self.settleSeconds = settleSeconds
    }

    /// Files waiting to settle.
    public var count: Int { entries.count }
    public func isTracking(_ path: String) -> Bool { entries[path] != nil }

    /// Starts, or restarts, the settle timer of a file that was written or appeared.
    public mutating func track(_ path: String, now: Double, stat: FileStat?) {
        entries[path] = Entry(stat: stat, since: now)
    }

    /// Starts the timer as though the file had been still since `since` (a start-up scan finding a
    /// file whose mtime is already old), keeping an earlier timer if there is one.
    public mutating func track(_ path: String, stillSince since: Double, stat: FileStat?) {
        if entries[path] == nil { entries[path] = Entry(stat: stat, since: since) }
    }

    /// Forgets a file (deleted, or moved elsewhere).
    @discardableResult
    public mutating func cancel(_ path: String) -> Bool {
        entries.removeValue(forKey: path) != nil
    }

    /// Forgets every file under a folder; returns their paths.
    public mutating func cancel(under folder: String) -> [String] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        let gone = entries.keys.filter { $0.hasPrefix(prefix) }
        for p in gone { entries.removeValue(forKey: p) }
        return gone
    }

    /// Stats every tracked file: a changed one restarts its timer, a vanished one is dropped, and
    /// those unchanged for `settleSeconds` are returned (sorted) and forgotten.
    public mutating func ready(now: Double, stat: (String) -> FileStat?) -> [String] {
        var out: [String] = []
        for (path, entry) in entries {
            guard let current = stat(path) else { entries.removeValue(forKey: path); continue }
            if let old = entry.stat, old.sameFile(as: current) {
                if now - entry.since >= settleSeconds { out.append(path) }
            } else {
                entries[path] = Entry(stat: current, since: now)
                if settleSeconds <= 0 { out.append(path) }
            }
        }
        for p in out { entries.removeValue(forKey: p) }
        return out.sorted()
    }
}
