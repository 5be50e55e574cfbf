import ArgumentParser
import CLIP

/// `clipdex tokenize TEXT`: CLIP token ids as one JSON array.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Print CLIP's token ids for a text (start and end tokens, cut to 77).")

    @Argument(help: "The text to tokenize.") var text: String

    func run() throws {
        do { try printJSON(try Tokenizer.bundled().encode(text)) } catch { fail("\(error)") }
    }
}
