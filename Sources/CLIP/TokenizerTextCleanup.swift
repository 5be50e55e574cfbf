/// CLIP's text cleanup before splitting: ftfy's `fix_text`, HTML-unescape twice, strip, collapse
/// whitespace runs to one space, strip, lower-case (OpenAI's `basic_clean`, `whitespace_clean`).
enum TextCleanup {
    static func clean(_ text: String) -> [Unicode.Scalar] {
        var s: [Unicode.Scalar] = []
        s.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars { s.append(c) }
        s = TextFixer.fixText(s)
        s = HTMLText.unescape(HTMLText.unescape(s))
        s = PyText.strip(s)
        s = PyText.strip(PyText.collapseSpaces(s))
        return PyText.lower(s)
    }

    /// Builds the lazily made tables (code pages, badness classes, HTML references, width folding)
    /// so that the first query does not pay for them.
    static func prepareTables() {
        _ = BadnessMatcher.shared
        _ = Charsets.sloppyWindows1252
        _ = HTMLText.ftfyNamed
        _ = CharacterFixes.widths
    }
}
