import CFFmpeg

/// Video packets read a few ahead of the decoder, and the presentation times seen around them.
///
/// Knowing the times of the neighbouring packets (on both sides, B-frame reordering included) tells
/// exactly which frames can be the nearest to a target: the last frame before it and the first at or
/// after it. Every other non-reference frame may be skipped, whatever the frame rate does.
final class PacketLookahead {
    /// Packets held before decoding: more than any B-frame reordering depth.
    static let depth = 8
    /// Presentation times remembered (queued and recently decoded).
    private static let memory = 64

    struct Entry { var box: PacketBox; var time: Double? }

    private var queue: [Entry] = []
    private var spare: [PacketBox] = []
    /// Known presentation times, sorted; and the same in arrival order (to forget the oldest).
    private var sorted: [Double] = []
    private var arrivals: [Double] = []

    var count: Int { queue.count }

    /// Takes over the contents of `packet` (left blank), with its presentation time in seconds if known.
    func push(moving packet: UnsafeMutablePointer<AVPacket>, time: Double?) {
        let box = spare.popLast() ?? PacketBox()
        av_packet_move_ref(box.packet, packet)
        queue.append(Entry(box: box, time: time))
        guard let time else { return }
        if arrivals.count == Self.memory { forget(arrivals.removeFirst()) }
        arrivals.append(time)
        sorted.insert(time, at: sorted.firstIndex { $0 > time } ?? sorted.count)
    }

    /// The oldest packet; hand it back with `recycle` once sent.
    func pop() -> Entry? { queue.isEmpty ? nil : queue.removeFirst() }

    func recycle(_ entry: Entry) {
        av_packet_unref(entry.box.packet)
        spare.append(entry.box)
    }

    /// Drops queued packets and remembered times (after a seek).
    func clear() {
        while let entry = pop() { recycle(entry) }
        sorted.removeAll()
        arrivals.removeAll()
    }

    /// Whether a frame at `time` is, among the known times, the last before or the first at/after some
    /// target: some target lies strictly between the known neighbours of `time` (or equals it).
    func isNeighbourOfATarget(_ time: Double, _ targets: TargetTimes) -> Bool {
        let below = sorted.last { $0 < time } ?? -.infinity
        let above = sorted.first { $0 > time } ?? .infinity
        let k = below == -.infinity ? 0 : Int(max(0, min(clampedInt64((below - targets.start) / targets.step), 1 << 53) + 1))
        // Floating-point care: step back while the previous target is still above `below`.
        var first = k
        while first > 0 && targets.time(first - 1) > below { first -= 1 }
        while targets.contains(first) && targets.time(first) <= below { first += 1 }
        return targets.contains(first) && targets.time(first) < above
    }

    private func forget(_ time: Double) {
        if let i = sorted.firstIndex(of: time) { sorted.remove(at: i) }
    }
}
