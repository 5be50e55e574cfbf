import ArgumentParser
import CLIP
import Foundation
import Index

/// `clipdex labels …`: the vocabulary segments are tagged with.
struct LabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels", abstract: "Change or list the vocabulary of tags; stored segments are re-tagged without decoding.",
        subcommands: [LabelsAddCommand.self, LabelsRemoveCommand.self, LabelsListCommand.self])
}

/// Runs a vocabulary change through the re-tagger and prints its report.
func changeVocabulary(_ store: StoreOptions, adding: [String] = [], removing: [String] = []) {
    let db = store.open()
    do {
        let report = try Retagger(store: db, tokenizer: try Tokenizer.bundled()).apply(adding: adding, removing: removing)
        if store.json {
            var out: [String: Any] = ["labels": report.labels, "segments_retagged": report.segmentsRetagged, "seconds": report.seconds]
            if !adding.isEmpty || removing.isEmpty { out["added"] = report.added }
            if !removing.isEmpty { out["removed"] = report.removed }
            try printJSON(out)
        } else {
            let (action, changed) = adding.isEmpty ? ("removed", report.removed) : ("added", report.added)
            printTable([action, "vocabulary", "segments re-tagged", "seconds"],
                       [[changed.isEmpty ? "-" : changed.joined(separator: ", "), String(report.labels),
                         String(report.segmentsRetagged), String(format: "%.2f", report.seconds)]])
        }
    } catch { fail("\(error)") }
}

/// Label texts trimmed, empty ones dropped, duplicates removed (first kept).
func cleanLabels(_ texts: [String]) -> [String] {
    var seen = Set<String>()
    return texts.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty && seen.insert($0).inserted }
}
