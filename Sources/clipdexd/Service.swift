import Config
import Dispatch
import Foundation
import Logging

/// The daemon's life: start the pipeline, tell systemd it is ready, keep the watchdog fed and the
/// status fresh, reload on SIGHUP, stop on SIGTERM/SIGINT within the 10 s systemd allows.
final class Service: Sendable {
    let configFile: String
    let logger: Logger
    let notifier: SystemdNotifier
    let makeBackend: @Sendable (ClipdexConfig) throws -> any IngestBackend
    /// Checks a configuration before it is used (at reload).
    let validate: @Sendable (ClipdexConfig) throws -> Void
    /// How long the current file may take to finish after SIGTERM before it is left to be redone.
    let stopTimeout: Double

    init(configFile: String, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(), stopTimeout: Double = 7,
         validate: @escaping @Sendable (ClipdexConfig) throws -> Void = { try $0.validate() },
         makeBackend: @escaping @Sendable (ClipdexConfig) throws -> any IngestBackend) {
        self.validate = validate
        self.configFile = configFile
        self.logger = logger
        self.notifier = notifier
        self.stopTimeout = stopTimeout
        self.makeBackend = makeBackend
    }

    /// Runs until SIGTERM or SIGINT; returns the exit code.
    func run(config first: ClipdexConfig) async throws -> Int32 {
        let signals = SignalStream([SIGTERM, SIGINT, SIGHUP])
        var pipeline = try await Pipeline(config: first, backend: try makeBackend(first), logger: logger, notifier: notifier)
        notifier.send("READY=1\nSTATUS=\(pipeline.status())\nMAINPID=\(getpid())")
        logger.notice("clipdexd \(getpid()) ready")
        var heartbeat = startHeartbeat(pipeline)
        for await signal in signals.stream {
            if signal != SIGHUP { break }
            notifier.send("RELOADING=1\nSTATUS=reloading \(configFile)")
            heartbeat.cancel()
            pipeline = await reload(pipeline)
            heartbeat = startHeartbeat(pipeline)
            notifier.send("READY=1\nSTATUS=\(pipeline.status())")
        }
        notifier.send("STOPPING=1\nSTATUS=stopping")
        logger.notice("stopping")
        heartbeat.cancel()
        if let left = pipeline.stop(timeout: stopTimeout) {
            logger.warning("\(left): still being read at stop: nothing of it was committed, it will be read again at the next start")
        }
        logger.notice("stopped")
        return 0
    }

    /// Re-reads the config; on any error keeps the running pipeline and logs why.
    func reload(_ old: Pipeline) async -> Pipeline {
        let config: ClipdexConfig
        do {
            config = try ClipdexConfig.load(file: configFile)
            try validate(config)
        } catch {
            logger.error("reload refused, keeping the running configuration: \(error)")
            return old
        }
        logger.notice("reloading \(configFile)")
        _ = old.stop(timeout: stopTimeout)
        do {
            let sameStore = config.store == old.config.store && config.model == old.config.model
                && config.ingest.sampleFPS == old.config.ingest.sampleFPS && config.ingest.threads == old.config.ingest.threads
            let backend = sameStore ? old.backend : try makeBackend(config)
            return try await Pipeline(config: config, backend: backend, logger: logger, notifier: notifier)
        } catch {
            logger.error("reload failed (\(error)); restarting with the previous configuration")
            do {
                return try await Pipeline(config: old.config, backend: old.backend, logger: logger, notifier: notifier)
            } catch {
                logger.critical("cannot restart the previous configuration either: \(error)")
                exit(1)
            }
        }
    }

    /// Sends `WATCHDOG=1` at half of `WATCHDOG_USEC` and refreshes `STATUS=` every few seconds.
    /// It runs on Swift's task pool: if that pool stops (a deadlock), the pings stop and systemd
    /// restarts the daemon; a long scan or a long video does not stop them.
    func startHeartbeat(_ pipeline: Pipeline) -> Task<Void, Never> {
        let interval = min(5, notifier.watchdogInterval ?? 5)
        let notifier = notifier
        return Task {
            var last = ""
            while !Task.isCancelled {
                let status = pipeline.status()
                var message = notifier.watchdogInterval == nil ? "" : "WATCHDOG=1\n"
                if status != last { message += "STATUS=\(status)" }
                last = status
                if !message.isEmpty { notifier.send(message) }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }
}

/// Delivers SIGTERM, SIGINT and SIGHUP as an async stream instead of asynchronous handlers.
final class SignalStream: @unchecked Sendable {
    let stream: AsyncStream<Int32>
    private var sources: [any DispatchSourceSignal] = []

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.stream = stream
        for sig in signals {
            Glibc.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            sources.append(source)
        }
    }

    deinit { for s in sources { s.cancel() } }
}
