//! The SQLite index: one row per archived exchange, the frontier (crawl state) and runs.
//!
//! The database runs in WAL mode with `synchronous = FULL`. A row is inserted only after
//! the WARC bytes it points at were fsynced, in the same transaction as the frontier
//! update of that URL and the links discovered on it, so the index never points at
//! missing bytes and never forgets a link of a page it marked done.

use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::Path;

use crate::ArchiveError;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  note TEXT
);
CREATE TABLE IF NOT EXISTS warc_files(
  name TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  base_len INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  url TEXT NOT NULL,
  host TEXT NOT NULL,
  method TEXT NOT NULL,
  role TEXT NOT NULL,
  referrer TEXT,
  status INTEGER,
  outcome TEXT NOT NULL,
  error_kind TEXT,
  error_detail TEXT,
  novelty TEXT,
  fetched_at TEXT NOT NULL,
  content_type TEXT,
  charset TEXT,
  etag TEXT,
  last_modified TEXT,
  location TEXT,
  payload_sha256 TEXT,
  payload_sha1 TEXT,
  payload_len INTEGER,
  warc_file TEXT NOT NULL,
  warc_offset INTEGER NOT NULL,
  warc_length INTEGER NOT NULL,
  request_offset INTEGER,
  extraction TEXT
);
CREATE INDEX IF NOT EXISTS records_url ON records(url);
CREATE INDEX IF NOT EXISTS records_run ON records(run_id);
CREATE TABLE IF NOT EXISTS frontier(
  url TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  role TEXT NOT NULL,
  depth INTEGER NOT NULL,
  referrer TEXT,
  source TEXT,
  state TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  last_record INTEGER
);
CREATE INDEX IF NOT EXISTS frontier_run ON frontier(run_id, state);
CREATE TABLE IF NOT EXISTS source_checks(
  source TEXT PRIMARY KEY,
  checked_at TEXT NOT NULL,
  checked_unix INTEGER NOT NULL,
  run_id INTEGER NOT NULL
);
"#;

/// One row of the `records` table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordRow {
    /// Row id.
    pub id: i64,
    /// Run that fetched it.
    pub run_id: i64,
    /// Requested URL.
    pub url: String,
    /// Host (with port when not default).
    pub host: String,
    /// HTTP method.
    pub method: String,
    /// Role in the crawl: `robots`, `listing`, `report`, `attachment`, ...
    pub role: String,
    /// Page that linked to it.
    pub referrer: Option<String>,
    /// HTTP status; `None` when no response arrived.
    pub status: Option<u16>,
    /// Outcome: `ok`, `not_modified`, `redirect`, `http_error`, `blocked`, `failed`, ...
    pub outcome: String,
    /// Failure or block kind (`timeout`, `connection_reset`, `blocked(ruishu)`, ...).
    pub error_kind: Option<String>,
    /// Human-readable detail.
    pub error_detail: Option<String>,
    /// `new`, `changed` or `unchanged` for successful fetches.
    pub novelty: Option<String>,
    /// WARC-Date of the response.
    pub fetched_at: String,
    /// Content-Type header.
    pub content_type: Option<String>,
    /// Charset used or declared.
    pub charset: Option<String>,
    /// ETag header.
    pub etag: Option<String>,
    /// Last-Modified header.
    pub last_modified: Option<String>,
    /// Location header of a redirect.
    pub location: Option<String>,
    /// SHA-256 (hex) of the payload.
    pub payload_sha256: Option<String>,
    /// `sha1:BASE32` of the payload (as in WARC-Payload-Digest).
    pub payload_sha1: Option<String>,
    /// Payload length in bytes.
    pub payload_len: Option<i64>,
    /// WARC file name (relative to the archive directory).
    pub warc_file: String,
    /// Offset of the gzip member holding the response (or metadata) record.
    pub warc_offset: i64,
    /// Length of that member.
    pub warc_length: i64,
    /// Offset of the request record, when written.
    pub request_offset: Option<i64>,
    /// Extraction status (`ok:N`, `no_reports`, `error: …`), `None` when not attempted.
    pub extraction: Option<String>,
}

