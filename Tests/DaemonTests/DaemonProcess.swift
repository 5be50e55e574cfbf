import Foundation
import Synchronization

/// A `clipdexd` process started from this build, with its stderr collected.
final class DaemonProcess: Sendable {
    let process: Process
    let stderr = TextBox()

    init(_ args: [String], environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: productsDir + "/clipdexd")
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        for k in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { env[k] = nil }
        env.merge(environment) { $1 }
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        process = p
        let stderr = stderr
        err.fileHandleForReading.readabilityHandler = { h in
            let data = h.availableData
            if !data.isEmpty { stderr.text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try p.run()
    }

    var log: String { stderr.text.withLock { $0 } }
    var pid: Int32 { process.processIdentifier }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits up to `seconds` for the exit; returns the status, or nil if still running.
    func wait(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Waits until stderr contains `text`.
    func waitForLog(_ text: String, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(20_000)
        }
        return log.contains(text)
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// Text appended from one thread and read from another.
final class TextBox: Sendable {
    let text = Mutex("")
}

/// Runs `clipdexd` to completion and returns its exit status, stdout and stderr.
func runDaemon(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
    try runProgram(productsDir + "/clipdexd", args)
}
