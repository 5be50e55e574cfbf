/// HTML character references, decoded the two ways CLIP's cleanup does: Python's `html.unescape`
/// (lenient, the HTML5 parsing rules) and ftfy's stricter pass that only takes references ending
/// in `;` (plus all-caps spellings of lower-case names, as in `P&EACUTE;REZ`).
enum HTMLText {
    typealias Scalars = [Unicode.Scalar]

    /// The HTML5 named references, keyed by name bytes (with or without `;`).
    static let named: [[UInt8]: Scalars] = {
        var table: [[UInt8]: Scalars] = [:]
        for line in htmlEntityTable.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let chars = parts.dropFirst().map { Unicode.Scalar(UInt32($0, radix: 16)!)! }
            table[Array(parts[0].utf8)] = chars
        }
        return table
    }()

    /// ftfy's table: `&name;` for every named reference with a `;`, and `&NAME;` (value upper-cased)
    /// for lower-case names whose all-caps spelling is not itself a reference.
    static let ftfyNamed: [[UInt8]: Scalars] = {
        var table: [[UInt8]: Scalars] = [:]
        for (name, chars) in named where name.last == UInt8(ascii: ";") {
            table[[UInt8(ascii: "&")] + name] = chars
            guard !name.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { continue }
            let upperName = [UInt8(ascii: "&")] + name.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
            let asText = upperName.map { Unicode.Scalar($0) }
            if unescape(asText) == asText { table[upperName] = PyText.upper(chars) }
        }
        return table
    }()

    // MARK: Python's html.unescape

    /// `html.unescape`: `&#NNN;`, `&#xHH;` and named references, the `;` optional, names matched
    /// by longest known prefix; text without `&` comes back unchanged.
    static func unescape(_ s: Scalars) -> Scalars {
        guard s.contains("&") else { return s }
        var out = Scalars()
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if s[i] == "&", let (replacement, end) = reference(in: s, at: i) {
                out.append(contentsOf: replacement)
                i = end
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// The reference starting at `s[start]` (an `&`): its replacement and the index after it.
    private static func reference(in s: Scalars, at start: Int) -> (Scalars, Int)? {
        let i = start + 1
        guard i < s.count else { return nil }
        if s[i] == "#" { return numericReference(in: s, at: i + 1) }
        var end = i
        while end < s.count && end - i < 32 && !"\t\n\u{0C} <&#;".unicodeScalars.contains(s[end]) { end += 1 }
        guard end > i else { return nil }
        let semicolon = end < s.count && s[end] == ";"
        let name = Array(s[i..<end]) + (semicolon ? [";"] : [])
        return (namedReference(name), end + (semicolon ? 1 : 0))
    }

    /// A named reference's replacement: exact name, else the longest known prefix (of at least
    /// two characters) followed by the rest, else the text unchanged.
    private static func namedReference(_ name: Scalars) -> Scalars {
        guard name.allSatisfy(\.isASCII) else {
            // Every known name is ASCII; only a prefix before the first non-ASCII can match.
            let asciiPrefix = name.prefix(while: \.isASCII).count
            return longestPrefix(name, upTo: min(asciiPrefix, name.count - 1))
        }
        if let exact = named[name.map { UInt8($0.value) }] { return exact }
        return longestPrefix(name, upTo: name.count - 1)
    }

    private static func longestPrefix(_ name: Scalars, upTo limit: Int) -> Scalars {
        var length = limit
        while length >= 2 {
            if let chars = named[name[..<length].map { UInt8($0.value) }] {
                return chars + name[length...]
            }
            length -= 1
        }
        return ["&"] + name
    }

    /// `&#` then decimal digits, or `x`/`X` and hex digits, then an optional `;`.
    private static func numericReference(in s: Scalars, at i: Int) -> (Scalars, Int)? {
        var j = i
        var radix: UInt32 = 10
        if j < s.count && (s[j] == "x" || s[j] == "X") { radix = 16; j += 1 }
        let digitsStart = j
        var value: UInt32 = 0
        while j < s.count, let digit = digitValue(s[j], radix: radix) {
            value = min(value &* radix &+ digit, 0x11_0000)  // saturates: anything above is invalid
            j += 1
        }
        guard j > digitsStart else { return nil }
        if j < s.count && s[j] == ";" { j += 1 }
        return (codePoint(value), j)
    }

    private static func digitValue(_ c: Unicode.Scalar, radix: UInt32) -> UInt32? {
        switch c.value {
        case 0x30...0x39: return c.value - 0x30
        case 0x41...0x46 where radix == 16: return c.value - 0x41 + 10
        case 0x61...0x66 where radix == 16: return c.value - 0x61 + 10
        default: return nil
        }
    }

    /// The HTML5 rules for a numeric reference's value: Windows-1252 for 0x80...0x9F, U+FFFD for
    /// NUL, surrogates and out-of-range values, nothing for the other invalid code points.
    private static func codePoint(_ n: UInt32) -> Scalars {
        switch n {
        case 0x00: return ["\u{FFFD}"]
        case 0x0D: return ["\r"]
        case 0x80...0x9F: return [Charsets.sloppyWindows1252[Int(n)]]
        case 0xD800...0xDFFF, 0x11_0000...: return ["\u{FFFD}"]
        case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0xFDD0...0xFDEF: return []
        case _ where n & 0xFFFE == 0xFFFE: return []
        default: return [Unicode.Scalar(n)!]
        }
    }

    // MARK: ftfy's unescape_html

    /// ftfy's `unescape_html`: only `&name;` / `&#...;` forms of 1 to 24 ASCII letters and digits;
    /// numeric ones go through `unescape` and are kept as written if that leaves a `;`.
    static func ftfyUnescape(_ s: Scalars) -> Scalars {
        guard s.contains("&") else { return s }
        var out = Scalars()
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            guard s[i] == "&", let end = ftfyReferenceEnd(s, at: i) else {
                out.append(s[i])
                i += 1
                continue
            }
            let match = Array(s[i..<end])
            if let chars = ftfyNamed[match.map { UInt8($0.value) }] {
                out.append(contentsOf: chars)
            } else if match[1] == "#" {
                let decoded = unescape(match)
                out.append(contentsOf: decoded.contains(";") ? match : decoded)
            } else {
                out.append(contentsOf: match)
            }
            i = end
        }
        return out
    }

    /// End index of `&#?[0-9A-Za-z]{1,24};` at `start`, if it matches there.
    private static func ftfyReferenceEnd(_ s: Scalars, at start: Int) -> Int? {
        var j = start + 1
        if j < s.count && s[j] == "#" { j += 1 }
        let run = j
        while j < s.count && s[j].isASCII && isAlphanumeric(s[j]) && j - run < 25 { j += 1 }
        let length = j - run
        guard length >= 1 && length <= 24, j < s.count, s[j] == ";" else { return nil }
        return j + 1
    }

    private static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        PyText.isNumber(c) || PyText.isLetter(c)
    }
}
