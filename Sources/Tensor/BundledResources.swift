import Foundation

/// Finds files SwiftPM copies beside the binaries (`clipdex_CLIP.resources`, ...) without
/// SwiftPM's generated accessor, which stops the program when the folder was not installed.
public enum BundledResources {
    /// Folders searched, in order: `$CLIPDEX_RESOURCES`, the running executable's folder (after
    /// symlinks), then /usr/local/share/clipdex and /usr/share/clipdex.
    public static var searchFolders: [String] {
        var folders: [String] = []
        if let env = ProcessInfo.processInfo.environment["CLIPDEX_RESOURCES"] { folders.append(env) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append((exe as NSString).deletingLastPathComponent)
        }
        return folders + ["/usr/local/share/clipdex", "/usr/share/clipdex"]
    }

    /// The path of `resource` inside the resource bundle of `module` (e.g. "CLIP"), or nil.
    public static func path(module: String, resource: String) -> String? {
        for folder in searchFolders {
            let path = "\(folder)/clipdex_\(module).resources/\(resource)"
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }
}
