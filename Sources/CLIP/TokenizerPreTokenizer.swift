/// Splits cleaned text into the pieces BPE encodes one by one, as CLIP's pattern does
/// (`regex` module, case-insensitive):
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`.
/// At each position the first alternative that matches wins; whitespace is skipped.
enum PreTokenizer {
    typealias Scalars = [Unicode.Scalar]

    static let specialTokens = ["<|startoftext|>", "<|endoftext|>"].map(PyText.scalars)
    static let contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map(PyText.scalars)

    /// The pieces, as ranges of `s`.
    static func pieces(_ s: Scalars) -> [Range<Int>] {
        var pieces: [Range<Int>] = []
        var i = 0
        while i < s.count {
            let length = pieceLength(s, at: i)
            if length > 0 { pieces.append(i..<i + length) }
            i += max(length, 1)
        }
        return pieces
    }

    /// Length of the piece starting at `i`, 0 if none starts there.
    private static func pieceLength(_ s: Scalars, at i: Int) -> Int {
        let c = s[i]
        if c == "<", let special = specialTokens.first(where: { literal($0, matches: s, at: i) }) {
            return special.count
        }
        if c == "'", let contraction = contractions.first(where: { literal($0, matches: s, at: i) }) {
            return contraction.count
        }
        if PyText.isLetter(c) { return run(s, from: i, while: PyText.isLetter) }
        if PyText.isNumber(c) { return 1 }
        return run(s, from: i, while: isOther)
    }

    /// `[^\s\p{L}\p{N}]`. Under case-insensitive matching the class also leaves out U+0345, whose
    /// case folding (ι) is a letter, so that character belongs to no piece at all.
    private static func isOther(_ c: Unicode.Scalar) -> Bool {
        !PyText.isWhiteSpace(c) && !PyText.isLetter(c) && !PyText.isNumber(c) && c.value != 0x345
    }

    private static func run(_ s: Scalars, from i: Int, while test: (Unicode.Scalar) -> Bool) -> Int {
        var j = i
        while j < s.count && test(s[j]) { j += 1 }
        return j - i
    }

    /// Case-insensitive literal match (simple case folding: ASCII capitals, and ſ for s).
    private static func literal(_ lit: Scalars, matches s: Scalars, at i: Int) -> Bool {
        guard i + lit.count <= s.count else { return false }
        for (k, want) in lit.enumerated() where fold(s[i + k]) != want { return false }
        return true
    }

    private static func fold(_ c: Unicode.Scalar) -> Unicode.Scalar {
        switch c.value {
        case 0x41...0x5A: return Unicode.Scalar(c.value + 0x20)!
        case 0x17F: return "s"
        case 0x212A: return "k"
        default: return c
        }
    }
}
