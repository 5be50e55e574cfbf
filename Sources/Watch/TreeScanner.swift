import Glibc

/// Lists the video files under a watch root: regular files with one of the root's extensions,
/// recursing into subfolders when the root is recursive. Hidden names (a leading dot: partial
/// downloads, sync tools' temporaries) are skipped, and symlinks are never followed, so nothing
/// outside the root is reached and no file is seen twice.
public enum TreeScanner {
    /// `path → stat` of every video file under `folder`.
    public static func scan(_ folder: String, recursive: Bool, accepts: (String) -> Bool) -> [String: FileStat] {
        var out: [String: FileStat] = [:]
        var stack = [folder]
        while let dir = stack.popLast() {
            forEachEntry(in: dir) { name, isDir in
                let path = join(dir, name)
                if isDir {
                    if recursive { stack.append(path) }
                } else if accepts(name), let st = FileStat.of(path), st.kind == .regular {
                    out[path] = st
                }
            }
        }
        return out
    }

    /// Every folder under (and including) `folder`, symlinks not followed.
    public static func folders(_ folder: String) -> [String] {
        var out: [String] = []
        var stack = [folder]
        while let dir = stack.popLast() {
            out.append(dir)
            forEachEntry(in: dir) { name, isDir in if isDir { stack.append(join(dir, name)) } }
        }
        return out
    }

    /// Calls `body(name, isDirectory)` for each non-hidden entry that is a real folder or a
    /// regular file (symlinks and devices are left out).
    static func forEachEntry(in dir: String, _ body: (String, Bool) -> Void) {
        guard let handle = opendir(dir) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") { continue }
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {  // some filesystems do not fill d_type
                switch FileStat.of(join(dir, name))?.kind {
                case .directory: type = UInt8(DT_DIR)
                case .regular: type = UInt8(DT_REG)
                default: continue
                }
            }
            if type == UInt8(DT_DIR) { body(name, true) } else if type == UInt8(DT_REG) { body(name, false) }
        }
    }

    static func join(_ dir: String, _ name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }
}
