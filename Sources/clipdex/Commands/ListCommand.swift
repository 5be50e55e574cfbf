import ArgumentParser
import Foundation
import Index

/// `clipdex list`: one row per file known to the index.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the videos of the index with their status, duration and segment count.")

    @Option(help: "Only this video.") var video: String?
    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = store.open()
        let rows: [VideoListing]
        do { rows = try db.listing(path: video.map(absolutePath)) } catch { fail("\(error)") }
        if store.json {
            try printJSON(rows.map { r -> [String: Any] in
                ["video": r.path, "status": r.status.rawValue, "duration": r.duration ?? NSNull(), "segments": r.segments,
                 "error": r.error ?? NSNull()]
            })
            return
        }
        if rows.isEmpty { print(video == nil ? "the index is empty" : "\(video!): not in the index"); return }
        printTable(["status", "duration", "segments", "video", "error"], rows.map { r in
            [r.status.rawValue, r.duration.map(timecode) ?? "-", String(r.segments), r.path, r.error ?? ""]
        })
    }
}

/// `clipdex status`: counts over the index, and the failures with their reasons.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show how many videos are indexed, failed or queued, and why failures failed.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = store.open()
        do {
            let s = try db.summary()
            let models = try db.models()
            let model: Any = models.first.map { ["identity": $0.identity, "directory": $0.directory, "dim": $0.dim] as [String: Any] } ?? NSNull()
            if store.json {
                try printJSON(["videos": s.videos, "indexed": s.indexed, "failed": s.failed, "queued": s.queued,
                               "segments": s.segments, "frames": s.frames, "model": model, "database": db.path])
                return
            }
            printTable(["videos", "indexed", "failed", "queued", "segments", "frames"],
                       [[s.videos, s.indexed, s.failed, s.queued, s.segments, s.frames].map(String.init)])
            print("database  \(db.path)")
            if let m = models.first { print("model     \(m.directory) (\(m.dim)-d, \(m.identity.prefix(16)))") }
            if !s.failures.isEmpty {
                print("\nfailures:")
                printTable(["video", "reason"], s.failures.map { [$0.path, $0.error ?? "unknown"] })
            }
        } catch { fail("\(error)") }
    }
}

/// `clipdex show`: a video's segments as a timeline.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a video's segments (ids, times, tags) as a timeline.")

    @Argument(help: "The video's path.") var video: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = store.open()
        do {
            let path = absolutePath(video)
            guard let v = try db.video(path: path) else { throw IndexError.unknownVideo(path) }
            let segs = try db.segments(videoID: v.id)
            let tags = try db.tags(segmentIDs: segs.map(\.id))
            if store.json {
                try printJSON(["video": v.path, "status": v.status.rawValue, "duration": v.duration.map { $0 as Any } ?? NSNull(),
                               "error": v.error.map { $0 as Any } ?? NSNull(),
                               "segments": segs.map { s -> [String: Any] in
                                   ["segment": s.id, "start": s.start, "end": s.end, "score": s.score, "frames": s.frameCount,
                                    "tags": (tags[s.id] ?? []).map { ["label": $0.label, "score": $0.score] as [String: Any] }]
                               }])
                return
            }
            print("\(v.path)  \(v.status.rawValue)  \(v.duration.map(timecode) ?? "-")  \(v.codec ?? "")  \(v.width ?? 0)x\(v.height ?? 0)")
            if let e = v.error { print("error: \(e)") }
            let total = max(v.duration ?? segs.last?.end ?? 1, 1e-6)
            printTable(["segment", "start", "end", "timeline", "tags"], segs.map { s in
                let w = 40, a = Int(s.start / total * Double(w)), b = max(a + 1, Int((s.end / total * Double(w)).rounded()))
                let bar = String(repeating: ".", count: a) + String(repeating: "#", count: min(w, b) - a)
                    + String(repeating: ".", count: max(0, w - min(w, b)))
                return [String(s.id), timecode(s.start), timecode(s.end), bar, (tags[s.id] ?? []).prefix(3).map(\.label).joined(separator: ", ")]
            })
        } catch { fail("\(error)") }
    }
}
