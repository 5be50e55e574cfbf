/// A configuration problem, naming the file, the key or path at fault, and what to do.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The config file concerned.
    public var file: String
    /// The key (`[ingest] settle_seconds`, `[[watch]] #2 path`) or path at fault.
    public var key: String
    /// What is wrong and how to fix it.
    public var message: String

    public init(file: String, key: String, _ message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)"
    }
}
