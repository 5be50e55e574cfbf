import Config
import Foundation
import XCTest

final class ConfigTests: XCTestCase {
    func parse(_ text: String, file: String = "/etc/clipdex/test.toml") throws -> ClipdexConfig {
        try ClipdexConfig.parse(text, file: file)
    }

    func assertError(_ text: String, key: String, contains words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text), file: file, line: line) { error in
            guard let e = error as? ConfigError else { return XCTFail("not a ConfigError: \(error)", file: file, line: line) }
            XCTAssertEqual(e.key, key, file: file, line: line)
            for w in words { XCTAssertTrue(e.description.contains(w), "\(e) lacks \(w)", file: file, line: line) }
            XCTAssertTrue(e.description.hasPrefix("/etc/clipdex/test.toml: "), file: file, line: line)
        }
    }

    func testExampleFileParsesToItsDocumentedValues() throws {
        let c = try ClipdexConfig.load(file: repoRoot + "/etc/clipdex.toml")
        XCTAssertEqual(c.store.database, "/var/lib/clipdex/index.sqlite")
        XCTAssertEqual(c.model.path, "/usr/share/clipdex/models/clip-vit-base-patch32")
        XCTAssertNil(c.model.adapter)
        XCTAssertEqual(c.ingest, .init(sampleFPS: 1.0, settleSeconds: 5, threads: 2))
        XCTAssertEqual(c.watch, [.init(path: "/srv/videos", recursive: true,
                                       extensions: ["mp4", "mkv", "mov", "webm", "avi", "m4v"], mode: .auto, pollSeconds: 30)])
        XCTAssertEqual(c.logLevel, "info")
    }

    func testDefaultsAndOptionalKeys() throws {
        let c = try parse("""
            [model]
            adapter = "adapters/a.safetensors"
            [ingest]
            sample_fps = 2
            settle_seconds = 0.5
            [[watch]]
            path = "~/videos"
            extensions = [".MP4", "mkv"]
            mode = "poll"
            poll_seconds = 3
            [[watch]]
            path = "../clips"
            recursive = false
            """)
        XCTAssertEqual(c.store.database, ClipdexConfig.defaultDatabase)
        XCTAssertNil(c.model.path)
        XCTAssertTrue(c.usesDemoModel)
        XCTAssertEqual(c.model.adapter, "/etc/clipdex/adapters/a.safetensors")
        XCTAssertEqual(c.ingest, .init(sampleFPS: 2, settleSeconds: 0.5, threads: 2))
        XCTAssertEqual(c.watch.count, 2)
        XCTAssertEqual(c.watch[0].path, NSHomeDirectory() + "/videos")
        XCTAssertEqual(c.watch[0].extensions, ["mp4", "mkv"])
        XCTAssertEqual(c.watch[0].mode, .poll)
        XCTAssertEqual(c.watch[0].pollSeconds, 3)
        XCTAssertEqual(c.watch[1], .init(path: "/etc/clips", recursive: false))
        XCTAssertTrue(c.watch[0].accepts(fileName: "Holiday.Mp4"))
        XCTAssertFalse(c.watch[0].accepts(fileName: "notes.txt"))
        XCTAssertFalse(c.watch[0].accepts(fileName: "mp4"))
    }

    func testUnknownKeysAndSectionsAreNamed() {
        assertError("[ingest]\nsettle_secs = 5\n", key: "[ingest] settle_secs", contains: ["unknown key", "settle_seconds"])
        assertError("[stores]\ndatabase = \"x\"\n", key: "stores", contains: ["unknown section"])
        assertError("[[watch]]\npath = \"/srv\"\nrecursiv = true\n", key: "[[watch]] #1 recursiv", contains: ["unknown key"])
    }

    func testWrongTypesAndValuesAreNamed() {
        assertError("[ingest]\nsettle_seconds = \"5\"\n", key: "[ingest] settle_seconds", contains: ["expected a number", "string"])
        assertError("[ingest]\nthreads = 1.5\n", key: "[ingest] threads", contains: ["expected an integer"])
        assertError("[ingest]\nthreads = 0\n", key: "[ingest] threads", contains: ["1 or more"])
        assertError("[ingest]\nsample_fps = 0\n", key: "[ingest] sample_fps", contains: ["greater than 0"])
        assertError("[store]\ndatabase = 3\n", key: "[store] database", contains: ["expected a string"])
        assertError("store = 3\n", key: "[store]", contains: ["must be a table"])
        assertError("[[watch]]\npath = \"/srv\"\nrecursive = \"yes\"\n", key: "[[watch]] #1 recursive", contains: ["true or false"])
        assertError("[[watch]]\npath = \"/srv\"\nextensions = [\"mp4\", 3]\n", key: "[[watch]] #1 extensions", contains: ["array of strings"])
        assertError("[[watch]]\npath = \"/srv\"\nmode = \"fast\"\n", key: "[[watch]] #1 mode", contains: ["\"poll\""])
        assertError("[[watch]]\nrecursive = true\n", key: "[[watch]] #1 path", contains: ["missing"])
        assertError("[log]\nlevel = \"loud\"\n", key: "[log] level", contains: ["debug"])
        assertError("[ingest\n", key: "", contains: ["not valid TOML", "line 1"])
    }

    func testValidateNamesMissingFolderAndBadModel() throws {
        let dir = TempDir()
        defer { dir.remove() }
        dir.mkdir("videos")
        dir.mkdir("empty-model")
        let tiny = repoRoot + "/Tests/Fixtures/clip-tiny"
        var c = try parse("""
            [store]
            database = "\(dir.path)/state/index.sqlite"
            [model]
            path = "\(tiny)"
            [[watch]]
            path = "\(dir.path)/videos"
            """)
        XCTAssertNoThrow(try c.validate())

        c.watch.append(.init(path: dir.path + "/missing"))
        XCTAssertThrowsError(try c.validate()) { e in
            XCTAssertEqual((e as? ConfigError)?.key, "[[watch]] #2 path")
            XCTAssertTrue("\(e)".contains(dir.path + "/missing: no such folder"), "\(e)")
        }
        c.watch.removeLast()

        c.model.path = dir.path + "/empty-model"
        XCTAssertThrowsError(try c.validate()) { e in
            XCTAssertEqual((e as? ConfigError)?.key, "[model] path")
            XCTAssertTrue("\(e)".contains("empty-model/config.json: not found"), "\(e)")
        }
        XCTAssertNoThrow(try c.validate(model: false))

        c.model.path = tiny
        c.model.adapter = dir.path + "/nope.safetensors"
        XCTAssertThrowsError(try c.validate()) { e in XCTAssertEqual((e as? ConfigError)?.key, "[model] adapter") }
        c.model.adapter = nil

        c.store.database = dir.write("plain-file") + "/index.sqlite"  // its "folder" is a file
        XCTAssertThrowsError(try c.validate()) { e in XCTAssertEqual((e as? ConfigError)?.key, "[store] database") }

        c.store.database = dir.path + "/index.sqlite"
        c.watch = []
        XCTAssertThrowsError(try c.validate()) { e in XCTAssertEqual((e as? ConfigError)?.key, "[[watch]]") }
    }

    func testMissingFileAndCLIDefault() throws {
        let dir = TempDir()
        defer { dir.remove() }
        XCTAssertThrowsError(try ClipdexConfig.load(file: dir.file("none.toml"))) { e in
            XCTAssertTrue("\(e)".contains("none.toml: not found"), "\(e)")
        }
        XCTAssertEqual(ClipdexConfig.cliDatabase(configFile: dir.file("none.toml")),
                       NSHomeDirectory() + "/.local/share/clipdex/index.sqlite")
        let file = dir.write("c.toml", "[store]\ndatabase = \"db/x.sqlite\"\n")
        XCTAssertEqual(ClipdexConfig.cliDatabase(configFile: file), dir.path + "/db/x.sqlite")
    }
}
