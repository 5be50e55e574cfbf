import ArgumentParser
import Foundation
import Index

/// `clipdex thumbs`: a contact sheet of a video's segments.
struct ThumbsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbs", abstract: "Write a PNG contact sheet: one frame per segment (its middle), labelled with its times.")

    @Argument(help: "The video's path.") var video: String
    @Option(help: "The PNG file to write.") var out: String
    @Option(help: "Thumbnails per row.") var columns: Int = 4
    @OptionGroup var store: StoreOptions

    static let cellW = 256, cellH = 144, labelH = 16

    func run() throws {
        let db = store.open()
        do {
            let dest = absolutePath(out)
            let count = try writeContactSheet(db, video: absolutePath(video), out: dest, columns: columns)
            if store.json { try printJSON(["video": absolutePath(video), "segments": count, "out": dest]) } else { print("\(dest): \(count) segments") }
        } catch { fail("\(error)") }
    }
}

/// Writes the PNG contact sheet of an indexed video's segments (one middle frame each, labelled
/// with the segment id and times) to `dest`; returns the number of segments.
func writeContactSheet(_ db: IndexStore, video path: String, out dest: String, columns: Int = 4) throws -> Int {
    typealias T = ThumbsCommand
    guard let v = try db.video(path: path) else { throw IndexError.unknownVideo(path) }
    let segs = try db.segments(videoID: v.id)
    guard !segs.isEmpty else { throw IndexError.noFrames(path) }
    let cols = max(1, min(columns, segs.count)), rows = (segs.count + cols - 1) / cols
    let rowH = T.cellH + T.labelH
    var sheet = Canvas(width: cols * T.cellW, height: rows * rowH)
    for (i, s) in segs.enumerated() {
        let x = (i % cols) * T.cellW, y = (i / cols) * rowH
        let frame = try ffmpegOutput(["-ss", String(format: "%.3f", (s.start + s.end) / 2), "-i", path, "-frames:v", "1", "-vf",
                                      "scale=\(T.cellW):\(T.cellH):force_original_aspect_ratio=decrease,pad=\(T.cellW):\(T.cellH):(ow-iw)/2:(oh-ih)/2",
                                      "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], what: path)
        if frame.count >= T.cellW * T.cellH * 3 { sheet.paste([UInt8](frame), width: T.cellW, height: T.cellH, x: x, y: y) }
        sheet.text("\(s.id) \(timecode(s.start))-\(timecode(s.end))", x: x + 2, y: y + T.cellH + 4)
    }
    try runFFmpeg(["-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(sheet.width)x\(sheet.height)", "-i", "-",
                   "-frames:v", "1", dest], what: dest, stdin: Data(sheet.pixels))
    return segs.count
}

/// An RGB canvas with a 3×5 pixel font (scaled ×2) for digits and time punctuation.
struct Canvas {
    let width: Int, height: Int
    var pixels: [UInt8]

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 24, count: width * height * 3)
    }

    mutating func paste(_ src: [UInt8], width w: Int, height h: Int, x: Int, y: Int) {
        for r in 0..<h where y + r < height {
            let d = ((y + r) * width + x) * 3, s = r * w * 3
            pixels.replaceSubrange(d..<(d + min(w, width - x) * 3), with: src[s..<(s + min(w, width - x) * 3)])
        }
    }

    /// Rows of 3-bit patterns, top to bottom.
    static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        ":": [0, 2, 0, 2, 0], ".": [0, 0, 0, 0, 2], "-": [0, 0, 7, 0, 0], " ": [0, 0, 0, 0, 0],
    ]

    mutating func text(_ s: String, x: Int, y: Int, scale: Int = 2) {
        var cx = x
        for ch in s {
            let g = Self.glyphs[ch] ?? Self.glyphs[" "]!
            for (r, bits) in g.enumerated() {
                for c in 0..<3 where bits & (4 >> c) != 0 {
                    for dy in 0..<scale { for dx in 0..<scale { set(cx + c * scale + dx, y + r * scale + dy) } }
                }
            }
            cx += 4 * scale
        }
    }

    private mutating func set(_ x: Int, _ y: Int) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = 240; pixels[i + 1] = 240; pixels[i + 2] = 240
    }
}
