/// Vocabulary strings (UTF-8 bytes) → ids, used while loading the merges: an open-addressing hash
/// table over one byte arena, hashing each string in a single pass (FNV-1a). Loading resolves
/// about 150,000 strings, where `Dictionary<[UInt8], _>` costs an allocation and a per-byte hasher
/// call each.
struct SymbolTable {
    private var arena: [UInt8] = []
    private var starts: [Int32] = [], lengths: [Int32] = [], ids: [Int32] = []
    private var slots: [Int32]  // entry index, or -1 when empty
    private let mask: Int

    init(capacity: Int) {
        var size = 1
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        arena.reserveCapacity(capacity * 8)
        (starts, lengths, ids) = ([], [], [])
        starts.reserveCapacity(capacity); lengths.reserveCapacity(capacity); ids.reserveCapacity(capacity)
    }

    /// Sets the id of `bytes`; a later `set` of the same string wins.
    mutating func set(_ bytes: UnsafeBufferPointer<UInt8>, id: Int32) {
        let slot = find(bytes)
        if slots[slot] >= 0 {
            ids[Int(slots[slot])] = id
            return
        }
        precondition(ids.count * 2 <= slots.count, "SymbolTable over capacity")
        slots[slot] = Int32(ids.count)
        starts.append(Int32(arena.count))
        lengths.append(Int32(bytes.count))
        ids.append(id)
        arena.append(contentsOf: bytes)
    }

    func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let entry = slots[find(bytes)]
        return entry >= 0 ? ids[Int(entry)] : nil
    }

    /// The slot holding `bytes`, or the empty slot where it would go (linear probing).
    private func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while slots[slot] >= 0 && !equals(Int(slots[slot]), bytes) { slot = (slot + 1) & mask }
        return slot
    }

    private func equals(_ entry: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard Int(lengths[entry]) == bytes.count else { return false }
        let start = Int(starts[entry])
        for k in 0..<bytes.count where arena[start + k] != bytes[k] { return false }
        return true
    }
}
