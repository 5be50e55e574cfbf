/// GPT-2's byte encoder, which CLIP's BPE works on: every byte is shown as a printable character
/// (printable Latin-1 bytes as themselves, the other 68 bytes as U+0100 onwards), so merges can
/// be written as text. The vocabulary starts with these 256 characters in the order below.
enum ByteEncoder {
    /// Bytes in vocabulary order: the printable ones (`!`...`~`, `¡`...`¬`, `®`...`ÿ`) first, then the
    /// rest in increasing order.
    static let vocabularyOrder: [UInt8] = {
        let printable = Array(0x21...0x7E) + Array(0xA1...0xAC) + Array(0xAE...0xFF)
        let rest = (0...255).filter { !printable.contains($0) }
        return (printable + rest).map { UInt8($0) }
    }()

    /// The character standing for each byte.
    static let character: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        for (position, byte) in vocabularyOrder.enumerated() {
            // The 188 printable bytes are themselves; the next 68 take U+0100, U+0101, ...
            table[Int(byte)] = position < 188 ? Unicode.Scalar(byte) : Unicode.Scalar(UInt32(0x100 + position - 188))!
        }
        return table
    }()

    /// Token id of each single byte (its position in the vocabulary).
    static let byteID: [Int32] = {
        var table = [Int32](repeating: 0, count: 256)
        for (position, byte) in vocabularyOrder.enumerated() { table[Int(byte)] = Int32(position) }
        return table
    }()

    /// UTF-8 of each byte's character, for matching merge-file symbols.
    static let characterUTF8: [[UInt8]] = character.map { Array(String($0).utf8) }
}
