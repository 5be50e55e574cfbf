import Adapters
import ArgumentParser
import CLIP
import Foundation
import Index
import Tensor

/// `clipdex eval`: recognition, localisation and retrieval of an adapter beside the baseline
/// (hand-written template, mean pooling, training-free segmenter) on the same data.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate an adapter against the template + mean-pooling baseline on labelled clips.")

    @Option(help: "Model directory in the Hugging Face CLIP layout, or `demo` for the bundled demo model.") var model: String
    @Option(help: "Adapter file from `clipdex train`, or `demo` for the demo model's (without it, only the baseline).") var adapter: String?
    @Option(help: "A folder per class of trimmed clips and/or a CSV video,start,end,label.") var data: String?
    @Option(help: "Zero-shot colour/shape/position accuracy on still pictures listed in a CSV image,colour,shape,cell (e.g. from `clipdex synth stills`).")
    var stills: String?
    @Option(help: "The baseline's text template; {label} is replaced.") var template = LabelEncoder.template
    @Option(help: "Frames per second sampled from the videos.") var fps: Double = 4
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var engine: EngineOptions

    func validate() throws {
        if data == nil && stills == nil { throw ValidationError("give --data (labelled clips) and/or --stills (labelled pictures)") }
    }

    func run() throws {
        engine.apply()
        do {
            let clip = try loadModel(model)
            let tokenizer = try Tokenizer.bundled()
            var result: [String: Any] = [:]
            if let stills { result["stills"] = try StillsEvaluation.run(absolutePath(stills), model: clip, tokenizer: tokenizer) }
            if let data { try evaluate(data, clip: clip, tokenizer: tokenizer, into: &result) }
            if json { try printJSON(result) } else { printTable(result) }
        } catch { fail("\(error)") }
    }

    /// Recognition, retrieval and localisation on labelled videos, baseline beside adapter.
    private func evaluate(_ data: String, clip: CLIPModel, tokenizer: Tokenizer, into result: inout [String: Any]) throws {
        do {
            let dataset = try VideoDataset.load(data)
            let adapted = try adapter.map { try Adapter.load(adapterFile($0), model: clip) }
            let labels = dataset.labels
            let frames = VideoFrames(model: clip, fps: fps)
            let baseText = LabelEncoder.template(model: clip, tokenizer: tokenizer, template: template).embed(labels)
            let adaptText = adapted?.encodeLabels(labels, tokenizer: tokenizer)
            result["clips"] = dataset.clips.count + dataset.videos.count
            result["classes"] = labels.count
            if !dataset.clips.isEmpty {
                let truth = dataset.clips.map { labels.firstIndex(of: $0.label)! }
                let embedded = try dataset.clips.map { try frames.embeddings(of: $0.path).frames }
                let base = Metrics.scores(embedded.map { meanNormalized($0.map(normalized), range: 0..<$0.count) }, baseText)
                var rec: [String: Any] = ["baseline": recognition(base, truth)]
                var ret: [String: Any] = ["baseline": retrieval(base, truth, labels.count)]
                if let adapted, let adaptText {
                    let scores = Metrics.scores(embedded.map { adapted.clipFeature(frames: $0) }, adaptText)
                    var r = recognition(scores, truth)
                    let seen = Set(adapted.info.labels)
                    let known = truth.indices.filter { seen.contains(labels[truth[$0]]) }
                    if !known.isEmpty && known.count < truth.count {
                        let unknown = truth.indices.filter { !seen.contains(labels[truth[$0]]) }
                        r["seen"] = recognition(known.map { scores[$0] }, known.map { truth[$0] })
                        r["unseen"] = recognition(unknown.map { scores[$0] }, unknown.map { truth[$0] })
                    }
                    rec["adapter"] = r
                    ret["adapter"] = retrieval(scores, truth, labels.count)
                }
                result["recognition"] = rec
                result["retrieval"] = ret
            }
            if !dataset.videos.isEmpty {
                result["localization"] = try localization(dataset, labels: labels, frames: frames, baseText: baseText,
                                                         adapter: adapted, adaptText: adaptText)
            }
        }
    }

    private func recognition(_ scores: [[Float]], _ truth: [Int]) -> [String: Any] {
        ["top1": Metrics.topK(scores, truth: truth, k: 1), "top5": Metrics.topK(scores, truth: truth, k: 5)]
    }

    private func retrieval(_ scores: [[Float]], _ truth: [Int], _ queries: Int) -> [String: Any] {
        ["r1": Metrics.recallAtK(scores, truth: truth, queries: queries, k: 1),
         "r5": Metrics.recallAtK(scores, truth: truth, queries: queries, k: 5),
         "r10": Metrics.recallAtK(scores, truth: truth, queries: queries, k: 10)]
    }

    /// mAP at tIoU 0.3…0.7 of labelled segments found in untrimmed videos.
    private func localization(_ dataset: VideoDataset, labels: [String], frames: VideoFrames, baseText: [[Float]],
                              adapter: Adapter?, adaptText: [[Float]]?) throws -> [String: Any] {
        var truth: [Metrics.Detection] = [], base: [Metrics.Detection] = [], adapted: [Metrics.Detection] = []
        for (v, video) in dataset.videos.enumerated() {
            let e = try frames.embeddings(of: video.path)
            for s in video.segments {
                truth.append(.init(video: v, start: s.start, end: s.end, label: labels.firstIndex(of: s.label)!, score: 1))
            }
            let step = 1 / fps
            let x = e.frames.map(normalized)
            base += detect(x, times: e.times, step: step, text: baseText, temperature: 0.01, video: v)
            if let adapter, let adaptText {
                let dense = adapter.temporalFeatures(frames: e.frames)
                if let props = adapter.proposals(dense: dense, times: e.times) {
                    adapted += props.flatMap { p in
                        scoreTags(feature: meanNormalized(dense, range: p.frames), labels: adaptText, temperature: adapter.temperature,
                                  topK: 2, threshold: 0).map {
                            Metrics.Detection(video: v, start: p.start, end: p.end, label: $0.label, score: $0.score * p.score)
                        }
                    }
                } else {
                    adapted += detect(dense, times: e.times, step: step, text: adaptText, temperature: adapter.temperature, video: v)
                }
            }
        }
        func report(_ dets: [Metrics.Detection]) -> [String: Any] {
            var map: [String: Double] = [:]
            for t in [0.3, 0.4, 0.5, 0.6, 0.7] { map[String(format: "%.1f", t)] = Metrics.meanAP(detections: dets, truth: truth, threshold: t) }
            return ["map": map, "average": map.values.reduce(0, +) / Double(map.count)]
        }
        var out: [String: Any] = ["baseline": report(base)]
        if adapter != nil { out["adapter"] = report(adapted) }
        return out
    }

    /// Segments from the training-free segmenter, each labelled by its pooled feature (softmax score).
    private func detect(_ dense: [[Float]], times: [Double], step: Double, text: [[Float]], temperature: Float,
                        video: Int) -> [Metrics.Detection] {
        ChangeSegmenter.segments(dense).flatMap { r -> [Metrics.Detection] in
            let f = meanNormalized(dense, range: r)
            return scoreTags(feature: f, labels: text, temperature: temperature, topK: 2, threshold: 0).map {
                Metrics.Detection(video: video, start: max(0, times[r.lowerBound] - step / 2),
                                  end: times[r.upperBound - 1] + step / 2, label: $0.label, score: $0.score)
            }
        }
    }

    private func printTable(_ r: [String: Any]) {
        if let s = r["stills"] as? [String: Any] {
            print("stills: \(s["images"]!) pictures, \(s["captions"]!) captions (zero-shot)")
            for k in ["colour", "shape", "both", "position"] { if let v = s[k] as? Double { print(String(format: "%@\t%.3f", k, v)) } }
        }
        guard let clips = r["clips"], let classes = r["classes"] else { return }
        print("clips \(clips), classes \(classes)")
        func row(_ name: String, _ part: String, _ keys: [String]) {
            guard let p = r[part] as? [String: Any] else { return }
            print("\n\(name)")
            print(["", "baseline"].joined(separator: "\t") + (p["adapter"] != nil ? "\tadapter" : ""))
            for k in keys {
                var line = k
                for side in ["baseline", "adapter"] {
                    guard let s = p[side] as? [String: Any] else { continue }
                    let v = (s[k] as? Double) ?? ((s["map"] as? [String: Double])?[k] ?? .nan)
                    line += String(format: "\t%.3f", v)
                }
                print(line)
            }
        }
        row("recognition", "recognition", ["top1", "top5"])
        row("localization (mAP)", "localization", ["0.3", "0.4", "0.5", "0.6", "0.7", "average"])
        row("retrieval", "retrieval", ["r1", "r5", "r10"])
    }
}
