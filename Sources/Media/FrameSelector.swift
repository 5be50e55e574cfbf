/// Target times `start + k·step` for k in 0..<count (unbounded when count is nil).
struct TargetTimes: Equatable {
    var start: Double
    var step: Double
    var count: Int?

    func time(_ k: Int) -> Double { start + Double(k) * step }
    func contains(_ k: Int) -> Bool { k >= 0 && k < (count ?? Int.max) }

    /// The targets of a plan over a stream of `duration` seconds (nil = unknown).
    static func plan(_ plan: SamplingPlan, duration: Double?) -> TargetTimes? {
        switch plan {
        case .keyframes:
            return nil
        case .fps(let rate):
            let count = duration.map { max(1, Int(($0 * rate - 1e-6).rounded(.up))) }
            return TargetTimes(start: 0, step: 1 / rate, count: count)
        case .count(let n, let range):
            let lower = range?.lowerBound ?? 0
            let upper = range?.upperBound ?? duration ?? 0
            let step = (upper - lower) / Double(n)
            return TargetTimes(start: lower + step / 2, step: step, count: n)
        }
    }
}

/// Chooses, for each target time, the nearest of the frames offered in presentation order, without
/// decoding ahead: it holds only the previous frame. Generic over the payload (an AVFrame reference in
/// the sampler, a plain value in the tests).
struct FrameSelector<Payload> {
    struct Pick { var target: Int; var time: Double; var payload: Payload }

    let targets: TargetTimes
    private(set) var next = 0
    private var previous: (time: Double, payload: Payload, taken: Bool)?
    private var lastOffered = -Double.infinity

    init(targets: TargetTimes) { self.targets = targets }

    /// The next target still waiting for a frame, or nil when all are served.
    var nextTarget: Double? { targets.contains(next) ? targets.time(next) : nil }

    /// Offers a decoded frame; returns the frames chosen because of it (0–2), oldest first.
    /// Frames not later than the last offered one (after a seek, or out-of-order timestamps) are ignored.
    mutating func offer(time t: Double, _ payload: Payload) -> [Pick] {
        guard t > lastOffered else { return [] }
        lastOffered = t
        var picks: [Pick] = []
        var currentTaken = false
        while let target = nextTarget, t >= target {
            if let p = previous, target - p.time < t - target {
                // The previous frame is nearer; if it already serves an earlier target, this target shares it.
                if !p.taken { picks.append(Pick(target: next, time: p.time, payload: p.payload)); previous?.taken = true }
            } else if !currentTaken {
                picks.append(Pick(target: next, time: t, payload: payload))
                currentTaken = true
            }
            next += 1
        }
        previous = (t, payload, currentTaken)
        return picks
    }

    /// At the end of the stream: the last frame serves the next target if that target is before `end`
    /// and nearer to the last frame than half a step (a truncated stream gets no stand-ins).
    mutating func finish(end: Double?) -> [Pick] {
        defer { next = targets.count ?? next }
        guard let target = nextTarget, let p = previous, !p.taken,
              target < (end ?? .infinity), target - p.time <= targets.step / 2 else { return [] }
        return [Pick(target: next, time: p.time, payload: p.payload)]
    }

    /// Forgets the previous frame (after a seek: it is no candidate for targets beyond the jump).
    mutating func forgetPrevious() { previous = nil }
}
