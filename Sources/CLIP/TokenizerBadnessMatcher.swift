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
/// bits once (tables for ASCII and for the listed characters, a few properties for the rest); at
/// each position only the sequences whose first class the character is in are tried, with plain
/// bit tests.
final class BadnessMatcher: Sendable {
    static let shared = BadnessMatcher(rules: BadnessRules.all)

    private struct Rule {
        var start: Int  // into ruleClasses
        var length: Int
        var anchored: Bool
    }

    private let asciiBits: [ClassBits]
    /// Bits of the listed characters: below U+2600 through an index table (0 = not listed),
    /// above it (a handful) through a dictionary.
    private let listedIndex: [UInt16], listedTable: [ClassBits]
    private let listedHigh: [UInt32: ClassBits]
    private static let indexedLimit: UInt32 = 0x2600
    /// Bits of the generic classes for characters outside ASCII and the lists.
    private let otherBits: ClassBits, spaceBits: ClassBits, wordBits: ClassBits
    /// Class indices of all sequences, one after the other.
    private let ruleClasses: [UInt8]
    /// The sequences starting with each class (by class index), and the union of those classes.
    private let rulesByFirstClass: [[Rule]]
    private let firstClasses: ClassBits

    init(rules: [BadnessRule]) {
        var classes: [CharClass] = [], classIndex: [CharClass: Int] = [:]
        var flat: [UInt8] = [], compiled: [Rule] = []
        for rule in rules {
            compiled.append(Rule(start: flat.count, length: rule.classes.count, anchored: rule.atStart))
            for c in rule.classes {
                if classIndex[c] == nil { classIndex[c] = classes.count; classes.append(c) }
                flat.append(UInt8(classIndex[c]!))
            }
        }
        precondition(classes.count <= 128, "badness classes exceed 128 bits")
        ruleClasses = flat
        var byFirst = [[Rule]](repeating: [], count: classes.count)
        var first = ClassBits()
        for rule in compiled {
            byFirst[Int(flat[rule.start])].append(rule)
            first.insert(Int(flat[rule.start]))
        }
        (rulesByFirstClass, firstClasses) = (byFirst, first)

        func bits(_ c: Unicode.Scalar) -> ClassBits {
            var b = ClassBits()
            for (i, cls) in classes.enumerated() where cls.contains(c) { b.insert(i) }
            return b
        }
        asciiBits = (0..<128).map { bits(Unicode.Scalar(UInt8($0))) }
        var listed = Set(Badness.categories.keys)
        for cls in classes { listed.formUnion(cls.chars.filter { $0 >= 0x80 }) }
        var index = [UInt16](repeating: 0, count: Int(Self.indexedLimit)), table = [ClassBits()]
        var high: [UInt32: ClassBits] = [:]
        for v in listed.sorted() {
            let b = bits(Unicode.Scalar(v)!)
            if v < Self.indexedLimit {
                index[Int(v)] = UInt16(table.count)
                table.append(b)
            } else {
                high[v] = b
            }
        }
        (listedIndex, listedTable, listedHigh) = (index, table, high)
        func genericBits(_ kinds: [CharClass.Generic]) -> ClassBits {
            var b = ClassBits()
            for (i, cls) in classes.enumerated() where cls.generic.map(kinds.contains) ?? false { b.insert(i) }
            return b
        }
        otherBits = genericBits([.notLetterASCII, .notNewline])
        spaceBits = genericBits([.space])
        wordBits = genericBits([.word])
    }

    private func listed(_ c: Unicode.Scalar) -> ClassBits? {
        if c.value < Self.indexedLimit {
            let i = listedIndex[Int(c.value)]
            return i == 0 ? nil : listedTable[Int(i)]
        }
        return listedHigh[c.value]
    }

    private func bits(_ c: Unicode.Scalar) -> ClassBits {
        if c.value < 0x80 { return asciiBits[Int(c.value)] }
        if let listed = listed(c) { return listed }
        var b = otherBits
        if PyText.isSpace(c) { b = b | spaceBits }
        if PyText.isWord(c) { b = b | wordBits }
        return b
    }

    /// True if some sequence matches somewhere in `s`.
    func isBad(_ s: [Unicode.Scalar]) -> Bool {
        // Every sequence needs at least one listed character.
        guard s.contains(where: { $0.value >= 0x80 && listed($0) != nil }) else { return false }
        let charBits = s.map(bits)
        return charBits.withUnsafeBufferPointer { text in
            ruleClasses.withUnsafeBufferPointer { classes in
                for i in 0..<text.count {
                    var low = text[i].low & firstClasses.low, high = text[i].high & firstClasses.high
                    while low | high != 0 {
                        let cls: Int
                        if low != 0 {
                            cls = low.trailingZeroBitCount
                            low &= low - 1
                        } else {
                            cls = 64 + high.trailingZeroBitCount
                            high &= high - 1
                        }
                        for rule in rulesByFirstClass[cls] where matches(rule, at: i, text, classes) { return true }
                    }
                }
                return false
            }
        }
    }

    private func matches(_ rule: Rule, at i: Int, _ text: UnsafeBufferPointer<ClassBits>, _ classes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard i + rule.length <= text.count, i == 0 || !rule.anchored else { return false }
        for k in 1..<rule.length where !text[i + k].contains(classes[rule.start + k]) { return false }
        return true
    }
}
