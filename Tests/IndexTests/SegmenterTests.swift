import XCTest
@testable import Index

final class SegmenterTests: XCTestCase {
    /// Frames at 1 fps in blocks ("shots") of the given lengths; each shot has its own direction and
    /// frames drift slightly within it.
    private func shots(_ lengths: [Int], dim: Int = 8) -> FrameEmbeddings {
        var vectors: [[Float]] = []
        for (s, n) in lengths.enumerated() {
            for i in 0..<n {
                var v = [Float](repeating: 0, count: dim)
                v[s % dim] = 1
                v[(s + 1) % dim] = 0.05 * Float(i % 3)
                vectors.append(EmbeddingCodec.normalized(v))
            }
        }
        let times = vectors.indices.map(Double.init)
        return FrameEmbeddings(times: times, vectors: vectors, duration: Double(vectors.count))
    }

    func testCutsAtShotBoundariesAndPoolsEachShot() {
        let f = shots([5, 7, 4])
        let segs = CutSegmenter(minSeconds: 2, maxSeconds: 30).segment(f)
        XCTAssertEqual(segs.map(\.frames), [0..<5, 5..<12, 12..<16])
        XCTAssertEqual(segs.map(\.start), [0, 5, 12])
        XCTAssertEqual(segs.map(\.end), [5, 12, 16])
        XCTAssertEqual(segs[1].embedding, f.meanVector(5..<12))
        // Shot 1 points along axis 1 with a small drift along axis 2: the pooled vector is unit length, mostly axis 1.
        XCTAssertEqual(segs[1].embedding.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        XCTAssertGreaterThan(segs[1].embedding[1], 0.99)
        XCTAssertGreaterThan(segs[1].embedding[2], 0.01)
    }

    func testShotsShorterThanTheMinimumAreMergedIntoANeighbour() {
        let segs = CutSegmenter(minSeconds: 3, maxSeconds: 30).segment(shots([6, 1, 6]))
        XCTAssertEqual(segs.count, 2)
        XCTAssertTrue(segs.allSatisfy { $0.end - $0.start >= 3 })
        XCTAssertEqual(segs.last!.end, 13)
    }

    func testLongShotsAreSplitUnderTheMaximum() {
        let segs = CutSegmenter(minSeconds: 2, maxSeconds: 10).segment(shots([25]))
        XCTAssertGreaterThanOrEqual(segs.count, 3)
        XCTAssertTrue(segs.allSatisfy { $0.end - $0.start <= 10 && $0.end - $0.start >= 2 }, "\(segs.map { ($0.start, $0.end) })")
        XCTAssertEqual(segs.first!.start, 0)
        XCTAssertEqual(segs.last!.end, 25)
        for (a, b) in zip(segs, segs.dropFirst()) { XCTAssertEqual(a.end, b.start) }
    }

    func testACutNextToAStaticShotIsFoundAmongBusyMotion() {
        // Distances as measured on ffmpeg's testsrc | smptebars | mandelbrot (5 s each) with the demo
        // model: the testsrc→smptebars cut (0.117) is below the global threshold the busy shots set
        // (median + 3·MAD ≈ 0.119) but stands far above its neighbours.
        let d: [Double] = [0.01, 0.043, 0.032, 0.007, 0.117, 0, 0, 0, 0, 0.227, 0.034, 0.047, 0.026, 0.025]
        var vectors: [[Float]] = [[1, 0]]
        var angle = 0.0
        for x in d {
            angle += acos(1 - x)                        // consecutive cosine distance x
            vectors.append([Float(cos(angle)), Float(sin(angle))])
        }
        let f = FrameEmbeddings(times: vectors.indices.map(Double.init), vectors: vectors, duration: 15)
        for (got, want) in zip(f.consecutiveDistances(), d) { XCTAssertEqual(got, want, accuracy: 1e-4) }
        XCTAssertEqual(CutSegmenter().segment(f).map(\.start), [0, 5, 10])
        XCTAssertEqual(CutSegmenter(ratio: 1000).segment(f).map(\.start), [0, 10], "without the local test only the big cut")
    }

    func testOneFrameIsOneSegmentOverTheDuration() {
        let f = FrameEmbeddings(times: [0], vectors: [[0, 1]], duration: 0.4)
        let segs = CutSegmenter().segment(f)
        XCTAssertEqual(segs.map(\.frames), [0..<1])
        XCTAssertEqual(segs[0].end, 0.4)
        XCTAssertEqual(CutSegmenter().segment(FrameEmbeddings(times: [], vectors: [], duration: 0)).count, 0)
    }
}

final class MatrixTests: XCTestCase {
    private func randomRows(_ n: Int, dim: Int, seed: UInt64) -> [[Float]] {
        var s = seed
        return (0..<n).map { _ in
            EmbeddingCodec.normalized((0..<dim).map { _ in
                s = s &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int(s >> 41) % 2001 - 1000) / 1000
            })
        }
    }

    private func bruteForce(_ rows: [[Float]], _ q: [Float], k: Int) -> [Int] {
        let scores = rows.map { r in zip(r, q).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
        return scores.indices.sorted { scores[$0] > scores[$1] }.prefix(k).map { $0 }
    }

    func testFloat32TopKMatchesABruteForceRanking() {
        let rows = randomRows(5000, dim: 48, seed: 1), queries = randomRows(5, dim: 48, seed: 2)
        let m = EmbeddingMatrix(dim: 48, format: .float32)
        rows.forEach(m.append)
        for q in queries {
            let got = m.top(q, k: 10)
            XCTAssertEqual(got.map(\.row), bruteForce(rows, q, k: 10))
            let best = zip(rows[got[0].row], q).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(got[0].score, best, accuracy: 1e-5)
        }
    }

    func testFloat16TopKAgreesWithFloat32AndHonoursTheFilter() {
        let rows = randomRows(12_000, dim: 64, seed: 3), queries = randomRows(5, dim: 64, seed: 4)
        let h = EmbeddingMatrix(dim: 64, format: .float16), f = EmbeddingMatrix(dim: 64, format: .float32)
        rows.forEach { h.append($0); f.append($0) }
        var overlap = 0
        for q in queries {
            let a = h.top(q, k: 10), b = f.top(q, k: 10)
            overlap += Set(a.map(\.row)).intersection(b.map(\.row)).count
            for (x, y) in zip(a, b) { XCTAssertEqual(x.score, y.score, accuracy: 2e-3) }
            XCTAssertTrue(h.top(q, k: 10, accept: { $0 % 2 == 0 }).allSatisfy { $0.row % 2 == 0 })
            let even = f.top(q, k: 10, accept: { $0 % 2 == 0 })
            XCTAssertEqual(even.map(\.row), Array(bruteForce(rows, q, k: rows.count).filter { $0 % 2 == 0 }.prefix(10)))
        }
        XCTAssertGreaterThanOrEqual(overlap, 45, "float16 recall@10 over 5 queries")
        XCTAssertEqual(h.row(7), rows[7].map { Float(Float16($0)) })
    }

    func testTopKKeepsTheBestAndBreaksTiesByRow() {
        var t = TopK(k: 3)
        for (i, s) in [0.1, 0.9, 0.5, 0.9, 0.2, 0.7].enumerated() { t.offer(Float(s), i) }
        XCTAssertEqual(t.sorted().map(\.row), [1, 3, 5])
    }
}
