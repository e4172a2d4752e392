//! nianbao-archive: the crawler's web archive and crawl state.
//!
//! Design:
//!
//! * **WARC files** (`<data>/warc/*.warc.gz`): every HTTP exchange is written as a WARC/1.1
//!   `request` record followed by a `response` record, each in its own gzip member, so
//!   standard tools (warcio, pywb, wget's readers) can read the files and a reader can seek
//!   straight to one record. A fetch that got no response (timeout, reset, refused by policy)
//!   is written as a `request` + `metadata` record describing the failure. Each process run
//!   appends to a new file, which starts with a `warcinfo` record.
//! * **Index** (`<data>/index.sqlite`, WAL): one row per exchange (URL, status, time,
//!   digests, charset, validators, WARC file and offset, extraction status) plus the
//!   frontier and the list of runs. The index *is* the crawl state.
//! * **Crash safety**: records are appended and fsynced before the index row that points at
//!   them is committed, together with the frontier update. On open, every WARC file is cut
//!   back to the end of its last committed record, so a torn tail left by `kill -9` is
//!   dropped and the files stay valid for other readers.
//!
//! The archive is synchronous and single-writer: the crawler owns one [`Archive`] in its
//! scheduler task. Readers ([`Archive::open_read_only`]) never modify anything.

#![warn(missing_docs)]

pub mod commit;
pub mod frontier;
pub mod index;
pub mod quarantine;
pub mod state;
pub mod verify;
pub mod warc;

pub use commit::{prepare, Commit, Prepared};
pub use frontier::{request_key, FrontierItem, NewItem};
pub use index::{Index, RecordRow};
pub use quarantine::Quarantined;
pub use state::{FrontierState, Method, Outcome};
pub use verify::{verify, Problem, VerifyReport};
pub use warc::{HttpResponse, WarcRecord};

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Errors of the archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite error (the index, `<data>/index.sqlite`).
    #[error("index.sqlite: {}", describe_sql(.0))]
    Sql(#[from] rusqlite::Error),
    /// A WARC record or HTTP message could not be parsed.
    #[error("corrupt archive data: {0}")]
    Corrupt(String),
    /// The archive does not exist (read-only open).
    #[error("no archive at {0}")]
    Missing(String),
    /// Another process writes to this archive (its lock file is held).
    #[error("{0} is in use by another nianbao process")]
    Locked(String),
}

/// SQLite's message with the cause a user can act on: SQLite reports a full disk as
/// `database or disk is full` and a file-size limit (`ulimit -f`, EFBIG) only as
/// `disk I/O error`.
fn describe_sql(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode;
    match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::DiskFull => {
            format!("disk full: {e}")
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::SystemIoFailure => {
            format!("{e} (disk full or file-size limit reached?)")
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ReadOnly => {
            format!("{e} (read-only file system or no write permission)")
        }
        _ => e.to_string(),
    }
}

impl ArchiveError {
    /// Closure turning an `io::Error` into [`ArchiveError::Io`] for `path`.
    pub fn io(path: impl Into<String>) -> impl FnOnce(std::io::Error) -> ArchiveError {
        let path = path.into();
        move |source| ArchiveError::Io { path, source }
    }
}

/// One HTTP exchange (or failed attempt) to archive.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    /// Requested URL.
    pub url: String,
    /// Host key (host plus non-default port).
    pub host: String,
    /// HTTP method.
    pub method: Method,
    /// Role in the crawl (`robots`, `listing`, `report`, `attachment`, `api`).
    pub role: String,
    /// Page that linked to it.
    pub referrer: Option<String>,
    /// Crawl run.
    pub run_id: i64,
    /// When the response (or failure) happened.
    pub fetched_at: Option<SystemTime>,
    /// Request header fields as sent.
    pub request_headers: Vec<(String, String)>,
    /// Request body (form POSTs), empty for GET.
    pub request_body: Vec<u8>,
    /// The response, when one arrived.
    pub response: Option<HttpResponse>,
    /// Remote IP address, when known.
    pub ip: Option<String>,
    /// What the attempt came to.
    pub outcome: Outcome,
    /// Failure/block kind.
    pub error_kind: Option<String>,
    /// Failure detail.
    pub error_detail: Option<String>,
    /// Charset of the payload, when known.
    pub charset: Option<String>,
    /// `new`, `changed`, `unchanged` (set on commit when left empty).
    pub novelty: Option<String>,
    /// Extraction status to store with the row.
    pub extraction: Option<String>,
}

/// A stored response read back from the archive.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// The index row.
    pub row: RecordRow,
    /// The HTTP response (status, headers, body).
    pub http: HttpResponse,
}

/// The archive: WARC files plus index.
#[derive(Debug)]
pub struct Archive {
    warc_dir: PathBuf,
    index: Index,
    writer: Option<(String, warc::WarcWriter)>,
    read_only: bool,
    /// Exclusive advisory lock on `<data>/lock`, released when the process ends (even
    /// after `kill -9`), so two writers never share one archive.
    _lock: Option<std::fs::File>,
}

/// Maximum size of one WARC file before a new one is started.
const MAX_WARC_BYTES: u64 = 1 << 30;

