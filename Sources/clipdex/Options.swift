import ArgumentParser
import Foundation
import Tensor

/// Options shared by commands that run models.
struct EngineOptions: ParsableArguments {
    @Option(help: "CPU threads for BLAS and clipdex's own loops (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func apply() { Threads.configure(threads) }
}

/// Writes a JSON value (arrays, dictionaries, numbers, strings, null) to stdout on one line.
func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.withoutEscapingSlashes, .fragmentsAllowed])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Prints a one-line error to stderr and exits non-zero: for errors the user must act on.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("clipdex: \(message)\n".utf8))
    exit(code)
}
