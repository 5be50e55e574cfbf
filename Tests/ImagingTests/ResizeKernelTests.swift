import Imaging
import XCTest

/// The bicubic resize on small synthetic images whose results are worked out by hand from Pillow's
/// algorithm (kernel a = −0.5; taps, weights and rounding as in Resample.c), plus structural properties.
final class ResizeKernelTests: XCTestCase {
    /// A one-row image whose three channels all hold `values`.
    func row(_ values: [UInt8]) -> RGBImage {
        RGBImage(width: values.count, height: 1, pixels: values.flatMap { [$0, $0, $0] })
    }

    func channel(_ image: RGBImage, _ c: Int) -> [UInt8] { stride(from: c, to: image.pixels.count, by: 3).map { image.pixels[$0] } }

    /// 4 → 2: scale 2, support 4. Output 0 (centre 1.0) reads x = 0…3 at (x − 0.5)/2 = −¼, ¼, ¾, 1¼,
    /// kernel 111/128, 111/128, 29/128, −9/128, normalised by 242/128:
    /// (111·10 + 111·20 + 29·30 − 9·40)/242 = 3840/242 = 15.87 → 16. Output 1 mirrors: 8260/242 = 34.13 → 34.
    func testShrinkingByTwoStretchesTheKernel() {
        let out = resizeBicubic(row([10, 20, 30, 40]), width: 2, height: 1)
        for c in 0..<3 { XCTAssertEqual(channel(out, c), [16, 34]) }
    }

    /// 2 → 4: scale ½, support 2. Centres 0.25, 0.75, 1.25, 1.75 give weight pairs (111, −9)/102,
    /// (111, 29)/140, (29, 111)/140, (−9, 111)/102 over (p0, p1) = (100, 200):
    /// 91.18 → 91, 120.71 → 121, 179.29 → 179, 208.82 → 209 (the kernel overshoots).
    func testEnlargingUsesTheUnstretchedKernel() {
        let out = resizeBicubic(row([100, 200]), width: 4, height: 1)
        for c in 0..<3 { XCTAssertEqual(channel(out, c), [91, 121, 179, 209]) }
    }

    /// (0, 255) → 4: the negative lobe gives −9·255/102 < 0 → 0 and 111·255/102 = 277.5 → 255 (clamped);
    /// the middle ones 29·255/140 = 52.8 → 53 and 111·255/140 = 202.2 → 202.
    func testOvershootIsClampedToBytes() {
        let out = resizeBicubic(row([0, 255]), width: 4, height: 1)
        XCTAssertEqual(channel(out, 0), [0, 53, 202, 255])
    }

    /// The vertical pass uses the same taps: a one-column image transposes the 4 → 2 case.
    func testVerticalPassMatchesHorizontalOnAColumn() {
        let column = RGBImage(width: 1, height: 4, pixels: [10, 20, 30, 40].flatMap { [$0, $0, $0] })
        let out = resizeBicubic(column, width: 1, height: 2)
        XCTAssertEqual(channel(out, 1), [16, 34])
    }

    func testConstantImagesStayConstant() {
        for (w, h, tw, th) in [(37, 23, 10, 7), (10, 7, 37, 23), (640, 360, 398, 224), (5, 5, 5, 9), (300, 500, 224, 373)] {
            let value: UInt8 = 173
            let image = RGBImage(width: w, height: h, pixels: [UInt8](repeating: value, count: w * h * 3))
            let out = resizeBicubic(image, width: tw, height: th)
            XCTAssertEqual(out.width, tw)
            XCTAssertEqual(out.height, th)
            XCTAssertTrue(out.pixels.allSatisfy { $0 == value }, "\(w)×\(h) → \(tw)×\(th)")
        }
    }

    func testSameSizeIsTheIdentity() {
        let image = noiseImage(width: 31, height: 17, seed: 7)
        XCTAssertEqual(resizeBicubic(image, width: 31, height: 17).pixels, image.pixels)
    }

    /// Channels never mix: each channel of an RGB resize equals the resize of a grey image of it.
    func testChannelsAreIndependent() {
        let image = noiseImage(width: 50, height: 30, seed: 3)
        let out = resizeBicubic(image, width: 21, height: 44)
        for c in 0..<3 {
            let grey = channel(image, c).flatMap { [$0, $0, $0] }
            let single = resizeBicubic(RGBImage(width: 50, height: 30, pixels: grey), width: 21, height: 44)
            XCTAssertEqual(channel(single, 0), channel(out, c))
        }
    }

    /// Computing only a window gives the same bytes as resizing fully and cropping.
    func testWindowEqualsResizeThenCrop() {
        let image = noiseImage(width: 97, height: 61, seed: 11)
        for (tw, th, cols, rows) in [(40, 25, 5..<33, 2..<20), (150, 90, 0..<150, 40..<41), (97, 30, 10..<60, 0..<30)] {
            let full = resizeBicubic(image, width: tw, height: th)
            let window = Resampler(sourceWidth: 97, sourceHeight: 61, targetWidth: tw, targetHeight: th,
                                   columns: cols, rows: rows).resample(image)
            var cropped: [UInt8] = []
            for y in rows { cropped += full.pixels[(y * tw + cols.lowerBound) * 3 ..< (y * tw + cols.upperBound) * 3] }
            XCTAssertEqual(window.pixels, cropped, "\(tw)×\(th) window \(cols) \(rows)")
        }
    }

    /// Padded source rows (a decoder's linesize) give the same result as packed ones.
    func testRowStrideIsHonoured() {
        let image = noiseImage(width: 45, height: 20, seed: 5)
        var padded: [UInt8] = []
        for y in 0..<20 {
            padded += image.pixels[y * 135 ..< (y + 1) * 135]
            padded += [UInt8](repeating: 99, count: 17)
        }
        let resampler = Resampler(sourceWidth: 45, sourceHeight: 20, targetWidth: 16, targetHeight: 9)
        var out = [UInt8](repeating: 0, count: 16 * 9 * 3)
        padded.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { resampler.resample(pixels: src.baseAddress!, rowBytes: 152, into: $0.baseAddress!, outputRowBytes: 48) }
        }
        XCTAssertEqual(out, resampler.resample(image).pixels)
    }

    func testShorterSideTargetTruncatesLikePython() {
        XCTAssertTrue(shorterSideTarget(width: 1280, height: 720, size: 224) == (398, 224))  // 398.22
        XCTAssertTrue(shorterSideTarget(width: 300, height: 500, size: 224) == (224, 373))   // 373.33
        XCTAssertTrue(shorterSideTarget(width: 100, height: 100, size: 224) == (224, 224))
        XCTAssertEqual(resizeShorterSide(noiseImage(width: 30, height: 20, seed: 1), to: 10).width, 15)
    }

    func testCenterCropOffsetRoundsHalfToEven() {
        XCTAssertEqual(centerCropOffset(length: 398, crop: 224), 87)
        XCTAssertEqual(centerCropOffset(length: 373, crop: 224), 74)  // 74.5 → 74
        XCTAssertEqual(centerCropOffset(length: 375, crop: 224), 76)  // 75.5 → 76
        XCTAssertEqual(centerCropOffset(length: 224, crop: 224), 0)
    }
}
