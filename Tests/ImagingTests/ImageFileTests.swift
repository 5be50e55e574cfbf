import Foundation
import Imaging
import Media
import XCTest

/// Image files through FFmpeg, against independently parsed PPM/PGM files and libjpeg's decodes.
final class ImageFileTests: XCTestCase {
    func image(_ name: String) throws -> RGBImage { try ImageFile.load(Fixtures.path("images", name)) }

    func testLosslessFormatsDecodeExactly() throws {
        let truth = try readNetpbm(Fixtures.path("images", "colors.ppm"))
        for name in ["colors.png", "colors.bmp", "colors-rgba.png", "colors-lossless.webp", "colors.ppm"] {
            let got = try image(name)
            XCTAssertEqual(got.width, 128, name)
            XCTAssertEqual(got.height, 72, name)
            XCTAssertEqual(got.pixels, truth.pixels, name)
        }
    }

    /// Grey is full range: each byte is copied to R, G and B unchanged.
    func testGreyIsReplicatedAtFullRange() throws {
        XCTAssertEqual(try image("gray.png").pixels, try readNetpbm(Fixtures.path("images", "gray.pgm")).pixels)
    }

    /// JPEG is BT.601 full range with centred chroma; 4:2:0 chroma must be interpolated in both directions
    /// as libjpeg does (repeating chroma rows instead is off by up to ~80 levels at colour edges).
    func testJPEGMatchesLibjpeg() throws {
        for sub in ["420", "444"] {
            let got = try image("colors-\(sub).jpg")
            let want = try readNetpbm(Fixtures.path("images", "colors-\(sub).libjpeg.ppm"))
            XCTAssertEqual(got.pixels.count, want.pixels.count)
            let diffs = zip(got.pixels, want.pixels).map { abs(Int($0) - Int($1)) }
            let mean = Double(diffs.reduce(0, +)) / Double(diffs.count)
            XCTAssertLessThanOrEqual(diffs.max()!, 4, "\(sub): IDCTs differ by a few levels at most")
            XCTAssertLessThanOrEqual(mean, 0.2, sub)
        }
    }

    func testMissingFileIsNamed() {
        let path = Fixtures.path("images", "no-such-file.png")
        XCTAssertThrowsError(try ImageFile.load(path)) { error in
            XCTAssertEqual(error as? ImageFileError, .missing(path: path))
            XCTAssertTrue("\(error)".contains(path))
        }
        XCTAssertThrowsError(try ImageFile.load(Fixtures.path("images"))) { error in
            guard case .missing = error as? ImageFileError else { return XCTFail("directory: \(error)") }
        }
    }

    func testNonImagesAreRejected() throws {
        for name in ["clip.mp4", "words.nfo"] {
            XCTAssertThrowsError(try image(name)) { error in
                guard case .notAnImage(let path, _) = error as? ImageFileError else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue(path.hasSuffix(name))
                XCTAssertTrue("\(error)".contains(name))
            }
        }
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("clipdex-junk-\(getpid()).bin").path
        try Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }).write(to: URL(fileURLWithPath: junk))
        defer { try? FileManager.default.removeItem(atPath: junk) }
        XCTAssertThrowsError(try ImageFile.load(junk)) { error in
            XCTAssertNotNil(error as? ImageFileError)
            XCTAssertTrue("\(error)".contains(junk))
        }
    }

    func testTruncatedJPEGIsAnError() {
        XCTAssertThrowsError(try image("truncated.jpg")) { error in
            guard case .undecodable(let path, _) = error as? ImageFileError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("truncated.jpg"))
        }
    }
}
