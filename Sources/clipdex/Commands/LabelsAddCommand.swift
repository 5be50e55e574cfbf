import ArgumentParser
import Foundation

/// `clipdex labels add`: adds labels to the vocabulary and re-tags every stored segment.
struct LabelsAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add labels to the vocabulary and re-tag the stored segments.")

    @Argument(help: "Label texts (quote multi-word labels).") var labels: [String] = []
    @Option(help: "A file with one label per line.") var file: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var engine: EngineOptions

    func run() throws {
        engine.apply()
        var texts = labels
        if let file {
            do { texts += try String(contentsOfFile: absolutePath(file), encoding: .utf8).components(separatedBy: .newlines) } catch {
                fail("\(file): cannot read the label file (\(error.localizedDescription)); give a text file with one label per line")
            }
        }
        let clean = cleanLabels(texts)
        guard !clean.isEmpty else { fail("no labels to add: give label texts or --file FILE with one label per line") }
        changeVocabulary(store, adding: clean)
    }
}
