import Glibc

/// What the daemon remembers of a file to tell whether it changed or moved: its identity on disk
/// (device + inode) and its size and modification time.
public struct FileStat: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case regular, directory, symlink, other }

    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var mtimeNanos: Int64
    public var kind: Kind

    public init(device: UInt64, inode: UInt64, size: Int64, mtimeNanos: Int64, kind: Kind = .regular) {
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeNanos = mtimeNanos
        self.kind = kind
    }

    /// `lstat` of a path (symlinks are described, not followed); `nil` when it does not exist.
    public static func of(_ path: String) -> FileStat? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return FileStat(st)
    }

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        mtimeNanos = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
    }

    /// Same content as far as the daemon can tell without reading it: same size and mtime.
    public func sameContent(as other: FileStat) -> Bool {
        size == other.size && mtimeNanos == other.mtimeNanos
    }

    /// Same file on disk with the same content: what a rename or move keeps.
    public func sameFile(as other: FileStat) -> Bool {
        device == other.device && inode == other.inode && sameContent(as: other)
    }
}
