/// The text repair CLIP runs first (`ftfy.fix_text` with ftfy 6.3.1's defaults): per line, HTML
/// references ending in `;` are decoded (unless the text looks like HTML, holding a `<`), mojibake
/// is repaired, C1 controls become Windows-1252 characters, Latin ligatures are split, full- and
/// half-width forms are folded, curly quotes straightened, line breaks unified, terminal escapes
/// and stray control characters (byte-order marks among them) dropped, and the result put in NFC;
/// repeated until the line no longer changes.
enum TextFixer {
    typealias Scalars = [Unicode.Scalar]

    /// ftfy's `fix_text`: lines are fixed one by one (a line of over a million characters is cut).
    /// Once a line holds `<`, HTML decoding stays off for the rest of the text, as in ftfy.
    static func fixText(_ text: Scalars) -> Scalars {
        if text.allSatisfy(isPlainASCII) { return text }
        var out = Scalars()
        out.reserveCapacity(text.count)
        var unescapeHTML = true
        var start = 0
        while start < text.count {
            var end = text[start...].firstIndex(of: "\n").map { $0 + 1 } ?? text.count
            end = min(end, start + 1_000_000)
            let line = Array(text[start..<end])
            if unescapeHTML && line.contains("<") { unescapeHTML = false }
            out += fixLine(line, unescapeHTML: unescapeHTML)
            start = end
        }
        return out
    }

    /// ASCII that no fix touches: printable, tab, LF or FF, and not `&` (ESC, CR, other controls
    /// and HTML references are the only things the fixes change in ASCII text).
    private static func isPlainASCII(_ c: Unicode.Scalar) -> Bool {
        (c.value >= 0x20 && c.value < 0x7F && c != "&") || c == "\t" || c == "\n" || c == "\u{0C}"
    }

    /// All the fixes on one line, until it is stable. (Real text settles in two or three passes;
    /// the cap only guards a server against a pathological input that would never settle.)
    static func fixLine(_ line: Scalars, unescapeHTML: Bool) -> Scalars {
        var text = line
        for _ in 0..<64 {
            let before = text
            if unescapeHTML { text = HTMLText.ftfyUnescape(text) }
            text = Mojibake.fixEncoding(text)
            text = Mojibake.fixC1Controls(text)
            text = mapScalars(text, CharacterFixes.ligatures, in: CharacterFixes.ligatureRanges)
            text = mapScalars(text, CharacterFixes.widths, in: CharacterFixes.widthRanges)
            text = uncurlQuotes(text)
            text = fixLineBreaks(text)
            text = removeTerminalEscapes(text)
            if text.contains(where: CharacterFixes.isUnwantedControl) { text.removeAll(where: CharacterFixes.isUnwantedControl) }
            text = PyText.nfc(text)
            if text == before { return text }
        }
        return text
    }

    /// Replaces each scalar that has an entry in `table` (whose keys all lie in `ranges`).
    static func mapScalars(_ s: Scalars, _ table: [UInt32: Scalars], in ranges: [ClosedRange<UInt32>]) -> Scalars {
        func mapped(_ c: Unicode.Scalar) -> Scalars? {
            c.value < ranges[0].lowerBound || !ranges.contains(where: { $0.contains(c.value) }) ? nil : table[c.value]
        }
        guard s.contains(where: { mapped($0) != nil }) else { return s }
        return s.flatMap { mapped($0) ?? [$0] }
    }

    /// Curly single quotes (and U+02BC) become `'`, curly double quotes `"`.
    static func uncurlQuotes(_ s: Scalars) -> Scalars {
        guard s.contains(where: { $0.value == 0x2BC || (0x2018...0x201F).contains($0.value) }) else { return s }
        return s.map { c in
            switch c.value {
            case 0x2BC, 0x2018...0x201B: return "'"
            case 0x201C...0x201F: return "\""
            default: return c
            }
        }
    }

    /// CRLF, CR, U+2028, U+2029 and U+0085 all become LF.
    static func fixLineBreaks(_ s: Scalars) -> Scalars {
        guard s.contains(where: { $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" }) else { return s }
        var out = Scalars()
        out.reserveCapacity(s.count)
        for (i, c) in s.enumerated() {
            switch c.value {
            case 0x0D where i + 1 < s.count && s[i + 1] == "\n": continue
            case 0x0D, 0x85, 0x2028, 0x2029: out.append("\n")
            default: out.append(c)
            }
        }
        return out
    }

    /// Drops ANSI escapes: ESC `[`, digits (any decimal digit, as `re`'s `\d`) and `;`, then one
    /// ASCII letter.
    static func removeTerminalEscapes(_ s: Scalars) -> Scalars {
        guard s.contains("\u{1B}") else { return s }
        var out = Scalars()
        var i = 0
        while i < s.count {
            if s[i] == "\u{1B}", i + 1 < s.count, s[i + 1] == "[" {
                var j = i + 2
                while j < s.count && (s[j] == ";" || s[j].properties.generalCategory == .decimalNumber) { j += 1 }
                if j < s.count && s[j].isASCII && PyText.isLetter(s[j]) {
                    i = j + 1
                    continue
                }
            }
            out.append(s[i])
            i += 1
        }
        return out
    }
}

/// Character tables for the one-character fixes.
enum CharacterFixes {
    typealias Scalars = [Unicode.Scalar]

    /// Latin ligatures and legacy digraphs, written out as their letters.
    static let ligatures: [UInt32: Scalars] = [
        0x132: ["I", "J"], 0x133: ["i", "j"], 0x149: ["\u{2BC}", "n"],
        0x1F1: ["D", "Z"], 0x1F2: ["D", "z"], 0x1F3: ["d", "z"],
        0x1C4: ["D", "\u{17D}"], 0x1C5: ["D", "\u{17E}"], 0x1C6: ["d", "\u{17E}"],
        0x1C7: ["L", "J"], 0x1C8: ["L", "j"], 0x1C9: ["l", "j"],
        0x1CA: ["N", "J"], 0x1CB: ["N", "j"], 0x1CC: ["n", "j"],
        0xFB00: ["f", "f"], 0xFB01: ["f", "i"], 0xFB02: ["f", "l"], 0xFB03: ["f", "f", "i"],
        0xFB04: ["f", "f", "l"], 0xFB05: ["\u{17F}", "t"], 0xFB06: ["s", "t"],
    ]

    static let ligatureRanges: [ClosedRange<UInt32>] = [0x132...0x1F3, 0xFB00...0xFB06]

    /// Full-width and half-width forms (U+FF01...U+FFEF) as their NFKC equivalents, and the
    /// ideographic space as a plain space.
    static let widths: [UInt32: Scalars] = {
        var table: [UInt32: Scalars] = [0x3000: [" "]]
        for v in UInt32(0xFF01)...0xFFEF {
            guard let c = Unicode.Scalar(v) else { continue }
            let folded = PyText.nfkc(c)
            if folded != [c] { table[v] = folded }
        }
        return table
    }()

    static let widthRanges: [ClosedRange<UInt32>] = [0x3000...0x3000, 0xFF01...0xFFEF]

    /// Control characters nobody means to type: C0 controls other than tab, LF, FF and CR, DEL,
    /// the deprecated Arabic format controls, the byte-order mark, interlinear annotation marks
    /// and the object replacement character.
    static func isUnwantedControl(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC: return true
        default: return false
        }
    }
}
