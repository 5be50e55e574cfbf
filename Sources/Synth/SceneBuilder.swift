/// Canvas and timing shared by every video of a dataset.
public struct VideoFormat: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var fps: Int

    public init(width: Int, height: Int, fps: Int) {
        self.width = width
        self.height = height
        self.fps = fps
    }
}

/// Builds scenes: trimmed clips (one action) and untrimmed videos (several actions with idle
/// stretches between), each with an optional still distractor shape.
public enum SceneBuilder {
    /// Actions that untrimmed videos label (stay still is what the idle stretches are).
    public static let untrimmedActions = SynthAction.allCases.filter { $0 != .stayStill }

    /// A clip of `seconds` in which the main shape performs `action` from start to end.
    public static func trimmed(_ action: SynthAction, format: VideoFormat, seconds: Double, seed: UInt64) -> Scene {
        var rng = SynthRNG(seed: seed)
        var main = ObjectState(shape: .circle, cx: 0.5, cy: 0.5, extent: 0.3, colour: RGB(0, 0, 0), colourName: .black)
        var instance: ActionInstance?
        for _ in 0..<100 where instance == nil {
            main = ActionPlanner.initialState(for: action, &rng)
            instance = ActionPlanner.plan(action, from: main, &rng)
        }
        var track = ObjectTrack(initial: main)
        track.actions = [TimedAction(start: 0, end: seconds, instance: instance ?? ActionInstance(action: .stayStill))]
        let caption = "\(article(main.colourName.rawValue)) \(main.colourName.rawValue) \(main.shape.rawValue) "
            + action.verbPhrase(from: main, to: track.final)
        let segment = LabelledSegment(start: 0, end: seconds, label: action.rawValue)
        return assemble(track, segments: [segment], caption: caption, format: format, seconds: seconds,
                        distractor: rng.chance(0.4), seed: seed, &rng)
    }

    /// A video of `actions` (2–4 by default) actions of one shape, separated by idle stretches.
    public static func untrimmed(format: VideoFormat, seed: UInt64, actions count: Int? = nil) -> Scene {
        var rng = SynthRNG(seed: seed)
        let n = count ?? (2 + rng.int(3))
        let first = rng.chance(0.3) ? SynthAction.appear : rng.pick(untrimmedActions.filter { $0 != .appear })
        var track = ObjectTrack(initial: ActionPlanner.initialState(for: first, &rng))
        var t = rng.uniform(1, 2.5), segments: [LabelledSegment] = [], phrases: [String] = []
        var state = track.initial, next = first
        for _ in 0..<n {
            guard let instance = ActionPlanner.plan(next, from: state, &rng) else { break }
            let length = rng.uniform(2, 3.5)
            track.actions.append(TimedAction(start: t, end: t + length, instance: instance))
            segments.append(LabelledSegment(start: t, end: t + length, label: next.rawValue))
            let end = instance.state(from: state, at: 1)
            phrases.append(next.verbPhrase(from: state, to: end))
            state = end
            t += length + rng.uniform(1, 2.5)
            next = pickNext(after: state, last: next, &rng)
        }
        let s = track.initial
        let caption = "\(article(s.colourName.rawValue)) \(s.colourName.rawValue) \(s.shape.rawValue) "
            + phrases.joined(separator: ", then ")
        return assemble(track, segments: segments, caption: caption, format: format, seconds: t,
                        distractor: rng.chance(0.6), seed: seed, &rng)
    }

    /// A still picture of one shape (WORLD.md's test pictures): the shape at the given place and
    /// size on a random background, for checking what the model sees.
    public static func still(_ shape: ShapeKind, _ colour: ShapeColour, extent: Double, cx: Double, cy: Double,
                             format: VideoFormat, seed: UInt64) -> Scene {
        var rng = SynthRNG(seed: seed)
        let s = ObjectState(shape: shape, cx: cx, cy: cy, extent: extent, colour: colour.sample(&rng), colourName: colour)
        return assemble(ObjectTrack(initial: s), segments: [], caption: "\(article(colour.rawValue)) \(colour.rawValue) \(shape.rawValue)",
                        format: format, seconds: 1, distractor: false, seed: seed, &rng)
    }

    /// A feasible next action, different from the last one.
    static func pickNext(after s: ObjectState, last: SynthAction, _ rng: inout SynthRNG) -> SynthAction {
        if !s.visible { return .appear }
        var probe = rng
        let feasible = untrimmedActions.filter { $0 != last && ActionPlanner.plan($0, from: s, &probe) != nil }
        return feasible.isEmpty ? .disappear : rng.pick(feasible)
    }

    /// Adds the optional distractor and the background, and makes the scene.
    static func assemble(_ main: ObjectTrack, segments: [LabelledSegment], caption: String, format: VideoFormat,
                         seconds: Double, distractor: Bool, seed: UInt64, _ rng: inout SynthRNG) -> Scene {
        var tracks = [main], caption = caption
        if distractor, let d = Distractor.place(avoiding: main, seconds: seconds, fps: format.fps, &rng) {
            tracks.append(ObjectTrack(initial: d))
            caption += " and \(article(d.colourName.rawValue)) \(d.colourName.rawValue) \(d.shape.rawValue) stays still"
        }
        var colours: [RGB] = []
        for tr in tracks {
            colours.append(tr.initial.colour)
            for a in tr.actions where a.instance.action == .brighten || a.instance.action == .darken { colours.append(a.instance.target) }
        }
        let background = Background(&rng, avoid: colours, shortSide: min(format.width, format.height))
        return Scene(width: format.width, height: format.height, fps: format.fps, duration: seconds, seed: seed,
                     background: background, tracks: tracks, segments: segments, caption: caption)
    }
}

/// A still second shape placed where the main shape never comes.
enum Distractor {
    static func place(avoiding main: ObjectTrack, seconds: Double, fps: Int, _ rng: inout SynthRNG) -> ObjectState? {
        let m = main.initial
        var used = [m.colourName]
        for a in main.actions where a.instance.action == .brighten || a.instance.action == .darken { used.append(a.instance.targetName) }
        let times = (0...Int(seconds * Double(fps))).map { Double($0) / Double(fps) }
        let path = times.map { main.state(at: $0) }
        for _ in 0..<30 {
            let shape = rng.pick(ShapeKind.allCases), colour = rng.pick(ShapeColour.allCases)
            if used.contains(colour) || (shape == m.shape && colour == m.colourName) { continue }
            let extent = rng.uniform(0.18, 0.28), margin = ActionPlanner.margin(extent)
            let cx = rng.uniform(margin, 1 - margin), cy = rng.uniform(margin, 1 - margin)
            let clear = path.allSatisfy { s in
                let dx = s.cx - cx, dy = s.cy - cy
                return (dx * dx + dy * dy).squareRoot() >= 0.6 * (s.extent + extent) + 0.03   // rotated corners reach 0.71·extent
            }
            if clear { return ObjectState(shape: shape, cx: cx, cy: cy, extent: extent, colour: colour.sample(&rng), colourName: colour) }
        }
        return nil
    }
}
