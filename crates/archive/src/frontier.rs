//! The frontier: every request a run has to make, keyed by its fingerprint, with its state
//! in the run. It lives in the index so that a killed crawl resumes exactly where it stopped;
//! the scheduler keeps only a few entries per host in memory and pages through the rest
//! (`pending_for_host`), so memory does not grow with the size of the crawl.
//!
//! The key of a GET is its URL. Other methods get `METHOD URL sha256:BODY16` so that a form
//! POST to a list API and a GET of the same URL are two entries.

use rusqlite::{params, OptionalExtension, Row};

use crate::index::Index;
use crate::state::{FrontierState, Method};
use crate::ArchiveError;

/// Schema additions of the typed frontier (added to older archives on open).
pub(crate) const FRONTIER_COLUMNS: &[(&str, &str)] = &[
    ("method", "TEXT NOT NULL DEFAULT 'GET'"),
    ("target", "TEXT"),
    ("body", "BLOB"),
    ("hops", "INTEGER NOT NULL DEFAULT 0"),
];

/// Index used to page through one host's pending entries.
pub(crate) const FRONTIER_INDEXES: &str =
    "CREATE INDEX IF NOT EXISTS frontier_host ON frontier(run_id, host, state, seq);\n\
     CREATE INDEX IF NOT EXISTS frontier_seq ON frontier(seq);";

/// The frontier key of a request: the URL for GET, `METHOD URL sha256:…` otherwise.
pub fn request_key(method: Method, url: &str, body: &[u8]) -> String {
    match method {
        Method::Get if body.is_empty() => url.to_string(),
        m => format!(
            "{} {url} sha256:{}",
            m.as_str(),
            &crate::warc::sha256_hex(body)[..16]
        ),
    }
}

/// A request waiting in (or done with) the frontier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FrontierItem {
    /// The frontier key ([`request_key`]; the URL for GET).
    pub key: String,
    /// The URL requested.
    pub url: String,
    /// HTTP method.
    pub method: Method,
    /// Request body (form POSTs), empty for GET.
    pub body: Vec<u8>,
    /// Host key.
    pub host: String,
    /// Role (`listing`, `report`, `attachment`).
    pub role: String,
    /// Link depth from a start URL.
    pub depth: i64,
    /// Page that linked to it.
    pub referrer: Option<String>,
    /// Name of the configured source it belongs to.
    pub source: Option<String>,
    /// State in its run.
    pub state: FrontierState,
    /// Redirects already followed to reach this URL (one budget per original request).
    pub hops: u32,
    /// Position in the run's order.
    pub seq: i64,
}

/// A request to add to the frontier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewItem {
    /// The URL.
    pub url: String,
    /// HTTP method.
    pub method: Method,
    /// Request body (form POSTs).
    pub body: Vec<u8>,
    /// Host key.
    pub host: String,
    /// Role.
    pub role: String,
    /// Depth.
    pub depth: i64,
    /// Page that linked to it.
    pub referrer: Option<String>,
    /// Source name.
    pub source: Option<String>,
    /// When the URL was already handled in an earlier run: schedule it again in this run
    /// (listing pages, conditional revisits) or leave it alone (`false`). Entries that
    /// did not end `done` or `kept` in their run are always scheduled again.
    pub revisit: bool,
    /// Redirects already followed to reach it.
    pub hops: u32,
    /// State to record it with: `Pending` to fetch it, or a final state for a request that
    /// is known now not to be made (`OutOfScope`).
    pub state: FrontierState,
}

impl NewItem {
    /// Its frontier key.
    pub fn key(&self) -> String {
        request_key(self.method, &self.url, &self.body)
    }
}

const FRONTIER_COLS: &str =
    "url, COALESCE(target, url), method, body, host, role, depth, referrer, source, state, hops, seq";

fn frontier_from_row(r: &Row<'_>) -> rusqlite::Result<FrontierItem> {
    let method: String = r.get(2)?;
    let state: String = r.get(9)?;
    Ok(FrontierItem {
        key: r.get(0)?,
        url: r.get(1)?,
        method: Method::parse(&method).unwrap_or_default(),
        body: r.get::<_, Option<Vec<u8>>>(3)?.unwrap_or_default(),
        host: r.get(4)?,
        role: r.get(5)?,
        depth: r.get(6)?,
        referrer: r.get(7)?,
        source: r.get(8)?,
        // Unknown names (a newer version's) read as failed: retried, never lost.
        state: FrontierState::parse(&state).unwrap_or(FrontierState::Failed),
        hops: r.get::<_, i64>(10)?.clamp(0, u32::MAX as i64) as u32,
        seq: r.get(11)?,
    })
}

