import Foundation
import Tensor

/// CLIP's byte-level BPE tokenizer: OpenAI's algorithm and vocabulary (49,408 ids), giving the
/// same ids as the reference `simple_tokenizer` for any text, so text embeddings match.
///
/// `encode` cleans the text (ftfy-style repair, HTML unescape, whitespace, lower case), splits it
/// into words, numbers and punctuation runs, byte-pair-encodes each piece and wraps the ids in the
/// start and end tokens. Loading reads the merges once (tens of milliseconds); encoding a short
/// query takes microseconds. Copies share one thread-safe word cache.
public struct Tokenizer: Sendable {
    public static let startToken = 49406
    public static let endToken = 49407
    public static let contextLength = 77
    /// Ids run from 0 to 49,407.
    public static let vocabularySize = MergesFile.vocabularySize

    private let bpe: BPE

    /// Loads a CLIP merges file (`bpe_simple_vocab_16e6.txt.gz`, gzipped or plain).
    public init(mergesPath: String) throws {
        bpe = BPE(merges: try MergesFile.load(path: mergesPath))
        TextCleanup.prepareTables()
    }

    /// The tokenizer over the merges file bundled with clipdex (loaded once per process).
    public static func bundled() throws -> Tokenizer {
        switch bundledTokenizer {
        case let .success(tokenizer): return tokenizer
        case let .failure(failure): throw CLIPError.input(failure.message)
        }
    }

    /// Path of the merges file bundled with the CLIP module, nil if the bundle lacks it.
    public static var bundledMergesPath: String? {
        BundledResources.path(module: "CLIP", resource: "bpe_simple_vocab_16e6.txt.gz")
    }

    private struct LoadFailure: Error { let message: String }

    private static let bundledTokenizer: Result<Tokenizer, LoadFailure> = {
        guard let path = bundledMergesPath else {
            return .failure(LoadFailure(message: "bpe_simple_vocab_16e6.txt.gz is missing from the CLIP module's resource bundle; install the clipdex_CLIP.resources folder beside the clipdex binaries (see README) or set CLIPDEX_RESOURCES"))
        }
        do { return .success(try Tokenizer(mergesPath: path)) } catch {
            return .failure(LoadFailure(message: "\(error)"))
        }
    }()

    /// Token ids with start and end tokens, cut to the context with the end token kept last.
    /// No padding: the result has between 2 and 77 ids.
    public func encode(_ text: String) -> [Int] {
        var ids = [Self.startToken]
        // Pieces past the context cannot change the first 76 ids: stop once they are known.
        appendIDs(of: text, to: &ids, upTo: Self.contextLength)
        ids.append(Self.endToken)
        if ids.count > Self.contextLength {
            ids.removeSubrange(Self.contextLength - 1..<ids.count)
            ids.append(Self.endToken)
        }
        return ids
    }

    /// The BPE ids of the text alone: no start or end token, not cut.
    public func tokenIDs(_ text: String) -> [Int] {
        var ids: [Int] = []
        appendIDs(of: text, to: &ids, upTo: .max)
        return ids
    }

    /// The text as the tokenizer sees it after cleanup (repaired, unescaped, whitespace collapsed,
    /// lower-cased), for inspecting what a query becomes.
    public static func cleanText(_ text: String) -> String {
        String(String.UnicodeScalarView(TextCleanup.clean(text)))
    }

    private func appendIDs(of text: String, to ids: inout [Int], upTo limit: Int) {
        let cleaned = TextCleanup.clean(text)
        var bytes: [UInt8] = []
        for piece in PreTokenizer.pieces(cleaned) where ids.count < limit {
            bytes.removeAll(keepingCapacity: true)
            for c in cleaned[piece] { UTF8.encode(c) { bytes.append($0) } }
            if bytes.first == UInt8(ascii: "<") && bytes == Self.startText {
                ids.append(Self.startToken)
            } else if bytes.first == UInt8(ascii: "<") && bytes == Self.endText {
                ids.append(Self.endToken)
            } else {
                bpe.encode(bytes, into: &ids)
            }
        }
    }

    /// The special tokens, when they appear verbatim in the text, keep their ids.
    private static let startText = Array("<|startoftext|>".utf8), endText = Array("<|endoftext|>".utf8)
}
