import Foundation

/// CLIP's byte-level BPE tokenizer (OpenAI's algorithm and vocabulary).
/// Interface only for now; the implementation lands with the tokenizer work.
public struct Tokenizer: Sendable {
    public static let startToken = 49406
    public static let endToken = 49407
    public static let contextLength = 77

    /// The tokenizer over the merges file bundled with clipdex.
    public static func bundled() throws -> Tokenizer {
        throw CLIPError.input("the BPE tokenizer is not implemented yet")
    }

    /// Token ids with start and end tokens, cut to the context with the end token kept last.
    public func encode(_ text: String) -> [Int] { [] }
}
