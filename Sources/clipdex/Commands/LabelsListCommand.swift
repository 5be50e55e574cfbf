import ArgumentParser
import Foundation

/// `clipdex labels list`: the vocabulary with how many segments carry each label.
struct LabelsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the vocabulary and how many segments are tagged with each label.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = store.open()
        do {
            let usage = try db.vocabularyUsage()
            if store.json {
                try printJSON(usage.map { ["label": $0.label, "segments": $0.segments] as [String: Any] })
            } else if usage.isEmpty {
                print("the vocabulary is empty: add labels with `clipdex labels add TEXT...`")
            } else {
                printTable(["label", "segments"], usage.map { [$0.label, String($0.segments)] })
            }
        } catch { fail("\(error)") }
    }
}
