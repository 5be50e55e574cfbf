import ArgumentParser
import Config
import Foundation
import Logging

/// clipdexd: watches folders of videos and keeps the clipdex index in step with them.
@main
struct ClipdexD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipdexd",
        abstract: "Watch folders of videos and keep the clipdex index up to date.",
        discussion: "Runs in the foreground, logging to stderr with journald priority prefixes; meant to run under systemd (systemd/clipdexd.service).")

    @Option(name: .long, help: "The configuration file (etc/clipdex.toml documents every key).")
    var config: String = ClipdexConfig.defaultFile

    @Flag(name: .long, help: "Validate the configuration (keys, folders, model, database folder), print a summary, and exit.")
    var checkConfig = false

    @Flag(name: .long, help: "Watch and report what would be indexed, moved or removed, without a model or database.")
    var dryRun = false

    @Option(name: .long, help: "Lowest level logged, overriding [log] level: trace, debug, info, notice, warning, error.")
    var logLevel: String?

    func run() async throws {
        let settings: ClipdexConfig
        do {
            settings = try ClipdexConfig.load(file: config)
            try settings.validate(model: !dryRun, database: !dryRun)
            if !dryRun { try settings.validateAdapter() }
        } catch {
            FileHandle.standardError.write(Data("clipdexd: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if checkConfig {
            print(summary(settings))
            return
        }
        let level = Logger.Level(rawValue: logLevel ?? settings.logLevel) ?? .info
        LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level) }
        let logger = Logger(label: "clipdexd")
        let dryRun = dryRun
        if !dryRun && settings.usesDemoModel { logger.warning("\(ClipdexConfig.demoModelNotice)") }
        let service = Service(configFile: config, logger: logger,
                              validate: { c in
                                  try c.validate(model: !dryRun, database: !dryRun)
                                  if !dryRun { try c.validateAdapter() }
                              }) { config in
            dryRun ? MemoryBackend() : try IndexBackend.open(config, logger: logger)
        }
        do {
            let code = try await service.run(config: settings)
            if code != 0 { throw ExitCode(code) }
        } catch let e as ExitCode {
            throw e
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
    }

    func summary(_ c: ClipdexConfig) -> String {
        var lines = ["\(c.file): OK",
                     "  database  \(c.store.database)",
                     "  model     \(c.modelDirectory ?? "-")\(c.usesDemoModel ? " (bundled demo model)" : "")"]
        if let a = c.adapterPath { lines.append("  adapter   \(a)") }
        lines.append("  ingest    \(c.ingest.sampleFPS) frame/s, settle \(c.ingest.settleSeconds) s, \(c.ingest.threads) thread(s)")
        for w in c.watch {
            lines.append("  watch     \(w.path) (\(w.recursive ? "recursive" : "top level only"), \(w.mode.rawValue), \(w.extensions.joined(separator: " ")))")
        }
        return lines.joined(separator: "\n")
    }
}
