@testable import Media
import XCTest

/// The target arithmetic and the nearest-frame choice, on plain numbers.
final class FrameSelectorTests: XCTestCase {
    private func pick(_ times: [Double], _ targets: TargetTimes, end: Double? = nil) -> [(target: Int, time: Double)] {
        var selector = FrameSelector<Int>(targets: targets)
        var out: [(Int, Double)] = []
        for (i, t) in times.enumerated() { out += selector.offer(time: t, i).map { ($0.target, $0.time) } }
        out += selector.finish(end: end).map { ($0.target, $0.time) }
        return out
    }

    func testTargetsOfEachPlan() {
        XCTAssertEqual(TargetTimes.plan(.fps(2), duration: 4), TargetTimes(start: 0, step: 0.5, count: 8))
        XCTAssertEqual(TargetTimes.plan(.fps(2), duration: 4.1)?.count, 9)
        XCTAssertEqual(TargetTimes.plan(.fps(1), duration: nil), TargetTimes(start: 0, step: 1, count: nil))
        XCTAssertEqual(TargetTimes.plan(.count(4, range: 2...4), duration: 10), TargetTimes(start: 2.25, step: 0.5, count: 4))
        XCTAssertEqual(TargetTimes.plan(.count(2), duration: 3), TargetTimes(start: 0.75, step: 1.5, count: 2))
        XCTAssertNil(TargetTimes.plan(.keyframes, duration: 3))
    }

    func testNearestFrameWinsTiesGoToTheLater() {
        let frames = stride(from: 0.0, to: 3, by: 0.4).map { $0 }     // 0, .4, .8, 1.2, ... 2.8
        let got = pick(frames, TargetTimes(start: 0, step: 1, count: 3))
        XCTAssertEqual(got.map(\.time), [0, 0.8, 2.0])
        let tie = pick([0, 0.4, 0.6, 1.0], TargetTimes(start: 0.5, step: 10, count: 1))
        XCTAssertEqual(tie.map(\.time), [0.6])
    }

    func testAFrameNeverServesTwoTargets() {
        // One frame per second sampled at 4 per second: each frame once, for the first target it is
        // nearest to (at 0.5 s the tie between frames 0 and 1 goes to the later frame).
        let got = pick([0, 1, 2], TargetTimes(start: 0, step: 0.25, count: 12))
        XCTAssertEqual(got.map(\.time), [0, 1, 2])
        XCTAssertEqual(got.map(\.target), [0, 2, 6])
    }

    func testGapsInVariableFrameRate() {
        let got = pick([0, 0.1, 2.9, 3.0], TargetTimes(start: 0, step: 1, count: 4))
        XCTAssertEqual(got.map(\.time), [0, 0.1, 2.9, 3.0])
        XCTAssertEqual(got.map(\.target), [0, 1, 2, 3])
    }

    func testTheLastFrameServesOnlyATargetJustAfterIt() {
        XCTAssertEqual(pick([0, 0.5, 1.0], TargetTimes(start: 0, step: 0.4, count: 4), end: 1.3).map(\.time), [0, 0.5, 1.0])
        // Truncated: targets long after the last frame get nothing.
        XCTAssertEqual(pick([0, 0.4], TargetTimes(start: 0, step: 1, count: 4), end: 4).map(\.time), [0])
        XCTAssertEqual(pick([0, 0.5], TargetTimes(start: 0, step: 1, count: 4), end: 4).map(\.time), [0, 0.5], "half a step is near")
        XCTAssertEqual(pick([0, 0.9], TargetTimes(start: 0, step: 1, count: 4), end: 4).map(\.time), [0, 0.9])
    }

    func testFramesGoingBackwardsAreIgnored() {
        XCTAssertEqual(pick([0, 1, 0.5, 2], TargetTimes(start: 0, step: 1, count: 3)).map(\.time), [0, 1, 2])
    }

    /// Only the last frame before a target and the first at or after it are needed, whatever the
    /// decode order; a frame exactly on the target makes its neighbours unnecessary.
    func testLookaheadKnowsWhichFramesCanBeNearest() {
        let lookahead = PacketLookahead()
        let scratch = PacketBox()
        for t in [0.0, 0.12, 0.04, 0.08, 0.24, 0.16, 0.20] { lookahead.push(moving: scratch.packet, time: t) }
        let between = TargetTimes(start: 0.1, step: 1, count: 1)
        XCTAssertEqual([0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.24].map { lookahead.isNeighbourOfATarget($0, between) },
                       [false, false, true, true, false, false, false])
        let onFrame = TargetTimes(start: 0.08, step: 1, count: 1)
        XCTAssertEqual([0.04, 0.08, 0.12].map { lookahead.isNeighbourOfATarget($0, onFrame) }, [false, true, false])
        let dense = TargetTimes(start: 0, step: 0.01, count: 30)
        XCTAssertTrue([0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.24].allSatisfy { lookahead.isNeighbourOfATarget($0, dense) })
        XCTAssertEqual(lookahead.count, 7)
        lookahead.clear()
        XCTAssertEqual(lookahead.count, 0)
        XCTAssertTrue(lookahead.isNeighbourOfATarget(5, between), "knowing no neighbours, decode")
        for t in [5.0, 6.0] { lookahead.push(moving: scratch.packet, time: t) }
        XCTAssertFalse(lookahead.isNeighbourOfATarget(6, between), "well after the last target")
    }
}
