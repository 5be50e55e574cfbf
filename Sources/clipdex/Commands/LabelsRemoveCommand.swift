import ArgumentParser
import Foundation

/// `clipdex labels remove`: removes labels from the vocabulary; their tags disappear.
struct LabelsRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove labels from the vocabulary and re-tag the stored segments.")

    @Argument(help: "Label texts to remove.") var labels: [String]
    @OptionGroup var store: StoreOptions
    @OptionGroup var engine: EngineOptions

    func run() throws {
        engine.apply()
        let clean = cleanLabels(labels)
        guard !clean.isEmpty else { fail("no labels to remove: give label texts (see `clipdex labels list`)") }
        changeVocabulary(store, removing: clean)
    }
}
