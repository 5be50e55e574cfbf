import Foundation
import Index

/// The `clipdexd` a demo runs: started beside this executable, watched through the index it
/// writes, stopped with SIGTERM.
final class DemoDaemon {
    let process = Process()
    let logPath: String

    /// `clipdexd` in the same folder as the running `clipdex`.
    static func executable() throws -> String {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let path = (me as NSString).deletingLastPathComponent + "/clipdexd"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw DemoError("\(path): clipdexd not found beside clipdex; build both with `swift build` (they land in .build/debug or .build/release)")
        }
        return path
    }

    /// Starts `clipdexd --config CONFIG`, its log going to `logPath`.
    init(config: String, logPath: String) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw DemoError("\(logPath): cannot write the daemon's log") }
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = ["--config", config]
        var env = ProcessInfo.processInfo.environment
        for k in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { env[k] = nil }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Polls the index until `expected` videos are indexed and nothing is queued, printing a
    /// progress line when the count changes. Throws on timeout, failures or an early exit.
    func waitUntilIndexed(database: String, expected: Int, timeout: Double) throws {
        let start = Date()
        var last = -1
        while true {
            guard process.isRunning else { throw DemoError("clipdexd exited (status \(process.terminationStatus)) before indexing finished:\n\(logTail())") }
            if let store = try? IndexStore(path: database, create: false), let s = try? store.summary() {
                if s.indexed != last {
                    print(String(format: "  %5.1f s  indexed %d of %d videos", Date().timeIntervalSince(start), s.indexed, expected))
                    last = s.indexed
                }
                if s.failed > 0 { throw DemoError("clipdexd could not index \(s.failures.map { "\($0.path): \($0.error ?? "?")" }.joined(separator: "; "))") }
                if s.indexed >= expected && s.queued == 0 { return }
            }
            guard Date().timeIntervalSince(start) < timeout else {
                throw DemoError("timed out after \(Int(timeout)) s waiting for clipdexd to index \(expected) videos (see \(logPath); raise --timeout)")
            }
            usleep(250_000)
        }
    }

    /// SIGTERM, then up to `seconds` for a clean exit (SIGKILL after that). Returns the exit status.
    @discardableResult
    func stop(seconds: Double = 15) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    /// The last lines of the daemon's log.
    func logTail(_ lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    deinit { if process.isRunning { stop(seconds: 5) } }
}

/// A demo step that failed, with what to do.
struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