const RECORD_COLS: &str = "id, run_id, url, host, method, role, referrer, status, outcome, error_kind, \
    error_detail, novelty, fetched_at, content_type, charset, etag, last_modified, location, \
    payload_sha256, payload_sha1, payload_len, warc_file, warc_offset, warc_length, request_offset, extraction";

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<RecordRow> {
    Ok(RecordRow {
        id: r.get(0)?,
        run_id: r.get(1)?,
        url: r.get(2)?,
        host: r.get(3)?,
        method: r.get(4)?,
        role: r.get(5)?,
        referrer: r.get(6)?,
        status: r.get::<_, Option<i64>>(7)?.map(|s| s as u16),
        outcome: r.get(8)?,
        error_kind: r.get(9)?,
        error_detail: r.get(10)?,
        novelty: r.get(11)?,
        fetched_at: r.get(12)?,
        content_type: r.get(13)?,
        charset: r.get(14)?,
        etag: r.get(15)?,
        last_modified: r.get(16)?,
        location: r.get(17)?,
        payload_sha256: r.get(18)?,
        payload_sha1: r.get(19)?,
        payload_len: r.get(20)?,
        warc_file: r.get(21)?,
        warc_offset: r.get(22)?,
        warc_length: r.get(23)?,
        request_offset: r.get(24)?,
        extraction: r.get(25)?,
    })
}

/// The index database.
#[derive(Debug)]
pub struct Index {
    pub(crate) conn: Connection,
    /// Last frontier sequence number given out (read once, then counted here).
    pub(crate) seq: Option<i64>,
}

/// Bring an older archive's schema up to date (columns are only ever added).
fn migrate(conn: &Connection) -> Result<(), ArchiveError> {
    let mut st = conn.prepare("SELECT name FROM pragma_table_info('frontier')")?;
    let have: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    for (name, decl) in crate::frontier::FRONTIER_COLUMNS {
        if !have.iter().any(|h| h == name) {
            conn.execute_batch(&format!("ALTER TABLE frontier ADD COLUMN {name} {decl}"))?;
        }
    }
    conn.execute_batch(crate::frontier::FRONTIER_INDEXES)?;
    Ok(())
}

pub(crate) fn now_text() -> String {
    crate::warc::warc_date(std::time::SystemTime::now())
}