impl Index {
    /// Add requests to the frontier of `run_id`. Returns how many were scheduled.
    pub fn enqueue(&mut self, run_id: i64, items: &[NewItem]) -> Result<usize, ArchiveError> {
        let mut seq = self.next_seq()?;
        let tx = self.conn.transaction()?;
        let n = enqueue_tx(&tx, run_id, items, &mut seq)?;
        tx.commit()?;
        self.seq = Some(seq);
        Ok(n)
    }

    /// The last sequence number given out (cached: `MAX(seq)` is read once).
    pub(crate) fn next_seq(&mut self) -> Result<i64, ArchiveError> {
        if let Some(s) = self.seq {
            return Ok(s);
        }
        let s: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM frontier", [], |r| {
                    r.get(0)
                })?;
        self.seq = Some(s);
        Ok(s)
    }

    /// Pending entries of a run, oldest first (at most `limit`).
    pub fn pending(&self, run_id: i64, limit: usize) -> Result<Vec<FrontierItem>, ArchiveError> {
        let sql = format!(
            "SELECT {FRONTIER_COLS} FROM frontier WHERE run_id = ?1 AND state = 'pending' \
             ORDER BY seq LIMIT ?2"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params![run_id, limit as i64], frontier_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Pending entries of one host in a run with `seq > after`, oldest first.
    pub fn pending_for_host(
        &self,
        run_id: i64,
        host: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<FrontierItem>, ArchiveError> {
        let sql = format!(
            "SELECT {FRONTIER_COLS} FROM frontier WHERE run_id = ?1 AND host = ?2 \
             AND state = 'pending' AND seq > ?3 ORDER BY seq LIMIT ?4"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(
            params![run_id, host, after, limit as i64],
            frontier_from_row,
        )?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Hosts with pending entries in a run (a resumed run starts from these).
    pub fn hosts_with_pending(&self, run_id: i64) -> Result<Vec<String>, ArchiveError> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT host FROM frontier WHERE run_id = ?1 AND state = 'pending' ORDER BY host",
        )?;
        let rows = st.query_map(params![run_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Per host: requests (other than robots.txt) already made in a run that downloaded
    /// something (not a 304), for the page budget of a resumed run. Retries and redirect
    /// hops of one request count once.
    pub fn requests_per_host(&self, run_id: i64) -> Result<Vec<(String, u64)>, ArchiveError> {
        let mut st = self.conn.prepare_cached(
            "SELECT f.host, COUNT(*) FROM frontier f JOIN records r ON r.id = f.last_record \
             WHERE f.run_id = ?1 AND f.state != 'pending' AND r.outcome != 'not_modified' \
             GROUP BY f.host",
        )?;
        let rows = st.query_map(params![run_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// A frontier entry by key, with its run.
    pub fn frontier_item(&self, key: &str) -> Result<Option<(FrontierItem, i64)>, ArchiveError> {
        let sql = format!("SELECT {FRONTIER_COLS}, run_id FROM frontier WHERE url = ?1");
        Ok(self
            .conn
            .query_row(&sql, params![key], |r| {
                Ok((frontier_from_row(r)?, r.get(12)?))
            })
            .optional()?)
    }

    /// Set the state of a frontier entry without a record (e.g. `robots_denied`).
    pub fn set_state(&self, key: &str, state: FrontierState) -> Result<(), ArchiveError> {
        self.conn.execute(
            "UPDATE frontier SET state = ?1 WHERE url = ?2",
            params![state.as_str(), key],
        )?;
        Ok(())
    }

    /// Give every pending entry of a run (of one host, or all) a final state, e.g.
    /// `over_budget`. Returns how many changed.
    pub fn settle_pending(
        &self,
        run_id: i64,
        host: Option<&str>,
        state: FrontierState,
    ) -> Result<usize, ArchiveError> {
        let n = match host {
            Some(h) => self.conn.execute(
                "UPDATE frontier SET state = ?1 WHERE run_id = ?2 AND host = ?3 AND state = 'pending'",
                params![state.as_str(), run_id, h],
            )?,
            None => self.conn.execute(
                "UPDATE frontier SET state = ?1 WHERE run_id = ?2 AND state = 'pending'",
                params![state.as_str(), run_id],
            )?,
        };
        Ok(n)
    }

    /// Count frontier entries of a run by state.
    pub fn frontier_counts(&self, run_id: i64) -> Result<Vec<(String, i64)>, ArchiveError> {
        let mut st = self
            .conn
            .prepare("SELECT state, COUNT(*) FROM frontier WHERE run_id = ?1 GROUP BY state")?;
        let rows = st.query_map(params![run_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// Set a frontier entry's final state (and the record that settled it) inside `tx`.
pub(crate) fn set_state_tx(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    state: FrontierState,
    last_record: Option<i64>,
) -> Result<(), ArchiveError> {
    let mut st = tx.prepare_cached(
        "UPDATE frontier SET state = ?1, last_record = COALESCE(?2, last_record) WHERE url = ?3",
    )?;
    st.execute(params![state.as_str(), last_record, key])?;
    Ok(())
}

/// Insert or reschedule `items` inside `tx`; `seq` is the last sequence number given out.
pub(crate) fn enqueue_tx(
    tx: &rusqlite::Transaction<'_>,
    run_id: i64,
    items: &[NewItem],
    seq: &mut i64,
) -> Result<usize, ArchiveError> {
    let mut n = 0;
    let mut find = tx.prepare_cached("SELECT run_id, state FROM frontier WHERE url = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO frontier(url, target, method, body, host, role, depth, referrer, source, state, \
         run_id, seq, hops) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
    )?;
    let mut again = tx.prepare_cached(
        "UPDATE frontier SET state = ?1, run_id = ?2, seq = ?3, depth = MIN(depth, ?4), last_record = NULL, \
         role = ?5, hops = ?6 WHERE url = ?7",
    )?;
    for it in items {
        let key = it.key();
        let existing: Option<(i64, String)> = find
            .query_row(params![key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let settled = |state: &str| matches!(state, "done" | "kept");
        match existing {
            None => {
                *seq += 1;
                let target = (key != it.url).then_some(it.url.as_str());
                let body = (!it.body.is_empty()).then_some(it.body.as_slice());
                insert.execute(params![
                    key,
                    target,
                    it.method.as_str(),
                    body,
                    it.host,
                    it.role,
                    it.depth,
                    it.referrer,
                    it.source,
                    it.state.as_str(),
                    run_id,
                    *seq,
                    it.hops as i64,
                ])?;
                n += 1;
            }
            Some((r, state)) if r < run_id && (it.revisit || !settled(&state)) => {
                *seq += 1;
                again.execute(params![
                    it.state.as_str(),
                    run_id,
                    *seq,
                    it.depth,
                    it.role,
                    it.hops as i64,
                    key
                ])?;
                n += 1;
            }
            Some(_) => {}
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(url: &str, revisit: bool) -> NewItem {
        NewItem {
            url: url.into(),
            host: "h".into(),
            role: "listing".into(),
            revisit,
            ..Default::default()
        }
    }

    #[test]
    fn frontier_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut ix = Index::open(&dir.path().join("i.sqlite")).unwrap();
        let r1 = ix.start_run("").unwrap();
        assert_eq!(
            ix.enqueue(r1, &[item("a", true), item("b", false), item("a", true)])
                .unwrap(),
            2
        );
        assert_eq!(ix.pending(r1, 10).unwrap().len(), 2);
        ix.set_state("a", FrontierState::Done).unwrap();
        ix.set_state("b", FrontierState::Done).unwrap();
        ix.finish_run(r1).unwrap();
        assert_eq!(ix.unfinished_run("").unwrap(), None);
        let r2 = ix.start_run("").unwrap();
        assert_eq!(
            ix.enqueue(r2, &[item("a", true), item("b", false)])
                .unwrap(),
            1
        );
        let p = ix.pending(r2, 10).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].url, "a");
    }

    #[test]
    fn unsettled_entries_come_back_and_post_is_its_own_entry() {
        let dir = tempfile::tempdir().unwrap();
        let mut ix = Index::open(&dir.path().join("i.sqlite")).unwrap();
        let r1 = ix.start_run("").unwrap();
        let post = NewItem {
            method: Method::Post,
            body: b"startrecord=1".to_vec(),
            ..item("http://h/p.jsp?startrecord=1", false)
        };
        ix.enqueue(
            r1,
            &[item("http://h/p.jsp?startrecord=1", false), post.clone()],
        )
        .unwrap();
        let p = ix.pending_for_host(r1, "h", 0, 10).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].method, Method::Post);
        assert_eq!(p[1].url, "http://h/p.jsp?startrecord=1");
        assert_ne!(p[1].key, p[1].url);
        assert_eq!(p[1].body, b"startrecord=1");
        assert_eq!(ix.pending_for_host(r1, "h", p[0].seq, 10).unwrap().len(), 1);
        ix.set_state(&p[0].key, FrontierState::OverBudget).unwrap();
        ix.set_state(&p[1].key, FrontierState::Done).unwrap();
        ix.finish_run(r1).unwrap();
        let r2 = ix.start_run("").unwrap();
        // over budget in run 1: scheduled again although revisit = false
        assert_eq!(
            ix.enqueue(r2, &[item("http://h/p.jsp?startrecord=1", false), post])
                .unwrap(),
            1
        );
        assert_eq!(ix.hosts_with_pending(r2).unwrap(), vec!["h".to_string()]);
    }
}
