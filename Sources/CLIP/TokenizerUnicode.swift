import Foundation

/// Character predicates and case/normalisation helpers with the exact semantics of the Python
/// calls in CLIP's reference tokenizer (`str.isspace`, `re`'s `\w`, `str.lower`, NFC), so that
/// the cleanup reproduces the reference code point for code point. Text is handled as arrays of
/// Unicode scalars: Swift's `String` compares by canonical equivalence, Python by code points.
enum PyText {
    typealias Scalars = [Unicode.Scalar]

    /// Python's `str.isspace()`, which is also what `re`'s `\s` matches in a str pattern.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// The `regex` module's `\s` (Unicode White_Space): `isSpace` without U+001C...U+001F.
    static func isWhiteSpace(_ c: Unicode.Scalar) -> Bool {
        isSpace(c) && !(0x1C...0x1F).contains(c.value)
    }

    /// `\p{L}`: any letter category.
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}`: any number category.
    static func isNumber(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c.value >= 0x30 && c.value <= 0x39 }
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// `re`'s `\w` in a str pattern: `str.isalnum()` or the underscore.
    static func isWord(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c == "_" || isLetter(c) || isNumber(c) }
        return isLetter(c) || c.properties.numericType != nil
    }

    /// `str.strip()`: drops leading and trailing `isSpace` characters.
    static func strip(_ s: Scalars) -> Scalars {
        guard let first = s.firstIndex(where: { !isSpace($0) }),
              let last = s.lastIndex(where: { !isSpace($0) }) else { return [] }
        return first == 0 && last == s.count - 1 ? s : Array(s[first...last])
    }

    /// `re.sub(r'\s+', ' ', text)`: every run of whitespace becomes one space.
    static func collapseSpaces(_ s: Scalars) -> Scalars {
        var out = Scalars()
        out.reserveCapacity(s.count)
        var inRun = false
        for c in s {
            if isSpace(c) {
                if !inRun { out.append(" ") }
                inRun = true
            } else {
                out.append(c)
                inRun = false
            }
        }
        return out
    }

    /// `str.lower()`: full lower-case mappings, with capital sigma becoming final sigma at the
    /// end of a word (Python's Final_Sigma rule).
    static func lower(_ s: Scalars) -> Scalars {
        var out = Scalars()
        out.reserveCapacity(s.count)
        for (i, c) in s.enumerated() {
            if c.value < 0x80 {
                out.append(c.value >= 0x41 && c.value <= 0x5A ? Unicode.Scalar(c.value + 0x20)! : c)
            } else if (0x3000..<0xA640).contains(c.value) || (0xAC00..<0xD800).contains(c.value) {
                out.append(c)  // CJK, kana, Hangul, Yi: no case
            } else if c.value == 0x3A3 {
                out.append(isFinalSigma(s, at: i) ? "\u{3C2}" : "\u{3C3}")
            } else if c.properties.changesWhenLowercased {
                out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Final_Sigma: a cased letter before (skipping case-ignorables), none after.
    private static func isFinalSigma(_ s: Scalars, at i: Int) -> Bool {
        var j = i - 1
        while j >= 0 && s[j].properties.isCaseIgnorable { j -= 1 }
        guard j >= 0 && s[j].properties.isCased else { return false }
        j = i + 1
        while j < s.count && s[j].properties.isCaseIgnorable { j += 1 }
        return j == s.count || !s[j].properties.isCased
    }

    /// NFC, as `unicodedata.normalize("NFC", text)`. Text below U+0300 is already NFC and is
    /// returned as is. Otherwise this uses the standard library's normaliser (Foundation's on
    /// Linux does not compose a Hangul LV syllable with a trailing jamo, Python does).
    static func nfc(_ s: Scalars) -> Scalars {
        if s.allSatisfy({ $0.value < 0x300 }) { return s }
        let utf8 = utf8Bytes(s)
        let normalized = String(decoding: utf8, as: UTF8.self)._nfcCodeUnits
        return normalized == utf8 ? s : Array(String(decoding: normalized, as: UTF8.self).unicodeScalars)
    }

    /// The UTF-8 encoding of the scalars.
    static func utf8Bytes(_ s: Scalars) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.count * 3)
        for c in s { UTF8.encode(c) { bytes.append($0) } }
        return bytes
    }

    /// NFKC of one scalar (used once, to build the full-width folding table).
    static func nfkc(_ c: Unicode.Scalar) -> Scalars {
        Array(String(c).precomposedStringWithCompatibilityMapping.unicodeScalars)
    }

    /// `str.upper()` of a short string (full mappings, no context rules).
    static func upper(_ s: Scalars) -> Scalars {
        s.flatMap { Array($0.properties.uppercaseMapping.unicodeScalars) }
    }

    /// The scalars of a Swift string literal.
    static func scalars(_ s: String) -> Scalars { Array(s.unicodeScalars) }
}
