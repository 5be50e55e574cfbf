import Foundation

/// The settings of `clipdexd` (and the defaults the `clipdex` CLI borrows), as read from a TOML
/// file such as `etc/clipdex.toml`. Paths are absolute once parsed: relative ones are taken
/// relative to the config file's folder, `~` is expanded.
public struct ClipdexConfig: Sendable, Equatable {
    /// Where the index lives.
    public struct Store: Sendable, Equatable {
        /// The SQLite file of the index (`[store] database`).
        public var database: String
        public init(database: String) { self.database = database }
    }

    /// Which CLIP (and optional adapter) embeds the frames.
    public struct Model: Sendable, Equatable {
        /// A CLIP directory in the Hugging Face layout; `nil` means the bundled demo model.
        public var path: String?
        /// An adapter file trained by `clipdex train` (`[model] adapter`), if any.
        public var adapter: String?
        public init(path: String?, adapter: String?) { self.path = path; self.adapter = adapter }
    }

    /// How files are read and indexed.
    public struct Ingest: Sendable, Equatable {
        /// Frames sampled per second of video.
        public var sampleFPS: Double
        /// A file must keep its size and mtime this long before it is read.
        public var settleSeconds: Double
        /// CPU threads for decoding and CLIP.
        public var threads: Int
        public init(sampleFPS: Double, settleSeconds: Double, threads: Int) {
            self.sampleFPS = sampleFPS
            self.settleSeconds = settleSeconds
            self.threads = threads
        }
    }

    /// How a watched folder is followed: inotify, polling, or inotify unless the filesystem lacks it.
    public enum WatchMode: String, Sendable, Equatable, CaseIterable {
        case auto, inotify, poll
    }

    /// One `[[watch]]` entry: a folder whose videos are indexed.
    public struct WatchRoot: Sendable, Equatable {
        public var path: String
        public var recursive: Bool
        /// Lower-case extensions without the dot.
        public var extensions: [String]
        public var mode: WatchMode
        /// Interval of the polling fallback (network and FUSE filesystems, or `mode = "poll"`).
        public var pollSeconds: Double

        public init(path: String, recursive: Bool = true, extensions: [String] = ClipdexConfig.defaultExtensions,
                    mode: WatchMode = .auto, pollSeconds: Double = ClipdexConfig.defaultPollSeconds) {
            self.path = path
            self.recursive = recursive
            self.extensions = extensions
            self.mode = mode
            self.pollSeconds = pollSeconds
        }

        /// Whether a file name has one of this root's extensions (case-insensitive).
        public func accepts(fileName name: String) -> Bool {
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
            return extensions.contains(name[name.index(after: dot)...].lowercased())
        }
    }

    public var store: Store
    public var model: Model
    public var ingest: Ingest
    public var watch: [WatchRoot]
    /// Lowest level logged: trace, debug, info, notice, warning, error or critical (`[log] level`).
    public var logLevel: String
    /// The file this configuration was read from (empty when built in code).
    public var file: String

    public init(store: Store = Store(database: ClipdexConfig.defaultDatabase),
                model: Model = Model(path: nil, adapter: nil),
                ingest: Ingest = Ingest(sampleFPS: 1, settleSeconds: 5, threads: 2),
                watch: [WatchRoot] = [], logLevel: String = "info", file: String = "") {
        self.store = store
        self.model = model
        self.ingest = ingest
        self.watch = watch
        self.logLevel = logLevel
        self.file = file
    }

    /// `/etc/clipdex/clipdex.toml`, or `$CLIPDEX_CONFIG` when set.
    public static var defaultFile: String {
        ProcessInfo.processInfo.environment["CLIPDEX_CONFIG"] ?? "/etc/clipdex/clipdex.toml"
    }
    /// The daemon's database when the config names none.
    public static let defaultDatabase = "/var/lib/clipdex/index.sqlite"
    /// The extensions watched when a `[[watch]]` entry names none.
    public static let defaultExtensions = ["mp4", "mkv", "mov", "webm", "avi", "m4v"]
    /// Polling interval when `poll_seconds` is not given.
    public static let defaultPollSeconds = 30.0
    /// Log levels accepted by `[log] level`.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The database the `clipdex` CLI uses without `--db`: the config's `[store] database` when the
    /// config file (`defaultFile`) exists and parses, else `~/.local/share/clipdex/index.sqlite`.
    public static func cliDatabase(configFile: String = defaultFile) -> String {
        if FileManager.default.fileExists(atPath: configFile),
           let config = try? ClipdexConfig.load(file: configFile) {
            return config.store.database
        }
        return ("~/.local/share/clipdex/index.sqlite" as NSString).expandingTildeInPath
    }
}
