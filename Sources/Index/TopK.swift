/// The `k` best (highest-scoring) items seen, as a min-heap on score: O(log k) per accepted item,
/// one comparison per rejected one, so a scan over millions of scores stays a tight loop.
struct TopK {
    let k: Int
    private(set) var heap: [(score: Float, row: Int)] = []

    init(k: Int) {
        self.k = max(0, k)
        heap.reserveCapacity(self.k)
    }

    /// The score an item must beat to enter (−∞ until `k` items are held).
    var threshold: Float { heap.count < k ? -.infinity : heap[0].score }

    mutating func offer(_ score: Float, _ row: Int) {
        guard k > 0 else { return }
        if heap.count < k {
            heap.append((score, row))
            siftUp(heap.count - 1)
        } else if score > heap[0].score {
            heap[0] = (score, row)
            siftDown(0)
        }
    }

    /// Items best first (ties by row, ascending).
    func sorted() -> [(score: Float, row: Int)] {
        heap.sorted { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
    }

    private mutating func siftUp(_ i: Int) {
        var i = i
        while i > 0 {
            let p = (i - 1) / 2
            guard heap[i].score < heap[p].score else { return }
            heap.swapAt(i, p)
            i = p
        }
    }

    private mutating func siftDown(_ i: Int) {
        var i = i
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && heap[l].score < heap[m].score { m = l }
            if r < n && heap[r].score < heap[m].score { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}
