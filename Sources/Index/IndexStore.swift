import Foundation
import GRDB

/// The SQLite index: one writer and many readers over WAL (a `DatabasePool`), so the CLI reads
/// while ingest writes, never seeing half a video and never failing with "database is locked"
/// (writers wait up to `busyTimeout`). Safe to share across threads.
public final class IndexStore: Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// How long a write waits for another process's write to finish before failing.
    public static let busyTimeout: TimeInterval = 30

    /// Opens the index at `path`. With `create`, a missing file (and its folder) is created;
    /// without it, a missing file is `IndexError.noIndex`. A file that is not a clipdex index
    /// (not SQLite, or SQLite of another program) is refused with `IndexError.notAnIndex`.
    public init(path: String, create: Bool) throws {
        let path = (path as NSString).expandingTildeInPath
        self.path = path
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw IndexError.notAnIndex(path, "it is a directory") }
            guard fm.isReadableFile(atPath: path) else { throw IndexError.unreadable(path, "permission denied") }
        } else {
            guard create else { throw IndexError.noIndex(path) }
            let dir = (path as NSString).deletingLastPathComponent
            do { try fm.createDirectory(atPath: dir.isEmpty ? "." : dir, withIntermediateDirectories: true) } catch {
                throw IndexError.database(path, "cannot create its folder: \(error.localizedDescription)")
            }
        }
        var config = Configuration()
        config.busyMode = .timeout(Self.busyTimeout)
        config.maximumReaderCount = 4
        // In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits only.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let e as DatabaseError where e.resultCode == .SQLITE_NOTADB {
            throw IndexError.notAnIndex(path, "not an SQLite database")
        } catch {
            throw IndexError.database(path, "cannot open: \(error)")
        }
        try migrate()
    }

    /// Brings the schema forward; a database of another program (tables but no migration log) is refused.
    private func migrate() throws {
        let migrator = Schema.migrator
        do {
            let (done, foreign) = try pool.read { db -> (Bool, Bool) in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                let foreign = !tables.isEmpty && !tables.contains("grdb_migrations")
                return (try migrator.hasCompletedMigrations(db), foreign)
            }
            if foreign { throw IndexError.notAnIndex(path, "an SQLite database of another program") }
            if !done { try migrator.migrate(pool) }
        } catch let e as IndexError { throw e } catch let e as DatabaseError where e.resultCode == .SQLITE_NOTADB {
            throw IndexError.notAnIndex(path, "not an SQLite database")
        } catch {
            throw IndexError.database(path, "cannot read the schema: \(error)")
        }
    }

    /// Runs a read, mapping SQLite errors to `IndexError.database` naming the file.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let e as IndexError { throw e } catch {
            throw IndexError.database(path, "read failed: \(error)")
        }
    }

    /// Runs a write transaction (all or nothing), mapping SQLite errors to `IndexError.database`.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let e as IndexError { throw e } catch {
            throw IndexError.database(path, "write failed: \(error)")
        }
    }
}

// MARK: - Models

extension IndexStore {
    /// The model's row, added when new. The directory is refreshed so `search` finds the weights.
    @discardableResult
    public func registerModel(identity: String, dim: Int, imageSize: Int, directory: String) throws -> ModelRecord {
        try write { db in
            try db.execute(sql: """
                INSERT INTO models (identity, dim, image_size, directory, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (identity) DO UPDATE SET directory = excluded.directory
                  WHERE excluded.directory <> '' AND excluded.directory <> models.directory
                """, arguments: [identity, dim, imageSize, directory, Date().timeIntervalSince1970])
            return try ModelRecord(row: Row.fetchOne(db, sql: "SELECT * FROM models WHERE identity = ?", arguments: [identity])!)
        }
    }

    /// All models, the most used (by indexed videos) first.
    public func models() throws -> [ModelRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.* FROM models m LEFT JOIN videos v ON v.model_id = m.id AND v.status = 'indexed'
                GROUP BY m.id ORDER BY COUNT(v.id) DESC, m.id DESC
                """).map(ModelRecord.init)
        }
    }

    /// The model the index was built with: the one most indexed videos use.
    public func primaryModel() throws -> ModelRecord? { try models().first }
}
