/// The actions of the shapes world. Labels (`rawValue`) are the class names used in folders
/// (spaces as `_`) and ground truth. Colour change comes as `brighten` (a dark colour — black,
/// blue, purple, red — turns into a light one — white, yellow, pink, orange) and `darken` (the
/// reverse): two classes that differ only in temporal order, like grow/shrink and appear/disappear.
public enum SynthAction: String, CaseIterable, Sendable {
    case grow, shrink, appear, disappear, brighten, darken, blink, spin, bounce
    case moveLeft = "move left", moveRight = "move right", moveUp = "move up", moveDown = "move down"
    case stayStill = "stay still"

    /// The label as a folder name: spaces become underscores.
    public var folderName: String { rawValue.replacingOccurrences(of: " ", with: "_") }

    /// Parses a label or folder name ("move left" or "move_left").
    public init?(label: String) {
        self.init(rawValue: label.replacingOccurrences(of: "_", with: " ").lowercased())
    }

    /// A present-tense verb phrase for captions, given the start and end states.
    func verbPhrase(from a: ObjectState, to b: ObjectState) -> String {
        switch self {
        case .grow: "grows"
        case .shrink: "shrinks"
        case .appear: "appears"
        case .disappear: "disappears"
        case .brighten, .darken: "turns \(b.colourName.rawValue)"
        case .blink: "blinks"
        case .spin: "spins"
        case .bounce: "bounces"
        case .moveLeft: "moves left"
        case .moveRight: "moves right"
        case .moveUp: "moves up"
        case .moveDown: "moves down"
        case .stayStill: "stays still"
        }
    }
}

/// One action with its drawn parameters: maps progress p ∈ [0, 1] to the object's state.
public struct ActionInstance: Sendable {
    public var action: SynthAction
    /// Target extent (grow/shrink), displacement (moves), target colour (brighten/darken), turns (spin),
    /// bounce height, blink count.
    var amount = 0.0
    var target = RGB(0, 0, 0)
    var targetName = ShapeColour.white

    /// The state at progress p of the action started from `s`.
    public func state(from s: ObjectState, at p: Double) -> ObjectState {
        var o = s
        let e = p * p * (3 - 2 * p)                                     // smoothstep
        switch action {
        case .grow, .shrink: o.extent = s.extent + (amount - s.extent) * e
        case .appear: o.opacity = ramp(p, 0.3, 0.45)
        case .disappear: o.opacity = 1 - ramp(p, 0.55, 0.7)
        case .brighten, .darken:
            o.colour = s.colour.mix(target, ramp(p, 0.3, 0.7))
            if p >= 0.5 { o.colourName = targetName }
        case .blink:
            let k = Int(p * 2 * amount)                                  // `amount` off-phases
            o.opacity = p < 1 && k % 2 == 1 ? 0 : 1
        case .spin: o.rotation = s.rotation + 360 * amount * p
        case .bounce:
            let phase = SynthMath.sin(Double.pi * 2 * p)                 // two hops
            o.cy = s.cy - amount * abs(phase)
        case .moveLeft: o.cx = s.cx - amount * e
        case .moveRight: o.cx = s.cx + amount * e
        case .moveUp: o.cy = s.cy - amount * e
        case .moveDown: o.cy = s.cy + amount * e
        case .stayStill: break
        }
        return o
    }

    private func ramp(_ p: Double, _ a: Double, _ b: Double) -> Double { min(1, max(0, (p - a) / (b - a))) }
}
