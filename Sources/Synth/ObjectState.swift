/// What one shape looks like at one instant. Geometry is relative to the visible square
/// (WORLD.md): centre (cx, cy) in [0, 1] with y down, extent = size / side of the square.
public struct ObjectState: Sendable, Equatable {
    public var shape: ShapeKind
    public var cx: Double
    public var cy: Double
    public var extent: Double
    public var colour: RGB
    /// The colour word the state is closest to (what a caption would say).
    public var colourName: ShapeColour
    /// Rotation in degrees (clockwise on screen).
    public var rotation: Double = 0
    /// 0 = absent, 1 = fully drawn.
    public var opacity: Double = 1

    public var visible: Bool { opacity >= 0.5 }

    /// WORLD.md's 3×3 cell: 3·row + col, row 0 at the top.
    public var cell: Int { 3 * min(2, max(0, Int(cy * 3))) + min(2, max(0, Int(cx * 3))) }

    /// "small", "medium" or "large" by WORLD.md's extent bands.
    public var sizeWord: String { extent < 0.25 ? "small" : (extent >= 0.40 ? "large" : "medium") }

    /// WORLD.md's first phrase for the cell, e.g. "on the left".
    public var positionPhrase: String { Self.positionPhrases[cell] }

    /// "a red circle on the left"-style description of this state.
    public var phrase: String { "\(article(colourName.rawValue)) \(colourName.rawValue) \(shape.rawValue) \(positionPhrase)" }

    public static let positionPhrases = ["at the top left", "at the top", "at the top right", "on the left", "in the centre",
                                  "on the right", "at the bottom left", "at the bottom", "at the bottom right"]
}

/// "an" before a vowel, else "a" (WORLD.md's caption grammar).
public func article(_ word: String) -> String { "aeiou".contains(word.first ?? "x") ? "an" : "a" }
