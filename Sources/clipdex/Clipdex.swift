import ArgumentParser

/// `clipdex`: index videos with a frozen CLIP and search them in words or pictures.
@main
struct Clipdex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipdex",
        abstract: "Search inside your videos with CLIP: index, search, inspect, and the engine's tools.",
        subcommands: [
            // finding things
            IndexCommand.self,
            SearchCommand.self,
            SimilarCommand.self,
            ListCommand.self,
            StatusCommand.self,
            ShowCommand.self,
            ExportCommand.self,
            ThumbsCommand.self,
            LabelsCommand.self,
            // synthetic data
            SynthCommand.self,
            DemoCommand.self,
            // video adaptation
            TrainCommand.self,
            EvalCommand.self,
            // media
            ProbeCommand.self,
            FramesCommand.self,
            // the engine
            TokenizeCommand.self,
            EmbedCommand.self,
            PreprocessCommand.self,
            BenchCommand.self,
        ])
}
