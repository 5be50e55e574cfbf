/// Mojibake embedded in otherwise fine text ("中文 Ã©tÃ©" cannot be re-encoded whole): finds runs
/// that look like UTF-8 read with a Latin-1-like encoding (a lead character followed by the right
/// number of continuation characters) and repairs each run on its own when the detector flags it
/// (ftfy's `decode_inconsistent_utf8`).
enum UTF8Runs {
    typealias Scalars = [Unicode.Scalar]

    /// The encodings whose characters count as clues (ftfy's: Latin-1 and the Windows code pages).
    private static let clueEncodings: [Charsets.Encoding] = [
        .latin1, .windows1252, .windows1251, .windows1250, .windows1253, .windows1254, .windows1257,
    ]

    /// Characters that the bytes decode to in any clue encoding.
    private static func decoded(_ bytes: ClosedRange<UInt8>) -> Set<UInt32> {
        Set(clueEncodings.flatMap { encoding in bytes.map { encoding.decodeTable[Int($0)].value } })
    }

    /// Lead characters of two-, three- and four-byte sequences (bytes C2-DF, E0-EF, F0/F3).
    private static let leadOf2 = decoded(0xC2...0xDF)
    private static let leadOf3 = decoded(0xE0...0xEF)
    private static let leadOf4 = decoded(0xF0...0xF0).union(decoded(0xF3...0xF3))
    /// Continuation characters (bytes 80-BF), and a space that may have been byte A0.
    private static let continuation = decoded(0x80...0xBF).union([0x20])
    /// Continuations that rarely stand for themselves next to mojibake: without the space, the
    /// dashes, curly quotes, bullet and ellipsis.
    private static let strictContinuation = continuation.subtracting(
        [0x20, 0x2013, 0x2014, 0x2015, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2022, 0x2026])

    /// Length of one lead + continuations sequence at `i`, if there is one.
    private static func sequenceLength(_ s: Scalars, at i: Int) -> Int? {
        let c = s[i].value
        let length = leadOf2.contains(c) ? 2 : leadOf3.contains(c) ? 3 : leadOf4.contains(c) ? 4 : 0
        guard length > 0, i + length <= s.count else { return nil }
        for k in 1..<length where !continuation.contains(s[i + k].value) { return nil }
        return length
    }

    /// The maximal run of sequences starting at `i` (not right after a strict continuation).
    private static func runLength(_ s: Scalars, at i: Int) -> Int? {
        if i > 0 && strictContinuation.contains(s[i - 1].value) { return nil }
        var end = i
        while end < s.count, let length = sequenceLength(s, at: end) { end += length }
        return end > i ? end - i : nil
    }

    static func containsRun(_ s: Scalars) -> Bool {
        s.indices.contains { runLength(s, at: $0) != nil }
    }

    /// Each run shorter than the whole text that the detector flags gets `fixEncoding` alone.
    static func fixRuns(_ s: Scalars) -> Scalars {
        var out = Scalars()
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            guard let length = runLength(s, at: i) else {
                out.append(s[i])
                i += 1
                continue
            }
            let run = Array(s[i..<i + length])
            out += run.count < s.count && Badness.isBad(run) ? Mojibake.fixEncoding(run) : run
            i += length
        }
        return out
    }
}
