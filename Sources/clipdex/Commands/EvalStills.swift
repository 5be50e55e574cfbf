import CLIP
import Foundation
import Tensor

/// Zero-shot attribute accuracy of a CLIP on labelled still pictures (`clipdex eval --stills`):
/// how the demo model's claim "it really sees colours, shapes and positions" is checked.
///
/// The CSV has a header and the columns `image,colour,shape,cell` (image relative to the CSV,
/// cell 0–8 row-major from the top left of the visible square, -1 when unknown). Every picture is
/// scored against every caption "a {colour} {shape}" over the colours and shapes the CSV names;
/// position is the best of the nine "a {colour} {shape} {position}" captions with the true colour
/// and shape.
enum StillsEvaluation {
    /// One canonical phrase per 3×3 cell, as in the demo model's training captions.
    static let positions = ["at the top left", "at the top", "at the top right", "on the left", "in the centre",
                            "on the right", "at the bottom left", "at the bottom", "at the bottom right"]

    struct Still { var image: String; var colour: String; var shape: String; var cell: Int }

    static func load(_ csv: String) throws -> [Still] {
        guard let text = try? String(contentsOfFile: csv, encoding: .utf8) else {
            throw CLIPError.input("\(csv): cannot read the stills CSV (image,colour,shape,cell)")
        }
        let base = (csv as NSString).deletingLastPathComponent
        var rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first, header.prefix(3) == ["image", "colour", "shape"] else {
            throw CLIPError.input("\(csv): the header must be image,colour,shape,cell")
        }
        rows.removeFirst()
        return try rows.enumerated().map { i, r in
            guard r.count >= 3 else { throw CLIPError.input("\(csv): line \(i + 2) has \(r.count) fields, wants image,colour,shape,cell") }
            let path = r[0].hasPrefix("/") ? r[0] : base + "/" + r[0]
            return Still(image: path, colour: r[1], shape: r[2], cell: r.count > 3 ? Int(r[3]) ?? -1 : -1)
        }
    }

    /// Scores the stills; returns `{"images", "captions", "colour", "shape", "both", "position"}`.
    static func run(_ csv: String, model: CLIPModel, tokenizer: Tokenizer) throws -> [String: Any] {
        let stills = try load(csv)
        guard !stills.isEmpty else { throw CLIPError.input("\(csv): no pictures listed") }
        let colours = ordered(stills.map(\.colour)), shapes = ordered(stills.map(\.shape))
        let pairs = colours.flatMap { c in shapes.map { (c, $0) } }
        let text = model.encodeTexts(tokens: pairs.map { tokenizer.encode("a \($0.0) \($0.1)") }).map(normalized)
        var positionText: [String: [[Float]]] = [:]
        var colourHits = 0, shapeHits = 0, bothHits = 0, posHits = 0, posCount = 0
        for s in stills {
            let image = normalized(try ImageInput.embed(file: s.image, model: model)[0])
            let best = argmax(text.map { dot($0, image) })
            let (c, sh) = pairs[best]
            colourHits += c == s.colour ? 1 : 0
            shapeHits += sh == s.shape ? 1 : 0
            bothHits += c == s.colour && sh == s.shape ? 1 : 0
            guard (0..<9).contains(s.cell) else { continue }
            let key = "\(s.colour) \(s.shape)"
            if positionText[key] == nil {
                positionText[key] = model.encodeTexts(tokens: positions.map { tokenizer.encode("a \(key) \($0)") }).map(normalized)
            }
            posHits += argmax(positionText[key]!.map { dot($0, image) }) == s.cell ? 1 : 0
            posCount += 1
        }
        let n = Double(stills.count)
        var out: [String: Any] = ["images": stills.count, "captions": pairs.count, "colour": Double(colourHits) / n,
                                  "shape": Double(shapeHits) / n, "both": Double(bothHits) / n]
        if posCount > 0 { out["position"] = Double(posHits) / Double(posCount) }
        return out
    }

    private static func ordered(_ xs: [String]) -> [String] {
        var seen = Set<String>()
        return xs.filter { seen.insert($0).inserted }
    }

    private static func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    private static func argmax(_ xs: [Float]) -> Int { xs.indices.max { xs[$0] < xs[$1] } ?? 0 }
}
