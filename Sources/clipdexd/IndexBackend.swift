import Config
import Logging

/// The `IngestBackend` over the Index module's SQLite store. Placeholder until the Index module
/// lands on main: the daemon refuses to start without it (use --dry-run meanwhile).
enum IndexBackend {
    static func open(_ config: ClipdexConfig, logger: Logger) throws -> any IngestBackend {
        throw ConfigError(file: config.file, key: "[store] database",
                          "\(config.store.database): this build has no index store yet (the Index module is not merged); run with --dry-run to try the watch configuration")
    }
}
