import CLIP
import Foundation
import XCTest

/// The tokenizer against OpenAI's reference `simple_tokenizer` (ftfy 6.3.1, the `regex` module):
/// every case of Tests/Fixtures/tokenizer/cases.json, the captions of the clip-tiny reference,
/// and reference outputs for the cleanup steps and the special cases of the split.
final class TokenizerTests: XCTestCase {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let ids_77: [Int]
    }

    static let cases: [Case] = {
        struct File: Decodable { let cases: [Case] }
        let data = FileManager.default.contents(atPath: Fixtures.path("tokenizer", "cases.json"))!
        return try! JSONDecoder().decode(File.self, from: data).cases
    }()

    func testEveryFixtureCaseMatchesTheReference() throws {
        let tokenizer = try Tokenizer.bundled()
        XCTAssertEqual(Self.cases.count, 30)
        for c in Self.cases {
            XCTAssertEqual(tokenizer.encode(c.text), c.ids_77, "encode(\(c.text.debugDescription))")
            let full = [Tokenizer.startToken] + tokenizer.tokenIDs(c.text) + [Tokenizer.endToken]
            XCTAssertEqual(full, c.ids, "uncut ids of \(c.text.debugDescription)")
        }
    }

    func testCLIPTinyReferenceCaptions() throws {
        struct Reference: Decodable { let captions: [String]; let token_ids: [[Int]] }
        let data = try XCTUnwrap(FileManager.default.contents(atPath: Fixtures.path("clip-tiny", "reference.json")))
        let reference = try JSONDecoder().decode(Reference.self, from: data)
        XCTAssertEqual(reference.captions.count, reference.token_ids.count)
        let tokenizer = try Tokenizer.bundled()
        for (caption, ids) in zip(reference.captions, reference.token_ids) {
            XCTAssertEqual(tokenizer.encode(caption), ids, caption)
        }
    }

    func testMergesFileGivenByPathMatchesTheBundledOne() throws {
        let fromFile = try Tokenizer(mergesPath: Fixtures.path("tokenizer", "bpe_simple_vocab_16e6.txt.gz"))
        for c in Self.cases { XCTAssertEqual(fromFile.encode(c.text), c.ids_77, c.text) }
        XCTAssertEqual(Tokenizer.vocabularySize, 49408)
    }

    func testLongTextIsCutWithTheEndTokenLast() throws {
        let tokenizer = try Tokenizer.bundled()
        let text = Array(repeating: "a photo of a dog pulling a sled", count: 20).joined(separator: " ")
        let full = tokenizer.tokenIDs(text)
        XCTAssertGreaterThan(full.count, 100)
        let cut = tokenizer.encode(text)
        XCTAssertEqual(cut.count, Tokenizer.contextLength)
        XCTAssertEqual(cut, [Tokenizer.startToken] + full.prefix(75) + [Tokenizer.endToken])
        XCTAssertEqual(tokenizer.encode(""), [Tokenizer.startToken, Tokenizer.endToken])
    }

    /// (what, input, the reference's cleaned text: ftfy.fix_text, html.unescape twice, whitespace
    /// collapsed, stripped, lower-cased), produced with ftfy 6.3.1.
    static let cleanups: [(String, String, String)] = [
        ("ligatures", "\u{FB02}u\u{FB03}e\u{FB06} \u{133}s \u{1C4}emal", "fluffiest ijs d\u{17E}emal"),
        ("full and half width", "\u{FF2C}\u{FF2F}\u{FF35}\u{FF24}\u{3000}\u{FF2E}\u{FF2F}\u{FF29}\u{FF33}\u{FF25}\u{FF33} \u{FF76}\u{FF80}\u{FF76}\u{FF85}", "loud noises \u{30AB}\u{30BF}\u{30AB}\u{30CA}"),
        ("byte-order mark", "\u{FEFF}Where do you want to go today?", "where do you want to go today?"),
        ("curly quotes", "\u{201C}here\u{2019}s a test\u{201D} \u{2018}single\u{2019}", "\"here's a test\" 'single'"),
        ("upper-case entities", "P&EACUTE;REZ BUNDESSTRA&SZLIG;E &ntilde; &NTILDE; &nTILDE;", "p\u{E9}rez bundesstrasse \u{F1} \u{F1} &ntilde;"),
        ("lenient references", "&amp &lt3 &notit; &copy2024 &#65;&#x42;&#128;&#0;", "& <3 \u{AC}it; \u{A9}2024 ab\u{20AC}\u{FFFD}"),
        ("double escaping", "&amp;lt;b&amp;gt; double", "<b> double"),
        ("markup turns ftfy's unescape off", "<b>&EACUTE;</b> &eacute;", "<b>&eacute;</b> \u{E9}"),
        ("for the following lines too", "first line <tag>\u{A}second &EACUTE; line", "first line <tag> second &eacute; line"),
        ("A0 that became a space", "voil\u{C3} le travail", "voil\u{E0} le travail"),
        ("lossy Windows-1252", "\u{E2}\u{20AC}\u{153} like this \u{E2}\u{20AC}\u{FFFD}", "\" like this \u{FFFD}"),
        ("mojibake inside other text", "\u{4E2D}\u{6587} caf\u{C3}\u{A9} cr\u{C3}\u{A8}me", "\u{4E2D}\u{6587} caf\u{E9} cr\u{E8}me"),
        ("Latin-1 mojibake", "s\u{C3}\u{B3} \u{C3}\u{A0} \u{C3}\u{A9}", "s\u{F3} \u{E0} \u{E9}"),
        ("Cyrillic via Windows-1252", "\u{D0}\u{BF}\u{D1}\u{20AC}\u{D0}\u{B8}\u{D0}\u{B2}\u{D0}\u{B5}\u{D1}\u{201A} \u{D0}\u{BC}\u{D0}\u{B8}\u{D1}\u{20AC}", "\u{43F}\u{440}\u{438}\u{432}\u{435}\u{442} \u{43C}\u{438}\u{440}"),
        ("C1 control as Windows-1252", "This text was never UTF-8 at all\u{85}", "this text was never utf-8 at all\u{2026}"),
        ("terminal escapes", "\u{1B}[36;44mI'm blue, da ba dee\u{1B}[0m", "i'm blue, da ba dee"),
        ("final sigma", "\u{3A3}\u{391}\u{3A3} \u{38C}\u{3A3}\u{39F}\u{3A3}. \u{3A3}", "\u{3C3}\u{3B1}\u{3C2} \u{3CC}\u{3C3}\u{3BF}\u{3C2}. \u{3C3}"),
        ("NFC", "e\u{301}te\u{301} \u{AC00}\u{11A8} \u{3A9}\u{301} \u{212A} \u{212B}", "\u{E9}t\u{E9} \u{AC01} \u{3CE} k \u{E5}"),
        ("line breaks", "line\u{D}\u{A}break\u{D}and\u{2028}more\u{2029}", "line break and more"),
        ("control characters", "\u{0}\u{7}ctrl\u{7F}\u{206A}\u{FFFC}", "ctrl"),
        ("ftfy's shrug", "\u{AF}\\_(\u{E3}\u{83}\u{84})_/\u{AF}", "\u{AF}\\_(\u{30C4})_/\u{AF}"),
        ("ftfy's example", "Broken text&hellip; it&#x2019;s \u{FB02}ubberi\u{FB01}c!", "broken text\u{2026} it's flubberific!"),
        ("full lower-case mapping", "l\u{130}stanbul", "li\u{307}stanbul"),
    ]

    func testCleanupMatchesFtfyAndCLIPsBasicClean() {
        for (what, input, expected) in Self.cleanups {
            let got = Tokenizer.cleanText(input)
            XCTAssertEqual(Array(got.unicodeScalars), Array(expected.unicodeScalars), "\(what): \(input.debugDescription) gave \(got.debugDescription)")
        }
    }

    /// Special tokens written in the text, contractions under case folding, U+0345 (matched by no
    /// alternative of the split pattern), Greek: the reference's ids.
    static let splitCases: [(String, [Int])] = [
        ("<|endoftext|>", [49406, 49407, 49407]),
        ("a <|startoftext|>b", [49406, 320, 49406, 321, 49407]),
        ("it'\u{17F} ok", [49406, 585, 6, 129, 379, 2481, 49407]),
        ("a\u{345}b", [49406, 320, 321, 49407]),
        ("\u{1FBC} \u{1FB3}", [49406, 157, 122, 367, 157, 122, 367, 49407]),
        ("\u{3A3}\u{391}\u{3A3}", [49406, 139, 225, 138, 109, 139, 480, 49407]),
    ]

    func testSplitEdgeCasesMatchTheReference() throws {
        let tokenizer = try Tokenizer.bundled()
        for (text, ids) in Self.splitCases { XCTAssertEqual(tokenizer.encode(text), ids, text.debugDescription) }
    }

    func testConcurrentEncodingSharesTheCacheSafely() throws {
        let tokenizer = try Tokenizer(mergesPath: Fixtures.path("tokenizer", "bpe_simple_vocab_16e6.txt.gz"))
        let cases = Self.cases
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<20 {
                let c = cases[(worker * 7 + round) % cases.count]
                if tokenizer.encode(c.text) != c.ids_77 { failures.increment() }
            }
        }
        XCTAssertEqual(failures.value, 0)
    }

    func testMissingMergesFileIsNamedInTheError() {
        let path = NSTemporaryDirectory() + "no-such-dir-\(UUID())/bpe.txt.gz"
        XCTAssertThrowsError(try Tokenizer(mergesPath: path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    func testShortOrCorruptMergesFilesAreRejected() throws {
        let dir = NSTemporaryDirectory() + "tokenizer-tests-\(UUID())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let short = dir + "/short.txt", corrupt = dir + "/corrupt.txt.gz"
        try Data("#version: 0.2\ni n\nt h\n".utf8).write(to: URL(fileURLWithPath: short))
        try Data([0x1F, 0x8B, 0x08, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x03, 0x01, 0x02]).write(to: URL(fileURLWithPath: corrupt))
        XCTAssertThrowsError(try Tokenizer(mergesPath: short)) { error in
            XCTAssertTrue("\(error)".contains("holds 2 merges"), "\(error)")
        }
        XCTAssertThrowsError(try Tokenizer(mergesPath: corrupt)) { error in
            XCTAssertTrue("\(error)".contains("not a readable gzip file"), "\(error)")
        }
    }
}

/// A counter several threads can bump.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
