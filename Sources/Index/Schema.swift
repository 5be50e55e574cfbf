import GRDB

/// The index's schema, as migrations from the first version on: a database made by any earlier
/// clipdex is brought forward on open, never rebuilt.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in try createV1(db) }
        m.registerMigration("v2") { db in try addAdapters(db) }
        return m
    }

    /// Tables of version 1. Times are seconds (REAL); embeddings are float16/float32 BLOBs stamped
    /// with the model that made them (`model_id`), so vectors of two models are never compared.
    private static func createV1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE models (
              id INTEGER PRIMARY KEY,
              identity TEXT NOT NULL UNIQUE,      -- fingerprint of the weights
              dim INTEGER NOT NULL,               -- embedding width
              image_size INTEGER NOT NULL,
              directory TEXT NOT NULL,            -- where the weights were read from
              created_at REAL NOT NULL
            );
            CREATE TABLE videos (
              id INTEGER PRIMARY KEY,
              path TEXT NOT NULL UNIQUE,
              device INTEGER, inode INTEGER,
              size INTEGER, mtime_ns INTEGER,
              fingerprint TEXT,                   -- hash of size, head, middle and tail bytes
              duration REAL, width INTEGER, height INTEGER, codec TEXT,
              status TEXT NOT NULL CHECK (status IN ('indexed', 'failed')),
              error TEXT,
              model_id INTEGER REFERENCES models(id),
              frame_count INTEGER NOT NULL DEFAULT 0,
              fps REAL,
              indexed_at REAL NOT NULL
            );
            CREATE TABLE frames (
              video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
              model_id INTEGER NOT NULL REFERENCES models(id),
              time REAL NOT NULL,
              embedding BLOB NOT NULL,
              PRIMARY KEY (video_id, time)
            ) WITHOUT ROWID;
            CREATE TABLE segments (
              id INTEGER PRIMARY KEY,
              video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
              model_id INTEGER NOT NULL REFERENCES models(id),
              start REAL NOT NULL, "end" REAL NOT NULL,
              score REAL NOT NULL,                -- proposal score (1 for the training-free cuts)
              frame_count INTEGER NOT NULL,
              embedding BLOB NOT NULL             -- mean of the frames' embeddings, normalised
            );
            CREATE INDEX segments_by_video ON segments(video_id, start);
            CREATE INDEX segments_by_model ON segments(model_id);
            CREATE TABLE labels (
              id INTEGER PRIMARY KEY,
              model_id INTEGER NOT NULL REFERENCES models(id),
              prompt_set TEXT NOT NULL,
              text TEXT NOT NULL,
              embedding BLOB NOT NULL,
              UNIQUE (model_id, prompt_set, text)
            );
            CREATE TABLE tags (
              segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
              label_id INTEGER NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
              score REAL NOT NULL,
              rank INTEGER NOT NULL,
              PRIMARY KEY (segment_id, label_id)
            ) WITHOUT ROWID;
            CREATE INDEX tags_by_label ON tags(label_id);
            CREATE TABLE jobs (
              path TEXT PRIMARY KEY,
              state TEXT NOT NULL CHECK (state IN ('queued', 'running')),
              attempts INTEGER NOT NULL DEFAULT 0,
              last_error TEXT,
              due_at REAL NOT NULL DEFAULT 0,     -- not before (seconds since 1970)
              seq INTEGER NOT NULL,               -- enqueue order
              created_at REAL NOT NULL,
              updated_at REAL NOT NULL
            );
            """)
    }

    /// Version 2: video adapters and the user's vocabulary. Segments and videos are stamped with the
    /// adapter that made them (NULL = the frozen CLIP with mean pooling), so vectors of two adapters
    /// are never compared and a file indexed under another adapter is stale. Label embeddings stay
    /// cached in `labels` per (model, prompt set, text): prompt set "template" (the hand-written
    /// template) or "adapter:<identity>".
    private static func addAdapters(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE adapters (
              id INTEGER PRIMARY KEY,
              identity TEXT NOT NULL UNIQUE,      -- fingerprint of the adapter file
              path TEXT NOT NULL,                 -- where it was read from (labels add reloads it)
              model_id INTEGER NOT NULL REFERENCES models(id),   -- its base CLIP
              created_at REAL NOT NULL
            );
            ALTER TABLE segments ADD COLUMN adapter_id INTEGER REFERENCES adapters(id);
            ALTER TABLE videos ADD COLUMN adapter_id INTEGER REFERENCES adapters(id);
            CREATE INDEX segments_by_adapter ON segments(model_id, adapter_id);
            CREATE TABLE vocabulary (
              text TEXT PRIMARY KEY,
              added_at REAL NOT NULL
            ) WITHOUT ROWID;
            """)
    }
}
