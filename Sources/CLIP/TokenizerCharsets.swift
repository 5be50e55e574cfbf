/// The single-byte encodings the mojibake repair undoes (ftfy's list: Latin-1, Windows-1252, 1251,
/// 1250, 1253, 1254, 1257, ISO-8859-2, MacRoman, CP437) and the UTF-8 decoder it re-decodes with.
enum Charsets {
    typealias Scalars = [Unicode.Scalar]

    /// The encodings, in the order they are tried. The Windows code pages are "sloppy", as
    /// browsers read them: a byte the code page leaves undefined keeps its Latin-1 meaning, and byte
    /// 0x1A stands for U+FFFD (a character already lost to an earlier wrong decoding).
    enum Encoding: CaseIterable, Sendable {
        case latin1, windows1252, windows1251, windows1250, windows1253, windows1254, windows1257
        case iso8859_2, macRoman, cp437

        var isSloppy: Bool { ![.latin1, .iso8859_2, .macRoman, .cp437].contains(self) }

        /// Characters of bytes 0x80...0xFF (0 = undefined), nil for Latin-1.
        private var highHalf: [UInt32]? {
            switch self {
            case .latin1: return nil
            case .windows1252: return CodePages.windows1252
            case .windows1251: return CodePages.windows1251
            case .windows1250: return CodePages.windows1250
            case .windows1253: return CodePages.windows1253
            case .windows1254: return CodePages.windows1254
            case .windows1257: return CodePages.windows1257
            case .iso8859_2: return CodePages.iso8859_2
            case .macRoman: return CodePages.macRoman
            case .cp437: return CodePages.cp437
            }
        }

        /// Byte → character.
        fileprivate func makeDecodeTable() -> Scalars {
            (0..<256).map { byte -> Unicode.Scalar in
                if byte == 0x1A && isSloppy { return "\u{FFFD}" }
                guard byte >= 0x80, let high = highHalf, high[byte - 0x80] != 0 else { return Unicode.Scalar(UInt8(byte)) }
                return Unicode.Scalar(high[byte - 0x80])!
            }
        }

        var decodeTable: Scalars { Charsets.tables[self]!.decode }

        /// The text's bytes in this encoding, or nil if a character has no byte.
        func encode(_ s: Scalars) -> [UInt8]? {
            let table = Charsets.tables[self]!.encode
            var bytes = [UInt8]()
            bytes.reserveCapacity(s.count)
            for c in s {
                guard let byte = table[c.value] else { return nil }
                bytes.append(byte)
            }
            return bytes
        }
    }

    /// Decode and encode tables of every encoding, built once.
    fileprivate static let tables: [Encoding: (decode: Scalars, encode: [UInt32: UInt8])] = {
        var tables: [Encoding: (decode: Scalars, encode: [UInt32: UInt8])] = [:]
        for encoding in Encoding.allCases {
            let decode = encoding.makeDecodeTable()
            var encode: [UInt32: UInt8] = [:]
            for (byte, c) in decode.enumerated().reversed() { encode[c.value] = UInt8(byte) }
            tables[encoding] = (decode, encode)
        }
        return tables
    }()

    /// Sloppy Windows-1252, byte → character (also how HTML reads `&#128;`...`&#159;`).
    static let sloppyWindows1252 = Encoding.windows1252.decodeTable

    /// Latin-1 text read as strict Windows-1252; nil if a byte is undefined there.
    static func latin1AsWindows1252(_ s: Scalars) -> Scalars? {
        var out = Scalars()
        out.reserveCapacity(s.count)
        for c in s {
            guard c.value < 0x100 else { return nil }
            guard (0x80...0x9F).contains(c.value) else { out.append(c); continue }
            let high = CodePages.windows1252[Int(c.value) - 0x80]
            guard high != 0 else { return nil }
            out.append(Unicode.Scalar(high)!)
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
