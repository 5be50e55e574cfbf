import Foundation
import Logging
import Synchronization
@testable import clipdexd

/// Lines logged through a `JournalLogHandler`, kept for assertions.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    func logger(level: Logger.Level = .debug) -> Logger {
        Logger(label: "test") { [self] label in
            JournalLogHandler(label: label, level: level) { line in self.lines.withLock { $0.append(line) } }
        }
    }
}

/// Polls `condition` every 20 ms for up to `seconds`; returns whether it came true.
func eventually(_ seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Appends bytes to a file without closing it in between calls (like a slow download).
final class SlowWriter {
    let handle: FileHandle
    init(_ path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = FileHandle(forWritingAtPath: path)!
    }
    func append(_ count: Int) {
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 7, count: count))
    }
    func close() { try? handle.close() }
}

/// Runs a program to completion: exit status, stdout, stderr.
func runProgram(_ program: String, _ args: [String]) throws -> (code: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}
