@testable import Adapters
import CLIP
import Foundation
import Tensor
import XCTest

/// Training on in-memory frame features whose classes differ only in temporal order, and the
/// adapter file round trip.
final class TrainingTests: XCTestCase {
    static let model = try! CLIPModel(directory: Fixtures.path("clip-tiny"))
    static let tower = try! FrozenTextTower(model: model)

    override func setUp() { Threads.configure(2) }

    /// Four classes A→B, B→A, C→D, D→C over random unit "states": every frame is easy to see,
    /// but each pair has the same mean, so mean pooling cannot tell a class from its reverse.
    static func clips(perClass: Int, seed: UInt64, dim: Int) -> [TrainingClip] {
        var states = SeededRandom(seed: 99)
        let s = (0..<4).map { _ in normalized((0..<dim).map { _ in states.normal() }) }
        let pairs = [(0, 1), (1, 0), (2, 3), (3, 2)]
        var rng = SeededRandom(seed: seed)
        var out: [TrainingClip] = []
        for (label, (a, b)) in pairs.enumerated() {
            for _ in 0..<perClass {
                let n = 8 + Int(rng.next() % 9)
                let cut = Int(Double(n) * (0.35 + 0.3 * Double(rng.next() % 1000) / 1000))
                let frames = (0..<n).map { f in
                    normalized(zip(f < cut ? s[a] : s[b], (0..<dim).map { _ in 0.35 / Float(dim).squareRoot() * rng.normal() })
                        .map { $0 + $1 })
                }
                out.append(TrainingClip(frames: frames, label: label))
            }
        }
        return out
    }

    static let labels = ["red turning blue", "blue turning red", "small growing", "big shrinking"]
    static let labelTokens = [[320, 736, 5631, 1746], [320, 1746, 5631, 736], [2442, 6428], [1205, 38485]]

    static func top1(_ features: [[Float]], _ labels: [[Float]], _ truth: [Int]) -> Float {
        var hits = 0
        for (f, t) in zip(features, truth) {
            let scores = labels.map { l in zip(f, l).reduce(0) { $0 + $1.0 * $1.1 } }
            if scores.indices.max(by: { scores[$0] < scores[$1] }) == t { hits += 1 }
        }
        return Float(hits) / Float(truth.count)
    }

    func testTemporalOrderIsLearnedAndBeatsMeanPooling() throws {
        let d = Self.tower.projectionDim
        let train = Self.clips(perClass: 8, seed: 1, dim: d), test = Self.clips(perClass: 10, seed: 2, dim: d)
        var o = TrainingOptions()
        o.seed = 3
        let (adapter, report) = try Trainer.train(tower: Self.tower, modelIdentity: Self.model.identity, labels: Self.labels,
                                                  labelTokens: Self.labelTokens, clips: train, options: o)
        let labelEmb = adapter.encodeLabels(tokens: Self.labelTokens)
        let acc = Self.top1(test.map { adapter.clipFeature(frames: $0.frames) }, labelEmb, test.map(\.label))
        // baseline: the frozen CLIP's text embeddings and mean pooling of the frames
        let base = Self.model.encodeTexts(tokens: Self.labelTokens.map { [49406] + $0 + [49407] }).map(normalized)
        let baseAcc = Self.top1(test.map { meanNormalized($0.frames.map(normalized), range: 0..<$0.frames.count) }, base,
                                test.map(\.label))
        print("temporal-order: adapter top-1 \(acc), baseline \(baseAcc), loss \(report.finalLoss), steps \(report.steps), \(report.seconds) s")
        XCTAssertLessThan(report.tailLoss, 0.5, "training loss did not come down")
        XCTAssertGreaterThanOrEqual(acc, 0.85)
        XCTAssertGreaterThanOrEqual(acc, baseAcc + 0.25)
    }

