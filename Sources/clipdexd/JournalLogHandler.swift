import Foundation
import Logging

/// A swift-log handler writing one line per message to stderr in the form journald understands:
/// a `<N>` syslog priority prefix (7 debug … 2 critical), then the message and its metadata as
/// `key=value`. journald strips the prefix and files the line at that priority.
struct JournalLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let label: String
    /// Where lines go; stderr by default.
    let write: @Sendable (String) -> Void

    init(label: String, level: Logger.Level = .info, write: @escaping @Sendable (String) -> Void = JournalLogHandler.stderr) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The syslog priority of a swift-log level.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    func log(event: LogEvent) {
        write(Self.format(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }

    /// `<6>message key=value ...`: one line; newlines in the message are flattened.
    static func format(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "<\(priority(level))>" + message.replacingOccurrences(of: "\n", with: " ")
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(v)" }
        return line + "\n"
    }

    /// Writes a whole line with one `write(2)`, so lines from several threads never interleave.
    static let stderr: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Foundation.write(2, $0.baseAddress, $0.count) }
    }
}
