/// The single-byte encodings the mojibake repair undoes (Latin-1 and Windows-1252) and the UTF-8
/// decoder it re-decodes with.
enum Charsets {
    typealias Scalars = [Unicode.Scalar]

    /// Windows-1252's characters for bytes 0x80...0x9F; the five bytes it leaves undefined keep
    /// their Latin-1 (C1 control) meaning, as browsers and ftfy's "sloppy" codec do.
    static let windows1252High: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D, 0x17D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178,
    ]

    /// Bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in strict Windows-1252.
    static func isUndefinedIn1252(_ byte: UInt8) -> Bool {
        [0x81, 0x8D, 0x8F, 0x90, 0x9D].contains(byte)
    }

    /// "Sloppy" Windows-1252, byte → character: Latin-1 outside 0x80...0x9F, and byte 0x1A stands
    /// for U+FFFD (a character already lost to an earlier decoding).
    static let sloppyWindows1252: Scalars = (0..<256).map { byte in
        if byte == 0x1A { return "\u{FFFD}" }
        if (0x80...0x9F).contains(byte) { return Unicode.Scalar(windows1252High[byte - 0x80])! }
        return Unicode.Scalar(UInt8(byte))
    }

    /// The inverse of `sloppyWindows1252`.
    static let sloppyWindows1252Bytes: [UInt32: UInt8] = {
        var table: [UInt32: UInt8] = [:]
        for (byte, c) in sloppyWindows1252.enumerated() { table[c.value] = UInt8(byte) }
        return table
    }()

    /// The single-byte encodings tried, in ftfy's order.
    enum Encoding: CaseIterable {
        case latin1, sloppyWindows1252

        /// The text's bytes in this encoding, or nil if a character has no byte.
        func encode(_ s: Scalars) -> [UInt8]? {
            var bytes = [UInt8]()
            bytes.reserveCapacity(s.count)
            for c in s {
                switch self {
                case .latin1:
                    guard c.value < 0x100 else { return nil }
                    bytes.append(UInt8(c.value))
                case .sloppyWindows1252:
                    guard let byte = sloppyWindows1252Bytes[c.value] else { return nil }
                    bytes.append(byte)
                }
            }
            return bytes
        }
    }

    /// Latin-1 bytes read as strict Windows-1252; nil if a byte is undefined there.
    static func latin1AsWindows1252(_ s: Scalars) -> Scalars? {
        var out = Scalars()
        out.reserveCapacity(s.count)
        for c in s {
            guard c.value < 0x100 else { return nil }
            if (0x80...0x9F).contains(c.value) {
                if isUndefinedIn1252(UInt8(c.value)) { return nil }
                out.append(sloppyWindows1252[Int(c.value)])
            } else {
                out.append(c)
            }
        }
        return out
    }

    // MARK: UTF-8

    /// Strict UTF-8 (no overlongs, surrogates or values past U+10FFFF); nil on any error. With
    /// `variants`, also CESU-8 surrogate pairs and Java's C0 80 for NUL (ftfy's utf-8-variants).
    static func decodeUTF8(_ b: [UInt8], variants: Bool) -> Scalars? {
        var out = Scalars()
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if variants, let (c, length) = decodeVariant(b, at: i) {
                out.append(c)
                i += length
                continue
            }
            guard let (c, length) = decodeOne(b, at: i) else { return nil }
            out.append(c)
            i += length
        }
        return out
    }

    /// One standard UTF-8 sequence at `i`.
    private static func decodeOne(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = b[i]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length: Int, low: UInt8, high: UInt8, initial: UInt32
        switch lead {
        case 0xC2...0xDF: (length, low, high, initial) = (2, 0x80, 0xBF, UInt32(lead & 0x1F))
        case 0xE0: (length, low, high, initial) = (3, 0xA0, 0xBF, 0)
        case 0xED: (length, low, high, initial) = (3, 0x80, 0x9F, 0xD)
        case 0xE1...0xEF: (length, low, high, initial) = (3, 0x80, 0xBF, UInt32(lead & 0x0F))
        case 0xF0: (length, low, high, initial) = (4, 0x90, 0xBF, 0)
        case 0xF1...0xF3: (length, low, high, initial) = (4, 0x80, 0xBF, UInt32(lead & 0x07))
        case 0xF4: (length, low, high, initial) = (4, 0x80, 0x8F, 4)
        default: return nil
        }
        guard i + length <= b.count, (low...high).contains(b[i + 1]) else { return nil }
        var value = initial
        for k in 1..<length {
            guard k == 1 || (0x80...0xBF).contains(b[i + k]) else { return nil }
            value = value << 6 | UInt32(b[i + k] & 0x3F)
        }
        return Unicode.Scalar(value).map { ($0, length) }
    }

    /// Java's NUL (C0 80) or a CESU-8 surrogate pair (ED A0-AF 80-BF ED B0-BF 80-BF) at `i`.
    private static func decodeVariant(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        if b[i] == 0xC0, i + 1 < b.count, b[i + 1] == 0x80 { return ("\u{0}", 2) }
        guard b[i] == 0xED, i + 6 <= b.count,
              (0xA0...0xAF).contains(b[i + 1]), (0x80...0xBF).contains(b[i + 2]), b[i + 3] == 0xED,
              (0xB0...0xBF).contains(b[i + 4]), (0x80...0xBF).contains(b[i + 5]) else { return nil }
        let high = UInt32(b[i + 1] & 0x0F) << 16 | UInt32(b[i + 2] & 0x3F) << 10
        let value = high | UInt32(b[i + 4] & 0x0F) << 6 | UInt32(b[i + 5] & 0x3F)
        return (Unicode.Scalar(value + 0x10000)!, 6)
    }
}
