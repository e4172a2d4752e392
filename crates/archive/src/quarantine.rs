//! Quarantine: archived documents that crashed a parser or exhausted a limit.
//!
//! A document is known by the SHA-256 of its payload, so the same bytes fetched again (a
//! re-crawl, another URL) are skipped too. The dataset step records a document here when its
//! reading failed in a way that will recur (a limit error, an abort in the
//! parser process, a timeout) and skips quarantined documents in later runs, writing an
//! `error` row instead, unless asked to retry them (`--retry-poisoned`).

use crate::index::Index;
use crate::ArchiveError;
use rusqlite::{params, OptionalExtension};

pub(crate) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS quarantine(
  sha256 TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  reason TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  record_id INTEGER,
  hits INTEGER NOT NULL DEFAULT 1
);
"#;

/// One quarantined document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// SHA-256 (hex) of the payload.
    pub sha256: String,
    /// URL it was first quarantined under.
    pub url: String,
    /// Why (the error of the failed reading).
    pub reason: String,
    /// When it was first quarantined.
    pub first_seen: String,
    /// When it last failed or was skipped.
    pub last_seen: String,
    /// How many times it failed (retries included).
    pub hits: i64,
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Quarantined> {
    Ok(Quarantined {
        sha256: r.get(0)?,
        url: r.get(1)?,
        reason: r.get(2)?,
        first_seen: r.get(3)?,
        last_seen: r.get(4)?,
        hits: r.get(5)?,
    })
}

const COLUMNS: &str = "sha256, url, reason, first_seen, last_seen, hits";

impl Index {
    /// False for an archive written before quarantine existed, opened read-only.
    fn has_quarantine(&self) -> Result<bool, ArchiveError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'quarantine'",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Record a document as poisoned (or count one more failure of it).
    pub fn quarantine(
        &self,
        sha256: &str,
        url: &str,
        reason: &str,
        record_id: Option<i64>,
    ) -> Result<(), ArchiveError> {
        let now = crate::warc::warc_date(std::time::SystemTime::now());
        self.connection().execute(
            "INSERT INTO quarantine(sha256, url, reason, first_seen, last_seen, record_id) \
             VALUES (?1, ?2, ?3, ?4, ?4, ?5) \
             ON CONFLICT(sha256) DO UPDATE SET reason = excluded.reason, \
             last_seen = excluded.last_seen, hits = hits + 1",
            params![sha256, url, reason, now, record_id],
        )?;
        Ok(())
    }

    /// The quarantine entry of a payload, if it is quarantined.
    pub fn quarantined(&self, sha256: &str) -> Result<Option<Quarantined>, ArchiveError> {
        if !self.has_quarantine()? {
            return Ok(None);
        }
        Ok(self
            .connection()
            .query_row(
                &format!("SELECT {COLUMNS} FROM quarantine WHERE sha256 = ?1"),
                params![sha256],
                from_row,
            )
            .optional()?)
    }

    /// Every quarantined document, oldest first.
    pub fn quarantine_list(&self) -> Result<Vec<Quarantined>, ArchiveError> {
        if !self.has_quarantine()? {
            return Ok(Vec::new());
        }
        let mut st = self.connection().prepare(&format!(
            "SELECT {COLUMNS} FROM quarantine ORDER BY first_seen, sha256"
        ))?;
        let rows = st.query_map([], from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Take a document out of quarantine (it was read successfully on a retry).
    pub fn release(&self, sha256: &str) -> Result<bool, ArchiveError> {
        if !self.has_quarantine()? {
            return Ok(false);
        }
        Ok(self
            .connection()
            .execute("DELETE FROM quarantine WHERE sha256 = ?1", params![sha256])?
            > 0)
    }
}

#[cfg(test)]
mod tests {
    use crate::Archive;

    #[test]
    fn a_full_index_names_the_file_and_the_cause() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::open(dir.path()).unwrap();
        let ix = a.index();
        // The database may not grow past its current pages: SQLite's SQLITE_FULL, as on a
        // full disk.
        let pages: i64 = ix
            .connection()
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        ix.connection()
            .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
            .unwrap();
        let long = "x".repeat(64 * 1024);
        let e = (0..64)
            .map(|i| ix.quarantine(&format!("sha{i}"), "http://h/x.pdf", &long, None))
            .find_map(Result::err)
            .expect("the index fills up");
        let msg = e.to_string();
        assert!(msg.starts_with("index.sqlite: disk full: "), "{msg}");
    }

    #[test]
    fn quarantine_round_trip_and_read_only_view() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::open(dir.path()).unwrap();
        let ix = a.index();
        assert!(ix.quarantined("ab").unwrap().is_none());
        ix.quarantine(
            "ab",
            "http://h/x.xlsx",
            "limit exceeded: sheet cells",
            Some(3),
        )
        .unwrap();
        ix.quarantine(
            "ab",
            "http://h/y.xlsx",
            "limit exceeded: sheet cells again",
            None,
        )
        .unwrap();
        let q = ix.quarantined("ab").unwrap().unwrap();
        assert_eq!(q.url, "http://h/x.xlsx");
        assert_eq!(q.hits, 2);
        assert!(q.reason.ends_with("again"));
        drop(a);
        let ro = Archive::open_read_only(dir.path()).unwrap();
        assert_eq!(ro.index().quarantine_list().unwrap().len(), 1);
        drop(ro);
        let a = Archive::open(dir.path()).unwrap();
        assert!(a.index().release("ab").unwrap());
        assert!(a.index().quarantine_list().unwrap().is_empty());
    }
}
