import CZlib
import Foundation

/// Where a pair of adjacent symbols merges: its priority (lower merges first) and the id of the
/// merged symbol.
struct MergeResult: Sendable {
    let rank: Int32
    let merged: Int32
}

/// CLIP's merges file (`bpe_simple_vocab_16e6.txt.gz`): a version line, then one merge per line,
/// "left right", in priority order. CLIP uses the first 48,894 merges; with the 256 byte symbols,
/// the same with `</w>` (end of word) and the two special tokens that makes 49,408 ids.
enum MergesFile {
    static let mergeCount = 48_894
    static let vocabularySize = 512 + mergeCount + 2

    /// The merge table keyed by `pairKey(left, right)` of symbol ids.
    static func load(path: String) throws -> [UInt64: MergeResult] {
        let text = try Gzip.inflate(path: path, lines: mergeCount + 1)
        return try text.withUnsafeBufferPointer { buffer in
            try mergeTable(buffer, merges: try parse(buffer, path: path), path: path)
        }
    }

    static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    typealias Merge = (left: Range<Int>, right: Range<Int>)

    /// Where the two symbols of lines 2 ... 48,895 are in the text.
    private static func parse(_ text: UnsafeBufferPointer<UInt8>, path: String) throws -> [Merge] {
        var merges: [Merge] = []
        merges.reserveCapacity(mergeCount)
        var lineStart = 0, lineNumber = 0
        while merges.count < mergeCount && lineStart < text.count {
            var lineEnd = lineStart
            while lineEnd < text.count && text[lineEnd] != 0x0A { lineEnd += 1 }
            lineNumber += 1
            if lineNumber > 1 {
                guard let merge = twoFields(text, lineStart..<lineEnd) else {
                    let line = String(decoding: UnsafeBufferPointer(rebasing: text[lineStart..<lineEnd]), as: UTF8.self)
                    throw CLIPError.input("\(path): line \(lineNumber) is '\(line)', expected two BPE symbols separated by a space; use CLIP's bpe_simple_vocab_16e6.txt.gz")
                }
                merges.append(merge)
            }
            lineStart = lineEnd + 1
        }
        guard merges.count == mergeCount else {
            throw CLIPError.input("\(path): holds \(merges.count) merges, CLIP's vocabulary needs \(mergeCount); use CLIP's bpe_simple_vocab_16e6.txt.gz")
        }
        return merges
    }

    /// The line's two fields when split on ASCII whitespace (Python's `str.split()`), nil unless
    /// there are exactly two.
    private static func twoFields(_ text: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Merge? {
        var first: Range<Int>?, second: Range<Int>?
        var i = line.lowerBound
        while i < line.upperBound {
            while i < line.upperBound && isSpace(text[i]) { i += 1 }
            let start = i
            while i < line.upperBound && !isSpace(text[i]) { i += 1 }
            guard i > start else { continue }
            if first == nil { first = start..<i } else if second == nil { second = start..<i } else { return nil }
        }
        guard let first, let second else { return nil }
        return (first, second)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// Ids of every vocabulary string, then each merge's pair → (rank, merged id). A later entry
    /// wins when a string or pair repeats, as in the reference's dictionaries.
    private static func mergeTable(_ text: UnsafeBufferPointer<UInt8>, merges: [Merge], path: String) throws -> [UInt64: MergeResult] {
        var symbols = SymbolTable(capacity: vocabularySize)
        let endOfWord: [UInt8] = Array("</w>".utf8)
        endOfWord.withUnsafeBufferPointer { endOfWord in
            for (position, byte) in ByteEncoder.vocabularyOrder.enumerated() {
                ByteEncoder.characterUTF8[Int(byte)].withUnsafeBufferPointer { character in
                    symbols.set(character, id: Int32(position))
                    symbols.set(character, endOfWord, id: Int32(256 + position))
                }
            }
        }
        func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: text[range]) }
        for (rank, merge) in merges.enumerated() {
            symbols.set(bytes(merge.left), bytes(merge.right), id: Int32(512 + rank))
        }
        var table: [UInt64: MergeResult] = [:]
        table.reserveCapacity(mergeCount)
        for (rank, merge) in merges.enumerated() {
            guard let left = symbols.id(of: bytes(merge.left)), let right = symbols.id(of: bytes(merge.right)) else {
                let unknown = symbols.id(of: bytes(merge.left)) == nil ? merge.left : merge.right
                throw CLIPError.input("\(path): merge on line \(rank + 2) uses '\(String(decoding: bytes(unknown), as: UTF8.self))', which is neither a byte symbol nor made by a merge; the file is not a CLIP merges file")
            }
            let merged = symbols.id(of: bytes(merge.left), bytes(merge.right))!
            table[pairKey(left, right)] = MergeResult(rank: Int32(rank), merged: merged)
        }
        return table
    }
}

/// Reading gzip files with zlib.
enum Gzip {
    /// The content of the file at `path`, decompressed if it is gzip: at least its first `lines`
    /// lines when it has them (decompression stops there), else all of it.
    static func inflate(path: String, lines: Int) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIPError.missingFile(path, "the BPE merges file of CLIP's tokenizer, bpe_simple_vocab_16e6.txt.gz")
        }
        guard data.starts(with: [0x1F, 0x8B]) else { return [UInt8](data) }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CLIPError.input("\(path): zlib could not start decompressing; check the zlib installation")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var status = Z_OK
        data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            status = inflateLines(&stream, into: &output, lines: lines)
        }
        guard status == Z_OK || status == Z_STREAM_END else {
            let why = status == Z_BUF_ERROR ? "it ends before its compressed data does"
                : stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw CLIPError.input("\(path): not a readable gzip file (\(why)); use CLIP's bpe_simple_vocab_16e6.txt.gz")
        }
        return output
    }

    /// Inflates 64 KiB at a time until `lines` newlines are out or the stream ends.
    private static func inflateLines(_ stream: inout z_stream, into output: inout [UInt8], lines: Int) -> Int32 {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var status = Z_OK
        var newlines = 0
        while status == Z_OK && newlines < lines {
            let produced = chunk.withUnsafeMutableBufferPointer { buffer -> Int in
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return buffer.count - Int(stream.avail_out)
            }
            for byte in chunk[..<produced] where byte == 0x0A { newlines += 1 }
            output.append(contentsOf: chunk[..<produced])
        }
        return status
    }
}