impl Archive {
    /// Open (create) the archive under `data_dir` for writing, repairing torn tails.
    pub fn open(data_dir: &Path) -> Result<Self, ArchiveError> {
        let warc_dir = data_dir.join("warc");
        std::fs::create_dir_all(&warc_dir)
            .map_err(ArchiveError::io(warc_dir.display().to_string()))?;
        let lock_path = data_dir.join("lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(ArchiveError::io(lock_path.display().to_string()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ArchiveError::Locked(data_dir.display().to_string()))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(ArchiveError::Io {
                    path: lock_path.display().to_string(),
                    source: e,
                })
            }
        }
        let index = Index::open(&data_dir.join("index.sqlite"))?;
        let archive = Archive {
            warc_dir,
            index,
            writer: None,
            read_only: false,
            _lock: Some(lock),
        };
        archive.repair()?;
        Ok(archive)
    }

    /// Open an existing archive without writing anything.
    pub fn open_read_only(data_dir: &Path) -> Result<Self, ArchiveError> {
        let db = data_dir.join("index.sqlite");
        if !db.exists() {
            return Err(ArchiveError::Missing(data_dir.display().to_string()));
        }
        let index = Index::open_read_only(&db)?;
        Ok(Archive {
            warc_dir: data_dir.join("warc"),
            index,
            writer: None,
            read_only: true,
            _lock: None,
        })
    }

    /// The index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The index, mutably.
    pub fn index_mut(&mut self) -> &mut Index {
        &mut self.index
    }

    /// Directory of the WARC files.
    pub fn warc_dir(&self) -> &Path {
        &self.warc_dir
    }

    /// Cut every registered WARC file back to its committed length.
    fn repair(&self) -> Result<(), ArchiveError> {
        for (name, len) in self.index.committed_lengths()? {
            let path = self.warc_dir.join(&name);
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.len() > len {
                tracing::warn!(file = %name, from = meta.len(), to = len, "dropping uncommitted WARC tail");
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(ArchiveError::io(path.display().to_string()))?;
                f.set_len(len)
                    .map_err(ArchiveError::io(path.display().to_string()))?;
                f.sync_all()
                    .map_err(ArchiveError::io(path.display().to_string()))?;
            }
        }
        Ok(())
    }

    pub(crate) fn writer(&mut self) -> Result<&mut (String, warc::WarcWriter), ArchiveError> {
        if self.read_only {
            return Err(ArchiveError::Corrupt("archive opened read-only".into()));
        }
        let roll = match &self.writer {
            None => true,
            Some((_, w)) => w.len() >= MAX_WARC_BYTES,
        };
        if roll {
            let now = SystemTime::now();
            let stamp: String = warc::warc_date(now)
                .chars()
                .filter(|c| c.is_ascii_digit())
                .take(20)
                .collect();
            let mut n = 0;
            let name = loop {
                let candidate = format!("nianbao-{stamp}-{}-{n}.warc.gz", std::process::id());
                if !self.warc_dir.join(&candidate).exists() {
                    break candidate;
                }
                n += 1;
            };
            let path = self.warc_dir.join(&name);
            let mut w = warc::WarcWriter::open_append(&path)?;
            let mut info = WarcRecord::new("warcinfo", now)
                .with("WARC-Filename", name.clone())
                .with("Content-Type", "application/warc-fields");
            info.block = format!(
                "software: nianbao-archive/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
                env!("CARGO_PKG_VERSION")
            )
            .into_bytes();
            w.append(&[&info])?;
            w.sync()?;
            self.index.add_warc_file(&name, w.len())?;
            self.writer = Some((name, w));
        }
        self.writer
            .as_mut()
            .ok_or_else(|| ArchiveError::Corrupt("no WARC writer".into()))
    }

    /// Read the response stored for an index row.
    pub fn read_response(&self, row: &RecordRow) -> Result<StoredResponse, ArchiveError> {
        let rec = warc::read_record_at(
            &self.warc_dir.join(&row.warc_file),
            row.warc_offset.max(0) as u64,
        )?;
        if rec.kind() != "response" {
            return Err(ArchiveError::Corrupt(format!(
                "record {} is a {} record",
                row.id,
                rec.kind()
            )));
        }
        let http = HttpResponse::parse(&rec.block)?;
        Ok(StoredResponse {
            row: row.clone(),
            http,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(url: &str, body: &[u8]) -> Exchange {
        Exchange {
            url: url.into(),
            host: "h".into(),
            method: Method::Get,
            role: "report".into(),
            run_id: 1,
            outcome: Outcome::Ok,
            response: Some(HttpResponse {
                status: 200,
                reason: "OK".into(),
                headers: vec![
                    ("Content-Type".into(), "text/html".into()),
                    ("ETag".into(), "\"x\"".into()),
                ],
                body: body.to_vec(),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn store_read_novelty_and_repair() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Archive::open(dir.path()).unwrap();
        let r1 = a.store(&ex("http://h/a", b"one"), None, &[]).unwrap();
        assert_eq!(r1.novelty.as_deref(), Some("new"));
        let r2 = a.store(&ex("http://h/a", b"one"), None, &[]).unwrap();
        assert_eq!(r2.novelty.as_deref(), Some("unchanged"));
        let r3 = a.store(&ex("http://h/a", b"two"), None, &[]).unwrap();
        assert_eq!(r3.novelty.as_deref(), Some("changed"));
        let back = a.read_response(&r3).unwrap();
        assert_eq!(back.http.body, b"two");
        assert_eq!(r3.etag.as_deref(), Some("\"x\""));
        let file = a.warc_dir().join(&r3.warc_file);
        drop(a);
        // simulate a torn tail
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .unwrap();
        f.write_all(b"\x1f\x8b\x08garbage").unwrap();
        drop(f);
        let a = Archive::open(dir.path()).unwrap();
        assert!(matches!(
            Archive::open(dir.path()),
            Err(ArchiveError::Locked(_))
        ));
        let (recs, end) = warc::read_all(&file).unwrap();
        assert_eq!(end, std::fs::metadata(&file).unwrap().len());
        assert_eq!(recs.len(), 7); // warcinfo + 3 x (request, response)
        let latest = a.index().latest_ok_by_role(&["report"]).unwrap();
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].id, r3.id);
    }
}
