/// CLIP's text cleanup before splitting: ftfy's `fix_text`, HTML-unescape twice, strip, collapse
/// whitespace runs to one space, strip, lower-case (OpenAI's `basic_clean`, `whitespace_clean`).
enum TextCleanup {
    static func clean(_ text: String) -> [Unicode.Scalar] {
        var s = Array(text.unicodeScalars)
        s = TextFixer.fixText(s)
        s = HTMLText.unescape(HTMLText.unescape(s))
        s = PyText.strip(s)
        s = PyText.strip(PyText.collapseSpaces(s))
        return PyText.lower(s)
    }
}
