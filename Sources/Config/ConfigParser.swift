import Foundation
import TOMLKit

extension ClipdexConfig {
    /// Reads and parses a config file (no filesystem checks beyond reading it: see `validate()`).
    public static func load(file: String) throws -> ClipdexConfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            let why = FileManager.default.fileExists(atPath: file) ? "cannot be read (check its permissions)"
                : "not found (pass --config FILE, or copy etc/clipdex.toml there)"
            throw ConfigError(file: file, key: "", why)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, key: "", "is not UTF-8 text")
        }
        return try parse(text, file: file)
    }

    /// Parses TOML text. Unknown sections or keys and wrong types are errors naming the key.
    public static func parse(_ text: String, file: String) throws -> ClipdexConfig {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError(file: file, key: "", "not valid TOML: \(e.description) (\(e.source))")
        }
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let base = (absolute as NSString).deletingLastPathComponent
        let r = TableReader(table: table, name: "", file: file, base: base)
        try r.allow(["store", "model", "ingest", "watch", "log"], what: "section")
        var config = ClipdexConfig(file: file)

        if let s = try r.section("store") {
            try s.allow(["database"])
            if let db = try s.path("database") { config.store.database = db }
        }
        if let m = try r.section("model") {
            try m.allow(["path", "adapter"])
            config.model = Model(path: try m.path("path"), adapter: try m.path("adapter"))
        }
        if let i = try r.section("ingest") {
            try i.allow(["sample_fps", "settle_seconds", "threads"])
            if let v = try i.number("sample_fps", positive: true) { config.ingest.sampleFPS = v }
            if let v = try i.number("settle_seconds", positive: false) { config.ingest.settleSeconds = v }
            if let v = try i.integer("threads", min: 1) { config.ingest.threads = v }
        }
        if let l = try r.section("log") {
            try l.allow(["level"])
            if let v = try l.string("level") {
                guard logLevels.contains(v) else { throw l.error("level", "must be one of \(logLevels.joined(separator: ", "))") }
                config.logLevel = v
            }
        }
        config.watch = try r.watchRoots()
        return config
    }
}

/// Reads one TOML table strictly: every key must be known and of the right type.
struct TableReader {
    let table: TOMLTable
    /// How the table is named in messages: `[ingest]`, `[[watch]] #2`, or empty for the top level.
    let name: String
    let file: String
    let base: String

    func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, key: name.isEmpty ? key : "\(name) \(key)", message)
    }

    func allow(_ keys: [String], what: String = "key") throws {
        for key in table.keys where !keys.contains(key) {
            throw error(key, "unknown \(what) (known: \(keys.joined(separator: ", ")))")
        }
    }

    func section(_ key: String) throws -> TableReader? {
        guard let value = table[key] else { return nil }
        guard let t = value.table else { throw ConfigError(file: file, key: "[\(key)]", "must be a table, found \(value.type)") }
        return TableReader(table: t, name: "[\(key)]", file: file, base: base)
    }

    func string(_ key: String) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else { throw error(key, "expected a string, found \(value.type)") }
        return s
    }

    /// A string holding a path: `~` expanded, relative paths taken from the config file's folder.
    func path(_ key: String) throws -> String? {
        guard let s = try string(key) else { return nil }
        guard !s.isEmpty else { throw error(key, "must not be empty") }
        let expanded = (s as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        return ((base as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = table[key] else { return nil }
        guard let b = value.bool else { throw error(key, "expected true or false, found \(value.type)") }
        return b
    }

    /// An integer or float; `positive` demands > 0, otherwise ≥ 0.
    func number(_ key: String, positive: Bool) throws -> Double? {
        guard let value = table[key] else { return nil }
        guard let v = value.double ?? value.int.map(Double.init) else {
            throw error(key, "expected a number, found \(value.type)")
        }
        guard v.isFinite, positive ? v > 0 : v >= 0 else {
            throw error(key, "must be \(positive ? "greater than 0" : "0 or more"), found \(v)")
        }
        return v
    }

    func integer(_ key: String, min: Int) throws -> Int? {
        guard let value = table[key] else { return nil }
        guard let v = value.int else { throw error(key, "expected an integer, found \(value.type)") }
        guard v >= min else { throw error(key, "must be \(min) or more, found \(v)") }
        return v
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = table[key] else { return nil }
        guard let a = value.array else { throw error(key, "expected an array of strings, found \(value.type)") }
        return try a.map { item in
            guard let s = item.string else { throw error(key, "expected an array of strings, found a \(item.type) in it") }
            return s
        }
    }

    /// The `[[watch]]` array of tables.
    func watchRoots() throws -> [ClipdexConfig.WatchRoot] {
        guard let value = table["watch"] else { return [] }
        guard let array = value.array else {
            throw ConfigError(file: file, key: "[[watch]]", "must be an array of tables ([[watch]] entries), found \(value.type)")
        }
        return try array.enumerated().map { n, item in
            guard let t = item.table else {
                throw ConfigError(file: file, key: "[[watch]] #\(n + 1)", "must be a table, found \(item.type)")
            }
            return try TableReader(table: t, name: "[[watch]] #\(n + 1)", file: file, base: base).watchRoot()
        }
    }

    func watchRoot() throws -> ClipdexConfig.WatchRoot {
        try allow(["path", "recursive", "extensions", "mode", "poll_seconds"])
        guard let path = try path("path") else { throw error("path", "missing: name the folder to watch") }
        var exts = ClipdexConfig.defaultExtensions
        if let list = try strings("extensions") {
            exts = list.map { ($0.hasPrefix(".") ? String($0.dropFirst()) : $0).lowercased() }
            guard !exts.isEmpty, !exts.contains("") else { throw error("extensions", "must list at least one non-empty extension") }
        }
        var mode = ClipdexConfig.WatchMode.auto
        if let m = try string("mode") {
            guard let parsed = ClipdexConfig.WatchMode(rawValue: m) else {
                throw error("mode", "must be \"auto\", \"inotify\" or \"poll\", found \"\(m)\"")
            }
            mode = parsed
        }
        return ClipdexConfig.WatchRoot(path: path, recursive: try bool("recursive") ?? true, extensions: exts, mode: mode,
                                       pollSeconds: try number("poll_seconds", positive: true) ?? ClipdexConfig.defaultPollSeconds)
    }
}
