import CInotify
import Foundation
import Glibc

/// Watches folders with the kernel's inotify (raw syscalls, no global state), recursively: new
/// subfolders are watched as they appear. Everything runs on one thread of its own, which owns the
/// watch table; events go to `emit` in the order they happened.
public final class InotifyWatcher: @unchecked Sendable {
    /// A folder to watch.
    public struct Root: Sendable, Equatable {
        public var path: String
        public var recursive: Bool
        public init(path: String, recursive: Bool) { self.path = path; self.recursive = recursive }
    }

    struct Watched { var path: String; var recursive: Bool; var isRoot: Bool }
    struct PendingMove { var path: String; var isDirectory: Bool }

    let roots: [Root]
    let emit: @Sendable (WatchEvent) -> Void
    let fd: Int32
    let wakeFD: Int32
    let done = DispatchSemaphore(value: 0)
    // Owned by the watcher thread once `start` is called.
    var watches: [Int32: Watched] = [:]
    var pendingMoves: [UInt32: PendingMove] = [:]
    var pendingSince = DispatchTime.now()

    static let dirMask = UInt32(IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// Opens an inotify instance; throws when the per-user instance limit is reached.
    public init(roots: [Root], emit: @escaping @Sendable (WatchEvent) -> Void) throws {
        self.roots = roots
        self.emit = emit
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            throw WatchError.inotify("inotify_init1 failed: \(String(cString: strerror(errno))) (raise fs.inotify.max_user_instances)")
        }
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wakeFD >= 0 else {
            close(fd)
            throw WatchError.inotify("eventfd failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(fd)
        close(wakeFD)
    }

    /// Adds the watches and starts the thread. `ready` is called on that thread once every
    /// folder present now is watched (events from then on are not lost).
    public func start(ready: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            for root in roots { addTree(root.path, recursive: root.recursive, isRoot: true) }
            ready()
            loop()
            done.signal()
        }
        thread.name = "clipdex-inotify"
        thread.start()
    }

    /// Stops the thread and waits for it (at most `timeout` seconds).
    public func stop(timeout: Double = 5) {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
        _ = done.wait(timeout: .now() + timeout)
    }

    func loop() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
        while true {
            // A rename's two halves arrive together; a lone "moved from" is a move out of the roots.
            let timeout: Int32 = pendingMoves.isEmpty ? -1 : 50
            let n = poll(&fds, 2, timeout)
            if n < 0 && errno == EINTR { continue }
            if fds[1].revents != 0 { return }
            if n == 0 { flushPendingMoves(); continue }
            let hadPending = !pendingMoves.isEmpty
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got > 0 { buffer.withUnsafeBytes { parse(UnsafeRawBufferPointer(rebasing: $0[0..<got])) } }
            if !hadPending && !pendingMoves.isEmpty { pendingSince = .now() }
            // Under a steady stream of events poll never times out: flush stale halves here too.
            if !pendingMoves.isEmpty && DispatchTime.now().uptimeNanoseconds - pendingSince.uptimeNanoseconds > 50_000_000 {
                flushPendingMoves()
            }
        }
    }

    func parse(_ bytes: UnsafeRawBufferPointer) {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        var writtenThisBatch = Set<String>()
        while offset + header <= bytes.count {
            let ev = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
            let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[(offset + header)..<(offset + header + Int(ev.len))])
            let name = nameBytes.prefix { $0 != 0 }
            offset += header + Int(ev.len)
            handle(wd: ev.wd, mask: ev.mask, cookie: ev.cookie, name: String(decoding: name, as: UTF8.self),
                   written: &writtenThisBatch)
        }
    }

    func handle(wd: Int32, mask: UInt32, cookie: UInt32, name: String, written: inout Set<String>) {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 { emit(.overflow); return }
        guard let dir = watches[wd] else { return }
        if mask & UInt32(IN_IGNORED) != 0 { watches.removeValue(forKey: wd); return }
        if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
            if dir.isRoot { emit(.rootGone(dir.path)) }
            return
        }
        if name.isEmpty || name.hasPrefix(".") { return }
        let path = dir.path + "/" + name
        let isDir = mask & UInt32(IN_ISDIR) != 0
        if isDir && !dir.recursive { return }

        if mask & UInt32(IN_MOVED_FROM) != 0 {
            pendingMoves[cookie] = PendingMove(path: path, isDirectory: isDir)
        } else if mask & UInt32(IN_MOVED_TO) != 0 {
            if let from = pendingMoves.removeValue(forKey: cookie) {
                if isDir { renameWatches(from: from.path, to: path) }
                emit(.moved(from: from.path, to: path, isDirectory: isDir))
            } else if isDir {
                addTree(path, recursive: true, isRoot: false)
                emit(.folderAppeared(path))
            } else {
                emit(.written(path))
            }
        } else if mask & UInt32(IN_DELETE) != 0 {
            emit(.removed(path, isDirectory: isDir))
        } else if isDir {
            if mask & UInt32(IN_CREATE) != 0 {
                addTree(path, recursive: true, isRoot: false)
                emit(.folderAppeared(path))
            }
        } else if written.insert(path).inserted || mask & UInt32(IN_CLOSE_WRITE) != 0 {
            emit(.written(path))
        }
    }

    /// Emits the moves-from whose other half never came: moved out of the watched folders.
    func flushPendingMoves() {
        for (_, move) in pendingMoves.sorted(by: { $0.key < $1.key }) {
            if move.isDirectory { removeWatches(under: move.path) }
            emit(.removed(move.path, isDirectory: move.isDirectory))
        }
        pendingMoves.removeAll()
    }

    /// Watches a folder and, when recursive, every folder below it (symlinks not followed).
    func addTree(_ path: String, recursive: Bool, isRoot: Bool) {
        let folders = recursive ? TreeScanner.folders(path) : [path]
        for (i, folder) in folders.enumerated() {
            let mask = Self.dirMask | (isRoot && i == 0 ? 0 : UInt32(IN_DONT_FOLLOW))
            let wd = inotify_add_watch(fd, folder, mask)
            if wd >= 0 {
                watches[wd] = Watched(path: folder, recursive: recursive, isRoot: isRoot && i == 0)
                continue
            }
            let err = errno
            if err == ENOENT { continue }  // gone before we got to it
            emit(.unwatchable(folder, errno: err, limit: err == ENOSPC))
        }
    }

    func renameWatches(from: String, to: String) {
        let prefix = from + "/"
        for (wd, w) in watches where w.path == from || w.path.hasPrefix(prefix) {
            watches[wd]?.path = to + w.path.dropFirst(from.count)
        }
    }

    func removeWatches(under folder: String) {
        let prefix = folder + "/"
        for (wd, w) in watches where w.path == folder || w.path.hasPrefix(prefix) {
            inotify_rm_watch(fd, wd)
            watches.removeValue(forKey: wd)
        }
    }
}

/// Errors of the watch layer, each naming what failed and what to do.
public enum WatchError: Error, CustomStringConvertible {
    case inotify(String)
    public var description: String {
        switch self { case let .inotify(why): return why }
    }
}
