import CInotify
import Glibc

/// Whether inotify sees changes on a folder's filesystem. Network and FUSE filesystems report
/// only the changes made through this machine's kernel, so they are polled instead.
public enum FilesystemKind: Sendable, Equatable {
    /// A local filesystem: inotify works.
    case local
    /// A filesystem inotify cannot follow, named (nfs, smb, cifs, fuse, ...).
    case remote(String)

    /// `statfs(2)` magic numbers (linux/magic.h) of filesystems without working inotify.
    static let remoteMagics: [Int: String] = [
        0x6969: "nfs", 0x517B: "smb", 0xFF53_4D42: "cifs", 0xFE53_4D42: "smb2",
        0x6573_5546: "fuse", 0x0102_1997: "9p", 0x00C3_6400: "ceph", 0x5346_414F: "afs",
        0x0BD0_0BD0: "lustre",
    ]

    /// The kind of the filesystem holding `path`; `nil` when `statfs` fails (path gone).
    public static func of(_ path: String) -> FilesystemKind? {
        var fs = CInotify.statfs()
        guard statfs(path, &fs) == 0 else { return nil }
        return kind(magic: Int(UInt32(truncatingIfNeeded: fs.f_type)))
    }

    /// The kind for a `statfs` `f_type` value.
    public static func kind(magic: Int) -> FilesystemKind {
        if let name = remoteMagics[magic] { return .remote(name) }
        return .local
    }
}
