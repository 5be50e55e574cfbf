/// The mojibake detector: text "looks bad" when it holds a juxtaposition of characters that
/// almost only occurs when UTF-8 was decoded as a single-byte encoding (an accented capital after
/// a lower-case accented letter, a currency sign after a box-drawing character, "Ã©", ...).
///
/// This is the heuristic of ftfy 6.3.1 (`ftfy.badness.is_bad`, Apache-2.0), which CLIP's reference
/// cleanup runs: the same character categories and the same sequences, re-expressed as a small
/// matcher over category bit masks instead of one large regular expression.
enum Badness {
    /// Character categories (bit flags) of the few hundred characters that occur in mojibake.
    struct Category: OptionSet {
        let rawValue: UInt32
        static let common = Category(rawValue: 1 << 0)
        static let c1 = Category(rawValue: 1 << 1)
        static let bad = Category(rawValue: 1 << 2)
        static let law = Category(rawValue: 1 << 3)
        static let currency = Category(rawValue: 1 << 4)
        static let start = Category(rawValue: 1 << 5)  // opening punctuation
        static let end = Category(rawValue: 1 << 6)  // closing punctuation
        static let numeric = Category(rawValue: 1 << 7)
        static let kaomoji = Category(rawValue: 1 << 8)
        static let upperAccented = Category(rawValue: 1 << 9)
        static let lowerAccented = Category(rawValue: 1 << 10)
        static let upperCommon = Category(rawValue: 1 << 11)
        static let lowerCommon = Category(rawValue: 1 << 12)
        static let box = Category(rawValue: 1 << 13)
    }

    /// Members of each category, written out (ranges given by their ends).
    private static let members: [(Category, String)] = [
        (.common, "\u{A0}\u{AD}·´–—―…’"),
        (.bad, "¦¤¨¬¯¸ƒˆˇ˘˛˜†‡‰⌐◊\u{FFFD}ªº"),
        (.law, "¶§"),
        (.currency, "¢£¥₧€"),
        (.start, "¡«¿©΄΅‘‚“„•‹\u{F8FF}"),
        (.end, "®»˝”›™"),
        (.numeric, "²³¹±¼½¾×µ÷⁄∂∆∏∑√∞∩∫≈≠≡≤≥№"),
        (.kaomoji, "ŐŌŪŲ°"),
        (.upperAccented, "ØÜÝĂĀĄĆČĎĐĘĚĒĖĞĢİĪĶĹĽŁĻŃŇŅŒŘŚŞŠŢŤŮŰŸŹŻŽҐ"),
        (.lowerAccented, "ßăąāćčďđęěēėğģįīķĺľłļœŕśşšťüźżžґﬁﬂ"),
        (.upperCommon, "ÞΆΈΉΊΌΎΏΪΫ"),
        (.lowerCommon, "άέήίΰ"),
        (.box, "│┌┐┘├┤┬┼▀▄█▌▐░▒▓"),
    ]
    private static let ranges: [(Category, ClosedRange<UInt32>)] = [
        (.c1, 0x80...0x9F),
        (.kaomoji, 0xD2...0xD6), (.kaomoji, 0xD9...0xDC), (.kaomoji, 0xF2...0xF6), (.kaomoji, 0xF8...0xFC),
        (.upperAccented, 0xC0...0xD1),
        (.lowerAccented, 0xE0...0xF1),
        (.upperCommon, 0x391...0x3A9), (.upperCommon, 0x401...0x42F),
        (.lowerCommon, 0x3B1...0x3C9), (.lowerCommon, 0x430...0x45F),
        (.box, 0x2550...0x256C),
    ]

    /// Category flags of every categorised character.
    static let categories: [UInt32: Category] = {
        var table: [UInt32: Category] = [:]
        for (category, chars) in members {
            for c in chars.unicodeScalars { table[c.value, default: []].insert(category) }
        }
        for (category, range) in ranges {
            for v in range { table[v, default: []].insert(category) }
        }
        return table
    }()

    /// True if the text contains any of the mojibake sequences (ftfy's `is_bad`).
    static func isBad(_ s: [Unicode.Scalar]) -> Bool {
        BadnessMatcher.shared.isBad(s)
    }
}

/// One position of a badness sequence: characters of some categories, some listed characters,
/// or one of the generic classes of the regular expression ftfy writes the sequences in.
struct CharClass: Hashable, Sendable {
    enum Generic: Hashable, Sendable {
        case lowerASCII  // [a-z]
        case letterASCII  // [a-zA-Z]
        case notLetterASCII  // [^A-Za-z]
        case letterASCIIOrSpace  // [A-Za-z ]
        case space  // \s
        case word  // \w
        case notNewline  // .
    }

    var categories: UInt32 = 0
    var chars: Set<UInt32> = []
    var generic: Generic?

    static func of(_ categories: Badness.Category, _ chars: String = "") -> CharClass {
        CharClass(categories: categories.rawValue, chars: Set(chars.unicodeScalars.map(\.value)))
    }

    static func generic(_ g: Generic) -> CharClass { CharClass(generic: g) }

