/// Draws an action's parameters for an object in a given state, or says it cannot be done there
/// (too big to grow, no room to move left, a circle cannot visibly spin, ...).
enum ActionPlanner {
    /// WORLD.md keeps centres at least this far from the visible square's edges.
    static func margin(_ extent: Double) -> Double { 0.425 * extent + 0.02 }

    /// Parameters for `action` starting from `s`, or nil when the state does not allow it.
    static func plan(_ action: SynthAction, from s: ObjectState, _ rng: inout SynthRNG) -> ActionInstance? {
        var a = ActionInstance(action: action)
        let m = margin(s.extent)
        switch action {
        case .grow:
            let hi = min(0.56, 2 * (min(s.cx, 1 - s.cx, s.cy, 1 - s.cy) - 0.02) / 0.85)
            guard s.visible, hi >= s.extent + 0.16 else { return nil }
            a.amount = rng.uniform(s.extent + 0.16, hi)
        case .shrink:
            guard s.visible, s.extent >= 0.4 else { return nil }
            a.amount = rng.uniform(0.18, min(0.24, s.extent - 0.16))
        case .appear: guard !s.visible else { return nil }
        case .disappear, .blink, .stayStill: guard s.visible else { return nil }
            if action == .blink { a.amount = Double(2 + rng.int(2)) }
        case .brighten, .darken:
            let (from, to) = action == .brighten ? (ShapeColour.dark, ShapeColour.light) : (ShapeColour.light, ShapeColour.dark)
            guard s.visible, from.contains(s.colourName) else { return nil }
            a.targetName = rng.pick(to)
            a.target = a.targetName.sample(&rng)
        case .spin:
            guard s.visible, ShapeKind.spinnable.contains(s.shape) else { return nil }
            a.amount = rng.uniform(0.5, 1.0) * (rng.chance(0.5) ? 1 : -1)
        case .bounce:
            let room = s.cy - m
            guard s.visible, room >= 0.2 else { return nil }
            a.amount = rng.uniform(0.2, min(room, 0.35))
        case .moveLeft, .moveRight, .moveUp, .moveDown:
            let room = switch action {
            case .moveLeft: s.cx - m
            case .moveRight: 1 - m - s.cx
            case .moveUp: s.cy - m
            default: 1 - m - s.cy
            }
            guard s.visible, room >= 0.3 else { return nil }
            a.amount = rng.uniform(0.3, min(room, 0.6))
        }
        return a
    }

    /// A starting state that suits `action`, so a clip of that one action is always possible.
    static func initialState(for action: SynthAction, _ rng: inout SynthRNG) -> ObjectState {
        let shape: ShapeKind = action == .spin ? rng.pick(ShapeKind.spinnable) : rng.pick(ShapeKind.allCases)
        let colourName: ShapeColour = switch action {
        case .brighten: rng.pick(ShapeColour.dark)
        case .darken: rng.pick(ShapeColour.light)
        default: rng.pick(ShapeColour.allCases)
        }
        let extent = switch action {
        case .grow: rng.uniform(0.18, 0.26)
        case .shrink: rng.uniform(0.42, 0.54)
        case .moveLeft, .moveRight, .moveUp, .moveDown, .bounce: rng.uniform(0.2, 0.32)
        default: rng.uniform(0.22, 0.45)
        }
        let m = ActionPlanner.margin(action == .grow ? 0.5 : extent)
        var cx = rng.uniform(m, 1 - m), cy = rng.uniform(m, 1 - m)
        switch action {
        case .moveLeft: cx = rng.uniform(max(m + 0.35, 0.6), 1 - m)
        case .moveRight: cx = rng.uniform(m, min(1 - m - 0.35, 0.4))
        case .moveUp, .bounce: cy = rng.uniform(max(m + 0.35, 0.6), 1 - m)
        case .moveDown: cy = rng.uniform(m, min(1 - m - 0.35, 0.4))
        default: break
        }
        return ObjectState(shape: shape, cx: cx, cy: cy, extent: extent, colour: colourName.sample(&rng),
                           colourName: colourName, opacity: action == .appear ? 0 : 1)
    }
}
