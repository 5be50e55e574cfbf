import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension FileIdentity {
    /// Bytes hashed at each of the head, middle and tail of a file.
    static let sampleBytes = 64 * 1024

    /// Stats `path` (following symlinks) and fingerprints its content: FNV-1a 64 over the size and
    /// 64 KiB at the head, middle and tail. Cheap (at most 192 KiB read) yet catches rewrites that
    /// keep size and mtime. Throws `fileMissing` / `unreadable` / `notAVideo` (not a regular file).
    public static func read(_ path: String) throws -> FileIdentity {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw IndexError.fileMissing(path) }
            throw IndexError.unreadable(path, String(cString: strerror(e)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw IndexError.notAVideo(path, "not a regular file") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IndexError.unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        let size = Int64(st.st_size)
        var hash = Fnv1a()
        withUnsafeBytes(of: size.littleEndian) { hash.add($0) }
        let n = sampleBytes
        var buffer = [UInt8](repeating: 0, count: n)
        for offset in Set([0, max(0, size / 2 - Int64(n / 2)), max(0, size - Int64(n))]).sorted() {
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, n, off_t(offset)) }
            guard got >= 0 else { throw IndexError.unreadable(path, String(cString: strerror(errno))) }
            buffer.withUnsafeBytes { hash.add(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        }
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: size, mtimeNanos: mtime,
                            fingerprint: String(hash.value, radix: 16))
    }
}

/// 64-bit FNV-1a: small, stable across runs and platforms (unlike Swift's seeded `Hasher`).
struct Fnv1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = h
    }
}
