//! The spill store: a temporary SQLite file holding every extracted report (as JSON) with its
//! small keys, between extraction and writing. Grouping, versions, cross-year checks and
//! coverage are queries on it, and rows are read back one at a time in output order, so the
//! dataset step's memory does not grow with the number of reports.

use crate::DatasetError;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

const SCHEMA: &str = r#"
CREATE TABLE fetches(archive INT, rec_id INT, url TEXT NOT NULL, role TEXT, referrer TEXT,
  content_type TEXT, sha TEXT, at TEXT NOT NULL, warc_file TEXT, warc_offset INT);
CREATE TABLE source_names(url TEXT PRIMARY KEY, name TEXT);
CREATE TABLE payloads(pid INTEGER PRIMARY KEY, archive INT, rec_id INT, url TEXT,
  source TEXT NOT NULL, role TEXT, referrer TEXT, content_type TEXT, sha TEXT, first_at TEXT,
  last_at TEXT, warc_file TEXT, warc_offset INT, source_name TEXT, latest INT NOT NULL);
CREATE INDEX payloads_url ON payloads(url, latest);
CREATE TABLE reports(rid INTEGER PRIMARY KEY, pid INT NOT NULL, part INT NOT NULL,
  source TEXT NOT NULL, latest INT NOT NULL, agency TEXT, akey TEXT, year INT, format TEXT,
  fp TEXT, found INT, failed INT, error INT, published TEXT, image_only INT, first_at TEXT,
  last_at TEXT, x1 TEXT, ident TEXT, merged_into INT, gkey TEXT, body BLOB NOT NULL);
CREATE INDEX reports_source ON reports(source, part, latest);
CREATE TABLE links(rid INT NOT NULL, url TEXT NOT NULL);
CREATE TABLE keeps(rid INTEGER PRIMARY KEY, page INT, alts TEXT);
CREATE TABLE rows(rid INTEGER PRIMARY KEY, source TEXT, part INT, akey TEXT, year INT,
  version INT, first_seen TEXT, alts TEXT, report_id TEXT, written INT DEFAULT 0);
CREATE INDEX rows_order ON rows(source, part);
CREATE INDEX rows_akey ON rows(akey, year);
CREATE TABLE versions(row INT NOT NULL, version INT NOT NULL, rid INT NOT NULL,
  first_seen TEXT, last_seen TEXT);
CREATE INDEX versions_row ON versions(row, version);
CREATE TABLE cov(akey TEXT NOT NULL, agency TEXT, ident TEXT, year INT NOT NULL, found INT,
  reason TEXT, report_id TEXT, url TEXT, published TEXT);
"#;

/// The store.
pub struct Spill {
    /// The connection.
    pub conn: Connection,
    path: PathBuf,
}

impl Spill {
    /// Create a fresh store at `path` (deleted on drop).
    pub fn create(path: &Path) -> Result<Spill, DatasetError> {
        let _ = std::fs::remove_file(path);
        let conn = Connection::open(path).map_err(|e| DatasetError::spill(path, e))?;
        let s = Spill {
            conn,
            path: path.to_path_buf(),
        };
        // A scratch file: no journal, no fsync; a crash just loses it. The page cache is
        // bounded (16 MB), which is what keeps memory flat.
        s.sq(s.conn.execute_batch(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE; \
             PRAGMA cache_size=-16000;",
        ))?;
        s.sq(s.conn.execute_batch(SCHEMA))?;
        Ok(s)
    }

    /// Map a SQLite result to a dataset error naming the store.
    pub fn sq<T>(&self, r: rusqlite::Result<T>) -> Result<T, DatasetError> {
        r.map_err(|e| DatasetError::spill(&self.path, e))
    }

    /// Run statements.
    pub fn batch(&self, sql: &str) -> Result<(), DatasetError> {
        self.sq(self.conn.execute_batch(sql))
    }

    /// The store's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