    func testTrainingIsDeterministicForASeed() throws {
        let d = Self.tower.projectionDim
        let train = Self.clips(perClass: 3, seed: 5, dim: d)
        var o = TrainingOptions()
        o.steps = 5; o.seed = 11; o.prefixTokens = 4; o.postfixTokens = 4
        let a = try Trainer.train(tower: Self.tower, modelIdentity: "x", labels: Self.labels, labelTokens: Self.labelTokens,
                                  clips: train, options: o)
        let b = try Trainer.train(tower: Self.tower, modelIdentity: "x", labels: Self.labels, labelTokens: Self.labelTokens,
                                  clips: train, options: o)
        XCTAssertEqual(a.1.finalLoss, b.1.finalLoss)
        XCTAssertEqual(a.0.encodeLabels(tokens: Self.labelTokens), b.0.encodeLabels(tokens: Self.labelTokens))
        o.seed = 12
        let c = try Trainer.train(tower: Self.tower, modelIdentity: "x", labels: Self.labels, labelTokens: Self.labelTokens,
                                  clips: train, options: o)
        XCTAssertNotEqual(a.0.encodeLabels(tokens: Self.labelTokens), c.0.encodeLabels(tokens: Self.labelTokens))
    }

    func testAdapterFileRoundTripAndIdentityCheck() throws {
        let d = Self.tower.projectionDim
        let train = Self.clips(perClass: 2, seed: 7, dim: d)
        var o = TrainingOptions()
        o.steps = 3; o.prefixTokens = 5; o.postfixTokens = 3; o.temporalLayers = 2
        let (adapter, _) = try Trainer.train(tower: Self.tower, modelIdentity: Self.model.identity, labels: Self.labels,
                                             labelTokens: Self.labelTokens, clips: train, options: o)
        let path = NSTemporaryDirectory() + "roundtrip-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try adapter.save(to: path)
        let back = try Adapter.load(path, model: Self.model)
        XCTAssertEqual(back.info, adapter.info)
        XCTAssertEqual(back.info.labels, Self.labels)
        XCTAssertEqual(back.info.prefixTokens, 5)
        XCTAssertEqual(back.info.temporalLayers, 2)
        XCTAssertEqual(back.encodeLabels(tokens: Self.labelTokens), adapter.encodeLabels(tokens: Self.labelTokens))
        XCTAssertEqual(back.clipFeature(frames: train[0].frames), adapter.clipFeature(frames: train[0].frames))
        let long = train[0].frames + train[1].frames + train[2].frames
        XCTAssertEqual(back.temporalFeatures(frames: long), adapter.temporalFeatures(frames: long))

        // another CLIP: refused, naming the adapter and both identities
        XCTAssertThrowsError(try Adapter.load(path, modelIdentity: "0123abcd", tower: Self.tower)) { error in
            let m = "\(error)"
            XCTAssertTrue(m.contains(path), m)
            XCTAssertTrue(m.contains(Self.model.identity), m)
            XCTAssertTrue(m.contains("0123abcd"), m)
        }
        // not an adapter: the error names the file
        let bogus = NSTemporaryDirectory() + "bogus-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: bogus) }
        var w = SafeTensorsWriter()
        w.add("x", shape: [1], values: [1])
        try w.write(to: bogus)
        XCTAssertThrowsError(try Adapter.load(bogus, model: Self.model)) { XCTAssertTrue("\($0)".contains(bogus)) }
    }

    func testWindowedFeaturesMatchASingleWindowAndHaveNoSeams() throws {
        let d = Self.tower.projectionDim
        var o = TrainingOptions()
        o.steps = 2
        let (adapter, _) = try Trainer.train(tower: Self.tower, modelIdentity: "x", labels: Self.labels,
                                             labelTokens: Self.labelTokens, clips: Self.clips(perClass: 1, seed: 3, dim: d), options: o)
        var rng = SeededRandom(seed: 4)
        let frames = (0..<40).map { _ in normalized((0..<d).map { _ in rng.normal() }) }
        // up to 16 frames: one window, exactly the module's output
        let short = Array(frames.prefix(12))
        let dense = adapter.temporalFeatures(frames: short)
        let x = FloatBuffer(short.flatMap { $0 })
        let y = adapter.temporal!.forward(x.pointer, batch: 1, frames: 12)
        for f in 0..<12 { for i in 0..<d { XCTAssertEqual(dense[f][i], y[f * d + i], accuracy: 1e-5) } }
        // long videos: every frame covered, features finite and near their frames (near-identity module)
        let long = adapter.temporalFeatures(frames: frames)
        XCTAssertEqual(long.count, 40)
        for (f, v) in long.enumerated() {
            XCTAssertTrue(v.allSatisfy { $0.isFinite })
            let cos = zip(normalized(v), frames[f]).reduce(0) { $0 + $1.0 * $1.1 }
            XCTAssertGreaterThan(cos, 0.5, "frame \(f)")
        }
    }

