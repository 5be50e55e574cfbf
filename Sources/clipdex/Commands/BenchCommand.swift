import ArgumentParser

/// `clipdex bench …`: throughput measurements, always beside a baseline measured in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure clipdex's speed on this machine.",
        subcommands: [
            BenchEncodeCommand.self,
            BenchDecodeCommand.self,
            BenchPreprocessCommand.self,
            BenchSearchCommand.self,
            BenchTrainCommand.self,
            BenchTokenizeCommand.self,
            BenchLabelsCommand.self,
        ])
}
