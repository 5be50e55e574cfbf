/// An action placed on a video's timeline (seconds).
public struct TimedAction: Sendable {
    public var start: Double
    public var end: Double
    public var instance: ActionInstance
}

/// One shape through a video: its first state and the actions it performs, in time order.
/// Between and after actions it keeps the state the last action left it in.
public struct ObjectTrack: Sendable {
    public var initial: ObjectState
    public var actions: [TimedAction] = []

    /// The object's state at time t (seconds).
    public func state(at t: Double) -> ObjectState {
        var s = initial
        for a in actions {
            if t < a.start { break }
            if t < a.end { return a.instance.state(from: s, at: (t - a.start) / (a.end - a.start)) }
            s = a.instance.state(from: s, at: 1)
        }
        return s
    }

    /// The state at the end of the video.
    public var final: ObjectState { state(at: .infinity) }
}

/// A labelled stretch of a video: ground truth `start,end,label`.
public struct LabelledSegment: Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var label: String
}

/// A complete description of one synthetic video: canvas, background, shapes and their actions.
/// Rendering is a pure function of the scene, so the same scene gives the same pixels everywhere.
public struct Scene: Sendable {
    public var width: Int
    public var height: Int
    public var fps: Int
    public var duration: Double
    public var seed: UInt64
    public var background: Background
    /// The first track is the one whose actions are labelled; others are distractors.
    public var tracks: [ObjectTrack]
    public var segments: [LabelledSegment]
    public var caption: String

    public var frameCount: Int { max(1, Int((duration * Double(fps)).rounded())) }

    /// Frame k's time in seconds.
    public func time(ofFrame k: Int) -> Double { Double(k) / Double(fps) }

    /// Renders frame k as 8-bit RGB (interleaved, rows top to bottom).
    public func render(frame k: Int) -> [UInt8] { render(at: time(ofFrame: k), noiseStream: UInt64(k)) }

    /// Renders the scene at time t; the noise pattern is chosen by `noiseStream`.
    public func render(at t: Double, noiseStream: UInt64 = 0) -> [UInt8] {
        var raster = Raster(width: width, height: height)
        var noise = SynthRNG(seed: seed, stream: 0x4E01_5E00 &+ noiseStream)
        background.fill(&raster, at: duration > 0 ? min(1, t / duration) : 0)
        if !background.noiseOverShapes { background.addNoise(&raster, &noise) }
        for track in tracks { raster.paint(track.state(at: t)) }
        if background.noiseOverShapes { background.addNoise(&raster, &noise) }
        return raster.bytes()
    }

    /// What is visible at time t, e.g. ["a red circle on the left", "a blue star at the top"].
    public func visibleObjects(at t: Double) -> [String] {
        tracks.map { $0.state(at: t) }.filter(\.visible).map(\.phrase)
    }

    /// The labels whose segments contain time t.
    public func labels(at t: Double) -> [String] {
        segments.filter { $0.start <= t && t < $0.end }.map(\.label)
    }
}
