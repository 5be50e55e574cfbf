/// Vocabulary strings (UTF-8 bytes) → ids, used while loading the merges: an open-addressing hash
/// table over one byte arena. A string may be given in two parts (a merge's left and right
/// symbols) and is hashed in one streaming pass (FNV-1a) without being joined first; each slot
/// keeps the hash so that probing rarely touches the arena. Loading resolves about 150,000
/// strings, where `Dictionary<[UInt8], _>` costs an allocation and a per-byte hasher call each.
struct SymbolTable {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    private struct Slot {
        var hash: UInt32 = 0
        var entry: Int32 = -1  // index into starts/lengths/ids, -1 when empty
    }

    private var arena: [UInt8] = []
    private var starts: [Int32] = [], lengths: [Int32] = [], ids: [Int32] = []
    private var slots: [Slot]
    private let mask: Int

    init(capacity: Int) {
        var size = 1
        while size < capacity * 2 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
        arena.reserveCapacity(capacity * 8)
        starts.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
    }

    /// Sets the id of the string `first` + `second`; a later `set` of the same string wins.
    mutating func set(_ first: Bytes, _ second: Bytes = Bytes(start: nil, count: 0), id: Int32) {
        let (slot, hash) = find(first, second)
        if slots[slot].entry >= 0 {
            ids[Int(slots[slot].entry)] = id
            return
        }
        precondition(ids.count * 2 <= slots.count, "SymbolTable over capacity")
        slots[slot] = Slot(hash: hash, entry: Int32(ids.count))
        starts.append(Int32(arena.count))
        lengths.append(Int32(first.count + second.count))
        ids.append(id)
        arena.append(contentsOf: first)
        arena.append(contentsOf: second)
    }

    /// The id of the string `first` + `second`, if it was set.
    func id(of first: Bytes, _ second: Bytes = Bytes(start: nil, count: 0)) -> Int32? {
        let entry = slots[find(first, second).slot].entry
        return entry >= 0 ? ids[Int(entry)] : nil
    }

    /// The slot holding the string, or the empty slot where it would go (linear probing).
    private func find(_ first: Bytes, _ second: Bytes) -> (slot: Int, hash: UInt32) {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in first { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        for b in second { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        let hash = UInt32(truncatingIfNeeded: h ^ (h >> 32))
        var slot = Int(hash) & mask
        while slots[slot].entry >= 0 {
            if slots[slot].hash == hash && equals(Int(slots[slot].entry), first, second) { break }
            slot = (slot + 1) & mask
        }
        return (slot, hash)
    }

    private func equals(_ entry: Int, _ first: Bytes, _ second: Bytes) -> Bool {
        guard Int(lengths[entry]) == first.count + second.count else { return false }
        let start = Int(starts[entry])
        for k in 0..<first.count where arena[start + k] != first[k] { return false }
        for k in 0..<second.count where arena[start + first.count + k] != second[k] { return false }
        return true
    }
}