    func testTagsAreSoftmaxAtTheTemperature() {
        let labels = [normalized([1, 0, 0]), normalized([0, 1, 0]), normalized([0, 0, 1])]
        let tags = scoreTags(feature: [1, 0.5, 0], labels: labels, temperature: 0.5, topK: 2, threshold: 0.05)
        let c1 = 1 / Float(1.25).squareRoot(), c2 = 0.5 / Float(1.25).squareRoot()
        let e = [expf(c1 / 0.5), expf(c2 / 0.5), expf(0)], s = e.reduce(0, +)
        XCTAssertEqual(tags.map(\.label), [0, 1])
        XCTAssertEqual(tags[0].score, e[0] / s, accuracy: 1e-5)
        XCTAssertEqual(tags[1].score, e[1] / s, accuracy: 1e-5)
        XCTAssertEqual(scoreTags(feature: [1, 0.5, 0], labels: labels, temperature: 0.5, topK: 3, threshold: 0.3).count, 1)
    }
}

/// Proposal heads trained on untrimmed in-memory videos find the segments of unseen videos.
final class ProposalTrainingTests: XCTestCase {
    /// A video: background frames with one action segment (a distinct state) at a random place.
    static func video(seed: UInt64, dim: Int) -> TrainingVideo {
        var rng = SeededRandom(seed: seed)
        var states = SeededRandom(seed: 77)
        let bg = normalized((0..<dim).map { _ in states.normal() }), act = normalized((0..<dim).map { _ in states.normal() })
        let n = 30 + Int(rng.next() % 10), len = 6 + Int(rng.next() % 8), s = 3 + Int(rng.next() % UInt64(n - len - 6))
        let frames = (0..<n).map { f in
            normalized(zip(f >= s && f < s + len ? act : bg, (0..<dim).map { _ in 0.3 / Float(dim).squareRoot() * rng.normal() }).map { $0 + $1 })
        }
        let times = (0..<n).map { (Double($0) + 0.5) / 2 }
        return TrainingVideo(frames: frames, times: times, segments: [(start: Double(s) / 2, end: Double(s + len) / 2, label: 0)])
    }

    func testHeadsFindSegmentsInUnseenVideos() throws {
        Threads.configure(2)
        let tower = TrainingTests.tower, d = tower.projectionDim
        let videos = (0..<8).map { Self.video(seed: 100 + UInt64($0), dim: d) }
        let clips = TrainingTests.clips(perClass: 2, seed: 1, dim: d)
        var o = TrainingOptions()
        o.steps = 5
        let (adapter, _) = try Trainer.train(tower: tower, modelIdentity: "x", labels: TrainingTests.labels,
                                             labelTokens: TrainingTests.labelTokens, clips: clips, videos: videos, options: o)
        XCTAssertTrue(adapter.hasProposalHeads)
        var hits = 0
        for k in 0..<6 {
            let v = Self.video(seed: 500 + UInt64(k), dim: d)
            let props = try XCTUnwrap(adapter.proposals(dense: adapter.temporalFeatures(frames: v.frames), times: v.times))
            let best = try XCTUnwrap(props.first)
            let iou = Metrics.tIoU((best.start, best.end), (v.segments[0].start, v.segments[0].end))
            if iou >= 0.5 { hits += 1 }
        }
        XCTAssertGreaterThanOrEqual(hits, 5, "the top proposal should overlap the true segment (tIoU ≥ 0.5)")
        // the heads survive the file round trip
        let path = NSTemporaryDirectory() + "heads-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try adapter.save(to: path)
        let back = try Adapter.load(path, modelIdentity: "x", tower: tower)
        let v = Self.video(seed: 900, dim: d)
        let dense = adapter.temporalFeatures(frames: v.frames)
        XCTAssertEqual(back.proposals(dense: dense, times: v.times), adapter.proposals(dense: dense, times: v.times))
    }
}