    /// Membership, evaluated when the matcher's tables are built.
    func contains(_ c: Unicode.Scalar) -> Bool {
        let category = Badness.categories[c.value]?.rawValue ?? 0
        if category & categories != 0 || chars.contains(c.value) { return true }
        let letter = (c.value | 0x20) >= 0x61 && (c.value | 0x20) <= 0x7A
        switch generic {
        case .lowerASCII: return c.value >= 0x61 && c.value <= 0x7A
        case .letterASCII: return letter
        case .notLetterASCII: return !letter
        case .letterASCIIOrSpace: return letter || c == " "
        case .space: return PyText.isSpace(c)
        case .word: return PyText.isWord(c)
        case .notNewline: return c != "\n"
        case nil: return false
        }
    }
}

/// A fixed-length sequence of classes; `atStart` anchors it to the start of the text.
struct BadnessRule: Sendable {
    var classes: [CharClass]
    var atStart = false
}

/// The sequences, in the order ftfy lists them.
enum BadnessRules {
    typealias C = CharClass

    static let lowerASCII = C.generic(.lowerASCII)
    static let letterASCII = C.generic(.letterASCII)
    static let notLetterASCII = C.generic(.notLetterASCII)
    static let space = C.generic(.space)
    static let word = C.generic(.word)
    static let notNewline = C.generic(.notNewline)

    static let all: [BadnessRule] = categoryRules + literalRules + otherEncodingRules

    /// Sequences defined by categories alone.
    private static let categoryRules: [BadnessRule] = ([
        [.of(.c1)],
        [.of([.bad, .lowerAccented, .upperAccented, .box, .start, .end, .currency, .numeric, .law]), .of(.bad)],
        [letterASCII, .of([.lowerCommon, .upperCommon]), .of(.bad)],
        [.of(.bad), .of([.lowerAccented, .upperAccented, .box, .start, .end, .currency, .numeric, .law])],
        [.of([.lowerAccented, .lowerCommon, .box, .end, .currency, .numeric]), .of(.upperAccented)],
        [.of([.box, .end, .currency, .numeric]), .of(.lowerAccented)],
        [.of([.lowerAccented, .box, .end]), .of(.currency)],
        [space, .of(.upperAccented), .of(.currency)],
        [.of([.upperAccented, .box]), .of([.numeric, .law])],
        [.of([.lowerAccented, .upperAccented, .box, .currency, .end]), .of(.start), .of(.numeric)],
        [.of([.lowerAccented, .upperAccented, .currency, .numeric, .box, .law]), .of(.end), .of(.start)],
        [.of([.currency, .numeric, .box]), .of(.start)],
        [lowerASCII, .of(.upperAccented), .of([.start, .currency])],
        [.of(.box), .of(.kaomoji)],
        [.of([.lowerAccented, .upperAccented, .currency, .numeric, .start, .end, .law]), .of(.box)],
        [.of(.box), .of(.end)],
        [.of([.lowerAccented, .upperAccented]), .of([.start, .end]), word],
    ] as [[C]]).map { BadnessRule(classes: $0) }

    /// Specific Windows-1252 / Latin-1 mojibake sequences.
    private static let literalRules: [BadnessRule] = [
        BadnessRule(classes: [.of([], "Œœ"), notLetterASCII]),
        BadnessRule(classes: [.of(.upperAccented), .of([], "°")]),
        BadnessRule(classes: [.of([], "ÂÃÎÐ"), .of([.start, .end], "€œŠš¢£Ÿž\u{A0}\u{AD}®©°·»–—´")]),
        BadnessRule(classes: [.of([], "×"), .of([], "²³")]),
        BadnessRule(classes: [arabic, arabicNext, arabic, arabicNext]),
        BadnessRule(classes: [.of([], "à"), .of([], "²µ¹¼½¾")]),
        BadnessRule(classes: [.of([], "Ã"), .of([], "\u{A0}¡")]),
        BadnessRule(classes: [lowerASCII, .of([], "ÃÂ"), .of([], " ")]),
        BadnessRule(classes: [lowerASCII, space, .of([], "ÃÂ"), .of([], " ")]),
        BadnessRule(classes: [.of([], "ÃÂ"), .of([], " ")], atStart: true),
        BadnessRule(classes: [.of(.end, "abcdefghijklmnopqrstuvwxyz.,?!"), .of([], "Â"), .of([.start, .end], " ")]),
    ]
    private static let arabic = C.of([], "ØÙ")
    private static let arabicNext = C.of([.common, .currency, .bad, .numeric, .start], "ŸŠ®°µ»")

    /// Sequences typical of MacRoman, Windows-1251, -1253 and -1257 mojibake.
    private static let otherEncodingRules: [BadnessRule] = ([
        [.of([], "√"), .of([], "±∂†≠®™´≤≥¥µø")],
        [.of([], "≈"), .of([], "°¢")],
        [.of([], "‚"), .of([], "Ä"), .of([], "ìîïòôúùû†°¢π")],
        [.of([], "‚"), .of([], "âó"), .of([], "àä°ê")],
        [.of([], "в"), .of([], "Ђ")],
        [.of([], "ВГРС"), .of([.c1, .bad, .start, .end, .currency], "°µ"), .of([], "ВГРС")],
        [.of([], "Г"), .of([], "ў"), .of([], "В"), .of([], "Ђ"), .of([], "В"), notNewline, .generic(.letterASCIIOrSpace)],
        [.of([], "β"), .of([], "€"), .of([], "™\u{A0}Ά\u{AD}®°")],
        [.of([], "ΒΓΞΟ"), .of([.c1, .bad, .start, .end, .currency], "°"), .of([], "ΒΓΞΟ")],
        [.of([], "ā"), .of([], "€")],
    ] as [[C]]).map { BadnessRule(classes: $0) }
}
