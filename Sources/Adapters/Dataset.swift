import Foundation

/// A video dataset on disk: a folder per class of trimmed clips (UCF101 style; the folder name
/// is the label, `_` and `-` read as spaces) and/or a CSV `video,start,end,label` of segments of
/// untrimmed videos (paths relative to the CSV's folder).
public struct VideoDataset: Sendable {
    /// A trimmed clip: the whole file shows `label`.
    public struct Clip: Sendable, Equatable {
        public var path: String
        public var label: String
    }
    /// One labelled segment of an untrimmed video, in seconds.
    public struct Segment: Sendable, Equatable {
        public var start: Double, end: Double
        public var label: String
    }
    public var clips: [Clip] = []
    /// Untrimmed videos and their segments, by path (sorted by path).
    public var videos: [(path: String, segments: [Segment])] = []

    /// Every label, sorted: clip folders and CSV labels.
    public var labels: [String] {
        Array(Set(clips.map(\.label) + videos.flatMap { $0.segments.map(\.label) })).sorted()
    }

    public static let videoExtensions: Set<String> = ["mp4", "m4v", "mkv", "mov", "avi", "webm", "mpg", "mpeg", "ts", "gif"]

    /// A class folder's label: `moving_left` → "moving left".
    public static func label(folder: String) -> String {
        folder.replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
            .split(separator: " ").joined(separator: " ")
    }

    /// Reads a dataset from a folder (class sub-folders, plus every `*.csv` in it that is a
    /// `video,start,end,label` table; other CSVs such as captions are left alone) or a CSV file.
    public static func load(_ path: String) throws -> VideoDataset {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw AdapterError.data("\(path): no such folder or CSV file (give a folder per class of clips, or a CSV video,start,end,label)")
        }
        var data = VideoDataset()
        if isDir.boolValue {
            let fm = FileManager.default
            let entries = try fm.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
            for entry in entries {
                let full = (path as NSString).appendingPathComponent(entry)
                var sub: ObjCBool = false
                fm.fileExists(atPath: full, isDirectory: &sub)
                if sub.boolValue {
                    let files = try fm.contentsOfDirectory(atPath: full).filter {
                        !$0.hasPrefix(".") && videoExtensions.contains(($0 as NSString).pathExtension.lowercased())
                    }.sorted()
                    let label = Self.label(folder: entry)
                    data.clips += files.map { Clip(path: (full as NSString).appendingPathComponent($0), label: label) }
                } else if entry.lowercased().hasSuffix(".csv"), isSegmentTable(full) {
                    data.videos += try readCSV(full)
                }
            }
        } else {
            data.videos = try readCSV(path)
        }
        guard !data.clips.isEmpty || !data.videos.isEmpty else {
            throw AdapterError.data("\(path): no clips found (expected sub-folders named after classes holding video files, or a CSV video,start,end,label)")
        }
        return data
    }

    /// Whether a CSV's first line is the header `video,start,end,label` or a row with numeric start and end.
    static func isSegmentTable(_ path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let first = text.split(whereSeparator: \.isNewline).first else { return false }
        let f = splitCSVLine(String(first)).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard f.count >= 4 else { return false }
        return Array(f.prefix(4)) == ["video", "start", "end", "label"] || (Double(f[1]) != nil && Double(f[2]) != nil)
    }

    /// Parses `video,start,end,label` rows (an optional header row is skipped; quotes allowed).
    static func readCSV(_ path: String) throws -> [(path: String, segments: [Segment])] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AdapterError.data("\(path): cannot read the CSV file")
        }
        let base = (path as NSString).deletingLastPathComponent
        var byVideo: [String: [Segment]] = [:]
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = splitCSVLine(String(line))
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard fields.count >= 4 else { throw AdapterError.data("\(path):\(n + 1): expected video,start,end,label") }
            guard let s = Double(fields[1].trimmingCharacters(in: .whitespaces)),
                  let e = Double(fields[2].trimmingCharacters(in: .whitespaces)) else {
                if n == 0 { continue }   // header
                throw AdapterError.data("\(path):\(n + 1): start and end must be seconds, found '\(fields[1])', '\(fields[2])'")
            }
            guard e > s, s >= 0 else { throw AdapterError.data("\(path):\(n + 1): end \(e) must be after start \(s)") }
            var video = fields[0].trimmingCharacters(in: .whitespaces)
            if !video.hasPrefix("/") { video = (base as NSString).appendingPathComponent(video) }
            let label = fields[3...].joined(separator: ",").trimmingCharacters(in: .whitespaces)
            byVideo[video, default: []].append(Segment(start: s, end: e, label: label))
        }
        return byVideo.keys.sorted().map { ($0, byVideo[$0]!.sorted { $0.start < $1.start }) }
    }

    static func splitCSVLine(_ line: String) -> [String] {
        var out: [String] = [], cur = "", quoted = false
        var it = Array(line), i = 0
        while i < it.count {
            let c = it[i]
            if quoted {
                if c == "\"" { if i + 1 < it.count && it[i + 1] == "\"" { cur.append("\""); i += 1 } else { quoted = false } } else { cur.append(c) }
            } else if c == "\"" { quoted = true } else if c == "," { out.append(cur); cur = "" } else { cur.append(c) }
            i += 1
        }
        out.append(cur)
        it.removeAll()
        return out
    }
}
