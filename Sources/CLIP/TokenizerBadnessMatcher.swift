/// Which of the badness classes (up to 128) a character belongs to, one bit per class.
struct ClassBits: Sendable {
    var low: UInt64 = 0
    var high: UInt64 = 0

    mutating func insert(_ index: Int) {
        if index < 64 { low |= 1 << UInt64(index) } else { high |= 1 << UInt64(index - 64) }
    }

    func contains(_ index: UInt8) -> Bool {
        index < 64 ? low & (1 << UInt64(index)) != 0 : high & (1 << UInt64(index - 64)) != 0
    }

    static func | (a: ClassBits, b: ClassBits) -> ClassBits {
        ClassBits(low: a.low | b.low, high: a.high | b.high)
    }
}

/// The badness sequences compiled for speed: every character of the text is turned into its class
/// bits once (tables for ASCII and for the listed characters, a few properties for the rest), then
/// each sequence is tried at each position with plain bit tests.
final class BadnessMatcher: Sendable {
    static let shared = BadnessMatcher(rules: BadnessRules.all)

    private let asciiBits: [ClassBits]
    private let listedBits: [UInt32: ClassBits]
    /// Bits of the generic classes for characters outside ASCII and the lists.
    private let otherBits: ClassBits, spaceBits: ClassBits, wordBits: ClassBits
    /// Sequences flattened: class indices, where each sequence starts, its length, its anchoring.
    private let ruleClasses: [UInt8], ruleStarts: [Int], ruleLengths: [Int], anchored: [Bool]

    init(rules: [BadnessRule]) {
        var classes: [CharClass] = [], index: [CharClass: Int] = [:]
        var flat: [UInt8] = [], starts: [Int] = [], lengths: [Int] = []
        for rule in rules {
            starts.append(flat.count)
            lengths.append(rule.classes.count)
            for c in rule.classes {
                if index[c] == nil { index[c] = classes.count; classes.append(c) }
                flat.append(UInt8(index[c]!))
            }
        }
        precondition(classes.count <= 128, "badness classes exceed 128 bits")
        (ruleClasses, ruleStarts, ruleLengths) = (flat, starts, lengths)
        anchored = rules.map(\.atStart)

        func bits(_ c: Unicode.Scalar) -> ClassBits {
            var b = ClassBits()
            for (i, cls) in classes.enumerated() where cls.contains(c) { b.insert(i) }
            return b
        }
        asciiBits = (0..<128).map { bits(Unicode.Scalar(UInt8($0))) }
        var listed = Set(Badness.categories.keys)
        for cls in classes { listed.formUnion(cls.chars.filter { $0 >= 0x80 }) }
        listedBits = Dictionary(uniqueKeysWithValues: listed.map { ($0, bits(Unicode.Scalar($0)!)) })
        func genericBits(_ kinds: [CharClass.Generic]) -> ClassBits {
            var b = ClassBits()
            for (i, cls) in classes.enumerated() where cls.generic.map(kinds.contains) ?? false { b.insert(i) }
            return b
        }
        otherBits = genericBits([.notLetterASCII, .notNewline])
        spaceBits = genericBits([.space])
        wordBits = genericBits([.word])
    }

    private func bits(_ c: Unicode.Scalar) -> ClassBits {
        if c.value < 0x80 { return asciiBits[Int(c.value)] }
        if let listed = listedBits[c.value] { return listed }
        var b = otherBits
        if PyText.isSpace(c) { b = b | spaceBits }
        if PyText.isWord(c) { b = b | wordBits }
        return b
    }

    /// True if some sequence matches somewhere in `s`.
    func isBad(_ s: [Unicode.Scalar]) -> Bool {
        // Every sequence needs at least one listed character.
        guard s.contains(where: { $0.value >= 0x80 && listedBits[$0.value] != nil }) else { return false }
        let charBits = s.map(bits)
        return charBits.withUnsafeBufferPointer { text in
            ruleClasses.withUnsafeBufferPointer { classes in
                for i in 0..<text.count {
                    for r in 0..<ruleStarts.count where i + ruleLengths[r] <= text.count && (i == 0 || !anchored[r]) {
                        var k = 0
                        while k < ruleLengths[r] && text[i + k].contains(classes[ruleStarts[r] + k]) { k += 1 }
                        if k == ruleLengths[r] { return true }
                    }
                }
                return false
            }
        }
    }
}
