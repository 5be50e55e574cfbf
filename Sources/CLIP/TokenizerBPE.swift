import Foundation

/// Byte-pair encoding of one word: start from its bytes' symbols (the last one marked end of
/// word), then repeatedly merge every occurrence of the adjacent pair with the best rank, until no
/// adjacent pair has a merge. Works on symbol ids throughout; words seen before come from a cache.
final class BPE: Sendable {
    private let merges: [UInt64: MergeResult]
    private let cache = WordCache()

    init(merges: [UInt64: MergeResult]) {
        self.merges = merges
    }

    /// Appends the ids of `word` (its UTF-8 bytes) to `ids`.
    func encode(_ word: [UInt8], into ids: inout [Int]) {
        if let known = cache[word] {
            ids.append(contentsOf: known.lazy.map(Int.init))
            return
        }
        let symbols = merge(word)
        cache[word] = symbols
        ids.append(contentsOf: symbols.lazy.map(Int.init))
    }

    /// The merge loop. Symbols: [count] ids, rewritten in place as pairs merge.
    private func merge(_ word: [UInt8]) -> [Int32] {
        guard !word.isEmpty else { return [] }
        var symbols = word.map { ByteEncoder.byteID[Int($0)] }
        symbols[symbols.count - 1] += 256  // the same byte with </w>
        while symbols.count > 1, let best = bestPair(symbols) {
            var write = 0, read = 0
            while read < symbols.count {
                if read + 1 < symbols.count && symbols[read] == best.left && symbols[read + 1] == best.right {
                    symbols[write] = best.merged
                    read += 2
                } else {
                    symbols[write] = symbols[read]
                    read += 1
                }
                write += 1
            }
            symbols.removeLast(symbols.count - write)
        }
        return symbols
    }

    /// The adjacent pair with the lowest merge rank, if any pair merges.
    private func bestPair(_ symbols: [Int32]) -> (left: Int32, right: Int32, merged: Int32)? {
        var best: (left: Int32, right: Int32, merged: Int32)?
        var bestRank = Int32.max
        for i in 0..<symbols.count - 1 {
            if let m = merges[MergesFile.pairKey(symbols[i], symbols[i + 1])], m.rank < bestRank {
                bestRank = m.rank
                best = (symbols[i], symbols[i + 1], m.merged)
            }
        }
        return best
    }
}

/// Words already encoded, shared by all copies of a tokenizer and safe across threads. Bounded:
/// it starts over once it holds `limit` words.
final class WordCache: @unchecked Sendable {
    static let limit = 100_000
    private let lock = NSLock()
    private var words: [Key: [Int32]] = [:]

    /// A word's bytes, hashed in one pass rather than byte by byte.
    private struct Key: Hashable {
        let bytes: [UInt8]
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    subscript(word: [UInt8]) -> [Int32]? {
        get { lock.withLock { words[Key(bytes: word)] } }
        set {
            lock.withLock {
                if words.count >= Self.limit { words.removeAll(keepingCapacity: true) }
                words[Key(bytes: word)] = newValue
            }
        }
    }
}
