/// Repairs mojibake: UTF-8 text that was decoded with a single-byte encoding ("cafÃ©" → "café",
/// "â€œquotedâ€\u{9D}" → "“quoted”"). This follows ftfy 6.3.1's `fix_encoding`: only text the
/// `Badness` detector flags is touched; it is re-encoded with the first single-byte encoding that
/// can represent it and whose bytes then decode as UTF-8 (after putting back A0 bytes that became
/// spaces, and marking sequences that lost a byte), step by step until nothing changes; if the
/// whole text cannot be re-decoded, UTF-8-looking runs inside it are repaired on their own;
/// Latin-1 C1 controls left over are read as Windows-1252.
enum Mojibake {
    typealias Scalars = [Unicode.Scalar]

    /// Repeats `fixOneStep` until the text is stable (capped, like `TextFixer.fixLine`).
    static func fixEncoding(_ text: Scalars) -> Scalars {
        var text = text
        for _ in 0..<64 {
            let fixed = fixOneStep(text)
            if fixed == text { return text }
            text = fixed
        }
        return text
    }

    /// One repair (ftfy's order): the whole text through the first encoding that yields UTF-8,
    /// else its UTF-8-looking runs alone, else Latin-1 C1 controls as Windows-1252.
    static func fixOneStep(_ text: Scalars) -> Scalars {
        if text.isEmpty || text.allSatisfy(\.isASCII) || !Badness.isBad(text) { return text }
        var latin1Possible = false
        for encoding in Charsets.Encoding.allCases {
            guard var bytes = encoding.encode(text) else { continue }
            if encoding == .latin1 { latin1Possible = true }
            // (In MacRoman an en dash and a space would look like a lost A0.)
            if encoding != .macRoman { bytes = ByteRepairs.restoreByteA0(bytes) }
            if encoding.isSloppy { bytes = ByteRepairs.replaceLossySequences(bytes) }
            let variants = bytes.contains(0xED) || bytes.contains(0xC0)
            if let fixed = Charsets.decodeUTF8(bytes, variants: variants) { return fixed }
        }
        if UTF8Runs.containsRun(text) {
            let fixed = UTF8Runs.fixRuns(text)
            if fixed != text { return fixed }
        }
        // Latin-1 with C1 controls (ftfy never sees it as plain Windows-1252): read as 1252.
        if latin1Possible, let fixed = Charsets.latin1AsWindows1252(text), fixed != text { return fixed }
        return fixC1Controls(text)
    }

    /// C1 control characters (U+0080...U+009F) read as their Windows-1252 characters.
    static func fixC1Controls(_ text: Scalars) -> Scalars {
        guard text.contains(where: { (0x80...0x9F).contains($0.value) }) else { return text }
        return text.map { (0x80...0x9F).contains($0.value) ? Charsets.sloppyWindows1252[Int($0.value)] : $0 }
    }
}
