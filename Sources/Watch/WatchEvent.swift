/// What a watcher reports about the watched folders, in the order it happened.
public enum WatchEvent: Sendable, Equatable {
    /// A file appeared or was written (created, written, closed after writing, moved in from
    /// outside the roots): settle it, then read it.
    case written(String)
    /// A file or folder was renamed or moved from one watched place to another.
    case moved(from: String, to: String, isDirectory: Bool)
    /// A file or folder was deleted or moved out of the watched folders.
    case removed(String, isDirectory: Bool)
    /// A folder appeared (made, or moved in from outside): scan it, files may already be in it.
    case folderAppeared(String)
    /// The kernel dropped events (queue overflow): reconcile every root.
    case overflow
    /// A folder could not be watched; `limit` is true for the inotify watch limit (`ENOSPC`).
    case unwatchable(String, errno: Int32, limit: Bool)
    /// A watch root itself was deleted or moved away.
    case rootGone(String)
}