impl Index {
    /// Open or create the index at `path`.
    pub fn open(path: &Path) -> Result<Self, ArchiveError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        migrate(&conn)?;
        conn.execute_batch(crate::quarantine::SCHEMA)?;
        Ok(Index { conn, seq: None })
    }

    /// Open an existing index read-only (for export: no writes at all).
    ///
    /// On a read-only file system (a backup, a copy on a read-only mount) SQLite cannot create
    /// the WAL's `-shm` file and refuses to open; the index is then opened `immutable`, which
    /// reads the database file alone. Records still in an uncheckpointed `-wal` file (a writer
    /// killed before it closed) are not seen then; that is logged.
    pub fn open_read_only(path: &Path) -> Result<Self, ArchiveError> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let plain = Connection::open_with_flags(path, flags).and_then(|conn| {
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(conn)
        });
        let first_error = match plain {
            Ok(conn) => return Ok(Index { conn, seq: None }),
            Err(e) => e,
        };
        if !path.is_file() {
            return Err(first_error.into());
        }
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            tracing::warn!(index = %path.display(), "read-only archive with an unmerged WAL file: its newest records are not read");
        }
        // SQLite URI: only `%`, `?` and `#` need escaping in the path part.
        let escaped = path
            .to_string_lossy()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23");
        let conn = Connection::open_with_flags(
            format!("file:{escaped}?immutable=1"),
            flags | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        tracing::debug!(index = %path.display(), error = %first_error, "index opened immutable");
        Ok(Index { conn, seq: None })
    }

    /// The underlying connection, for ad-hoc queries (reports, tests).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The unfinished run with this note (e.g. `crawl`) to resume, if any.
    pub fn unfinished_run(&self, note: &str) -> Result<Option<i64>, ArchiveError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM runs WHERE finished_at IS NULL AND note = ?1 ORDER BY id DESC LIMIT 1",
                params![note],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Start a new run; returns its id.
    pub fn start_run(&self, note: &str) -> Result<i64, ArchiveError> {
        self.conn.execute(
            "INSERT INTO runs(started_at, note) VALUES (?1, ?2)",
            params![now_text(), note],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Mark a run finished.
    pub fn finish_run(&self, run_id: i64) -> Result<(), ArchiveError> {
        self.conn.execute(
            "UPDATE runs SET finished_at = ?1 WHERE id = ?2",
            params![now_text(), run_id],
        )?;
        Ok(())
    }

    /// Number of runs started so far.
    pub fn run_count(&self) -> Result<i64, ArchiveError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))?)
    }

    /// Register a new WARC file and its length after the `warcinfo` record.
    pub fn add_warc_file(&self, name: &str, base_len: u64) -> Result<(), ArchiveError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO warc_files(name, created_at, base_len) VALUES (?1, ?2, ?3)",
            params![name, now_text(), base_len as i64],
        )?;
        Ok(())
    }

    /// For each registered WARC file: the length of its committed content.
    pub fn committed_lengths(&self) -> Result<Vec<(String, u64)>, ArchiveError> {
        let mut st = self.conn.prepare(
            "SELECT w.name, MAX(w.base_len, COALESCE((SELECT MAX(warc_offset + warc_length) FROM records r \
             WHERE r.warc_file = w.name), 0)) FROM warc_files w",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (n, l) = row?;
            out.push((n, l.max(0) as u64));
        }
        Ok(out)
    }

    /// Update the extraction status of a record.
    pub fn set_extraction(&self, id: i64, status: &str) -> Result<(), ArchiveError> {
        self.conn.execute(
            "UPDATE records SET extraction = ?1 WHERE id = ?2",
            params![status, id],
        )?;
        Ok(())
    }

    /// The latest successful (status 200) record of a URL.
    pub fn latest_ok(&self, url: &str) -> Result<Option<RecordRow>, ArchiveError> {
        let sql = format!(
            "SELECT {RECORD_COLS} FROM records WHERE url = ?1 AND outcome = 'ok' ORDER BY id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .query_row(&sql, params![url], record_from_row)
            .optional()?)
    }

    /// The latest record of a URL in a given run.
    pub fn latest_in_run(&self, url: &str, run_id: i64) -> Result<Option<RecordRow>, ArchiveError> {
        let sql = format!(
            "SELECT {RECORD_COLS} FROM records WHERE url = ?1 AND run_id = ?2 ORDER BY id DESC LIMIT 1"
        );
        Ok(self
            .conn
            .query_row(&sql, params![url, run_id], record_from_row)
            .optional()?)
    }

    /// For every URL with one of `roles`: its latest successful record, ordered by URL.
    pub fn latest_ok_by_role(&self, roles: &[&str]) -> Result<Vec<RecordRow>, ArchiveError> {
        let marks = roles.iter().map(|_| "?").collect::<Vec<_>>().join(",");
        let sql = format!(
            "SELECT {RECORD_COLS} FROM records WHERE id IN (SELECT MAX(id) FROM records WHERE outcome = 'ok' \
             AND role IN ({marks}) GROUP BY url) ORDER BY url"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(roles.iter()), record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// All records of a run, in insertion order.
    pub fn records_of_run(&self, run_id: i64) -> Result<Vec<RecordRow>, ArchiveError> {
        let sql = format!("SELECT {RECORD_COLS} FROM records WHERE run_id = ?1 ORDER BY id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(params![run_id], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Record that `sources` were checked successfully by `run_id` at `unix` seconds
    /// (`at`: the same time as RFC 3339), for `nianbao crawl --due`.
    pub fn mark_sources_checked(
        &mut self,
        sources: &[String],
        run_id: i64,
        unix: i64,
        at: &str,
    ) -> Result<(), ArchiveError> {
        let tx = self.conn.transaction()?;
        for s in sources {
            tx.execute(
                "INSERT INTO source_checks(source, checked_at, checked_unix, run_id) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(source) DO UPDATE SET checked_at = ?2, checked_unix = ?3, run_id = ?4",
                params![s, at, unix, run_id],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Last successful check of every source: name → unix seconds.
    pub fn sources_checked(&self) -> Result<std::collections::HashMap<String, i64>, ArchiveError> {
        let mut st = self
            .conn
            .prepare("SELECT source, checked_unix FROM source_checks")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every record of a run in insertion order, handed to `f` one at a time with whether
    /// it is the last non-`retried` record of its request (method and URL) in the run: a
    /// summary of a large run never holds the run's rows in memory.
    pub fn for_each_record_of_run(
        &self,
        run_id: i64,
        mut f: impl FnMut(RecordRow, bool),
    ) -> Result<(), ArchiveError> {
        let sql = format!(
            "SELECT {RECORD_COLS}, outcome <> 'retried' AND id = MAX(CASE WHEN outcome <> 'retried' \
             THEN id END) OVER (PARTITION BY method, url) FROM records WHERE run_id = ?1 ORDER BY id"
        );
        let mut st = self.conn.prepare(&sql)?;
        let last_col = RECORD_COLS.split(',').count();
        let mut rows = st.query(params![run_id])?;
        while let Some(row) = rows.next()? {
            let last = row.get::<_, Option<bool>>(last_col)?.unwrap_or(false);
            f(record_from_row(row)?, last);
        }
        Ok(())
    }

    /// All records, in insertion order.
    pub fn all_records(&self) -> Result<Vec<RecordRow>, ArchiveError> {
        let sql = format!("SELECT {RECORD_COLS} FROM records ORDER BY id");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
