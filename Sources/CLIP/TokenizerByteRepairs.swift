/// Byte-level repairs made before re-decoding the encoded text as UTF-8.
enum ByteRepairs {
    /// Puts back byte A0 where a program turned it into a space inside a UTF-8 sequence
    /// ("Ã " for "à", "â€ " ...). Only sequences that decode to likely characters count.
    static func restoreByteA0(_ b: [UInt8]) -> [UInt8] {
        guard (0..<b.count).contains(where: { alteredSequenceLength(b, at: $0) != nil }) else { return b }
        var bytes = restoreAGrave(b)
        var i = 0
        while i < bytes.count {
            guard let length = alteredSequenceLength(bytes, at: i) else { i += 1; continue }
            for k in i..<i + length where bytes[k] == 0x20 { bytes[k] = 0xA0 }
            i += length
        }
        return bytes
    }

    /// "Ã " before a word is "à " whose A0 became a space (not before "s ", "quel[ae]", "quilo").
    private static func restoreAGrave(_ b: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(b.count + 8)
        var i = 0
        while i < b.count {
            if b[i] == 0xC3, i + 1 < b.count, b[i + 1] == 0x20, !followedByException(b, at: i + 2) {
                out += [0xC3, 0xA0, 0x20]
                i += 2
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func followedByException(_ b: [UInt8], at i: Int) -> Bool {
        [" ", "quele", "quela", "quilo", "s "].contains { word in
            let w = Array(word.utf8)
            return i + w.count <= b.count && Array(b[i..<i + w.count]) == w
        }
    }

    /// Length of a UTF-8 sequence at `i` that would be valid with its space back as A0.
    private static func alteredSequenceLength(_ b: [UInt8], at i: Int) -> Int? {
        func at(_ k: Int, _ test: (UInt8) -> Bool) -> Bool { i + k < b.count && test(b[i + k]) }
        let space: (UInt8) -> Bool = { $0 == 0x20 }
        let cont: (UInt8) -> Bool = { (0x80...0xBF).contains($0) }
        let contNotA0or85: (UInt8) -> Bool = { (0x80...0xBF).contains($0) && $0 != 0xA0 && $0 != 0x85 }
        switch b[i] {
        case 0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9:
            return at(1, space) ? 2 : nil
        case 0xE0...0xE3:
            if (0xE2...0xE3).contains(b[i]), at(1, space), at(2, contNotA0or85) { return 3 }
            return at(1, contNotA0or85) && at(2, space) ? 3 : nil
        case 0xF0:
            if at(1, space), at(2, cont), at(3, cont) { return 4 }
            if at(1, cont), at(2, space), at(3, cont) { return 4 }
            return at(1, cont) && at(2, cont) && at(3, space) ? 4 : nil
        default:
            return nil
        }
    }

    /// Replaces UTF-8 sequences that lost a byte (shown as byte 1A, U+FFFD in the sloppy codec,
    /// or once as "?") by the UTF-8 of U+FFFD; a lone 1A becomes U+FFFD too.
    static func replaceLossySequences(_ b: [UInt8]) -> [UInt8] {
        guard b.contains(0x1A) || b.contains(UInt8(ascii: "?")) else { return b }
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if let length = lossySequenceLength(b, at: i) {
                out += [0xEF, 0xBF, 0xBD]
                i += length
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func lossySequenceLength(_ b: [UInt8], at i: Int) -> Int? {
        func matches(_ classes: [(UInt8) -> Bool]) -> Bool {
            i + classes.count <= b.count && classes.enumerated().allSatisfy { $0.element(b[i + $0.offset]) }
        }
        let lost: (UInt8) -> Bool = { $0 == 0x1A }
        let lostOrQ: (UInt8) -> Bool = { $0 == 0x1A || $0 == 0x3F }
        let lostOrCont: (UInt8) -> Bool = { $0 == 0x1A || (0x80...0xBF).contains($0) }
        let any: (UInt8) -> Bool = { $0 == 0x1A || $0 == 0x3F || (0x80...0xBF).contains($0) }
        let byte: (UInt8, UInt8) -> (UInt8) -> Bool = { lo, hi in { (lo...hi).contains($0) } }
        let patterns: [[(UInt8) -> Bool]] = [
            [byte(0xC2, 0xDF), lost],
            [byte(0xC2, 0xC3), { $0 == 0x3F }],
            [byte(0xED, 0xED), byte(0xA0, 0xAF), lostOrQ, byte(0xED, 0xED), byte(0xB0, 0xBF), any],
            [byte(0xED, 0xED), byte(0xA0, 0xAF), any, byte(0xED, 0xED), byte(0xB0, 0xBF), lostOrQ],
            [byte(0xE0, 0xEF), lostOrQ, lostOrCont],
            [byte(0xE0, 0xEF), lostOrCont, lostOrQ],
            [byte(0xF0, 0xF4), lostOrQ, lostOrCont, lostOrCont],
            [byte(0xF0, 0xF4), lostOrCont, lostOrQ, lostOrCont],
            [byte(0xF0, 0xF4), lostOrCont, lostOrCont, lostOrQ],
            [lost],
        ]
        return patterns.first(where: matches)?.count
    }
}
