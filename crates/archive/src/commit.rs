//! Preparing and committing exchanges.
//!
//! [`prepare`] does the CPU work of archiving one exchange (WARC records compressed into
//! gzip members, digests, the index row) and needs no access to the archive, so the crawler
//! runs it on worker threads and drops the body right after. [`Archive::commit`] then writes
//! a whole batch: every member appended, **one** fsync, then **one** index transaction with
//! the rows, the frontier states and the discovered links. A `kill -9` at any point leaves
//! either the whole batch committed or none of it (the torn WARC tail is cut on the next
//! open), so nothing reported done is ever lost, while a busy crawl pays two fsyncs per
//! batch instead of two per page.

use rusqlite::{params, OptionalExtension};
use std::time::SystemTime;

use crate::frontier::{enqueue_tx, set_state_tx, NewItem};
use crate::index::RecordRow;
use crate::state::{FrontierState, Outcome};
use crate::warc::{self, WarcRecord};
use crate::{Archive, ArchiveError, Exchange};

/// One exchange ready to be written: compressed WARC members and its index row.
#[derive(Debug, Clone)]
pub struct Prepared {
    row: RecordRow,
    /// The request member followed by the response (or metadata) member.
    members: Vec<u8>,
    request_len: usize,
}

impl Prepared {
    /// The index row as it will be stored (file, offsets and id are set on commit).
    pub fn row(&self) -> &RecordRow {
        &self.row
    }

    /// Bytes of compressed WARC data held.
    pub fn compressed_len(&self) -> usize {
        self.members.len()
    }
}

/// Build the WARC records of an exchange (`request` + `response`, or `request` +
/// `metadata` when no response came) and its index row.
pub fn prepare(ex: &Exchange) -> Result<Prepared, ArchiveError> {
    let when = ex.fetched_at.unwrap_or_else(SystemTime::now);
    let target = ex.url.as_str();
    let mut req = WarcRecord::new("request", when)
        .with("WARC-Target-URI", target)
        .with("Content-Type", "application/http;msgtype=request");
    req.block = warc::http_request_bytes(
        ex.method.as_str(),
        target,
        &ex.request_headers,
        &ex.request_body,
    );
    let req_id = req.id().to_string();
    let mut members = warc::gzip_member(&req)?;
    let request_len = members.len();

    let mut row = RecordRow {
        run_id: ex.run_id,
        url: ex.url.clone(),
        host: ex.host.clone(),
        method: ex.method.as_str().to_string(),
        role: ex.role.clone(),
        referrer: ex.referrer.clone(),
        outcome: ex.outcome.as_str().to_string(),
        error_kind: ex.error_kind.clone(),
        error_detail: ex.error_detail.clone(),
        fetched_at: warc::warc_date(when),
        charset: ex.charset.clone(),
        extraction: ex.extraction.clone(),
        novelty: ex.novelty.clone(),
        ..Default::default()
    };

    match &ex.response {
        Some(http) => {
            let mut rec = WarcRecord::new("response", when)
                .with("WARC-Target-URI", target)
                .with("WARC-Concurrent-To", req_id)
                .with("Content-Type", "application/http;msgtype=response");
            if let Some(ip) = &ex.ip {
                rec = rec.with("WARC-IP-Address", ip.clone());
            }
            let head = http.head_bytes();
            let (payload_sha1, block_sha1, sha256) = warc::digests(&head, &http.body);
            rec = rec
                .with("WARC-Block-Digest", block_sha1)
                .with("WARC-Payload-Digest", payload_sha1.clone());
            if let Some(kind) = &ex.error_kind {
                rec = rec.with("WARC-Nianbao-Outcome", format!("{} {kind}", ex.outcome));
            }
            members.extend_from_slice(&warc::gzip_member_parts(&rec, &[&head, &http.body])?);
            row.status = Some(http.status);
            row.content_type = http.header("content-type").map(str::to_string);
            row.etag = http.header("etag").map(str::to_string);
            row.last_modified = http.header("last-modified").map(str::to_string);
            row.location = http.header("location").map(str::to_string);
            row.payload_sha1 = Some(payload_sha1);
            row.payload_len = Some(http.body.len() as i64);
            row.payload_sha256 = Some(sha256);
        }
        None => {
            let mut rec = WarcRecord::new("metadata", when)
                .with("WARC-Target-URI", target)
                .with("WARC-Concurrent-To", req_id)
                .with("Content-Type", "application/warc-fields");
            rec.block = format!(
                "outcome: {}\r\nerror-kind: {}\r\nerror-detail: {}\r\n",
                ex.outcome,
                ex.error_kind.as_deref().unwrap_or(""),
                ex.error_detail
                    .as_deref()
                    .unwrap_or("")
                    .replace(['\r', '\n'], " ")
            )
            .into_bytes();
            members.extend_from_slice(&warc::gzip_member(&rec)?);
        }
    }
    Ok(Prepared {
        row,
        members,
        request_len,
    })
}

/// What one finished request changes: its records, its frontier state, the links found.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    /// The run (discovered links join its frontier).
    pub run_id: i64,
    /// Records, in order (retries and redirect hops first, the final answer last).
    pub records: Vec<Prepared>,
    /// Frontier key and its new state (the last record becomes its `last_record`).
    pub frontier: Option<(String, FrontierState)>,
    /// Links to add to the frontier.
    pub discovered: Vec<NewItem>,
}

impl Archive {
    /// Write a batch: WARC members appended and fsynced, then one index transaction for all
    /// rows, frontier states and discovered links. Returns the stored rows per commit.
    pub fn commit(&mut self, batch: Vec<Commit>) -> Result<Vec<Vec<RecordRow>>, ArchiveError> {
        type Staged = (
            i64,
            Vec<RecordRow>,
            Option<(String, FrontierState)>,
            Vec<NewItem>,
        );
        let mut staged: Vec<Staged> = Vec::with_capacity(batch.len());
        let any_records = batch.iter().any(|c| !c.records.is_empty());
        if any_records {
            let (name, w) = self.writer()?;
            let name = name.clone();
            for c in batch {
                let mut rows = Vec::with_capacity(c.records.len());
                for p in c.records {
                    let at = w.append_raw(&p.members)?;
                    let mut row = p.row;
                    row.warc_file = name.clone();
                    row.request_offset = Some(at as i64);
                    row.warc_offset = (at + p.request_len as u64) as i64;
                    row.warc_length = (p.members.len() - p.request_len) as i64;
                    rows.push(row);
                    // p.members dropped here: compressed bytes are not kept past the write
                }
                staged.push((c.run_id, rows, c.frontier, c.discovered));
            }
            w.sync()?;
        } else {
            for c in batch {
                staged.push((c.run_id, Vec::new(), c.frontier, c.discovered));
            }
        }
        let mut seq = self.index.next_seq()?;
        let tx = self.index.conn.transaction()?;
        let mut out = Vec::with_capacity(staged.len());
        for (run_id, mut rows, frontier, discovered) in staged {
            let mut last_id = None;
            for row in &mut rows {
                if row.outcome == Outcome::Ok.as_str() && row.novelty.is_none() {
                    let prev: Option<Option<String>> = tx
                        .prepare_cached(
                            "SELECT payload_sha256 FROM records WHERE url = ?1 AND outcome = 'ok' \
                             ORDER BY id DESC LIMIT 1",
                        )?
                        .query_row(params![row.url], |r| r.get(0))
                        .optional()?;
                    row.novelty = Some(
                        match prev {
                            None => "new",
                            Some(p) if p == row.payload_sha256 => "unchanged",
                            Some(_) => "changed",
                        }
                        .to_string(),
                    );
                }
                row.id = insert_record(&tx, row)?;
                last_id = Some(row.id);
            }
            if let Some((key, state)) = &frontier {
                set_state_tx(&tx, key, *state, last_id)?;
            }
            if !discovered.is_empty() {
                enqueue_tx(&tx, run_id, &discovered, &mut seq)?;
            }
            out.push(rows);
        }
        tx.commit()?;
        self.index.seq = Some(seq);
        Ok(out)
    }

    /// Write one exchange and commit its row with a frontier state and discovered links.
    pub fn store(
        &mut self,
        ex: &Exchange,
        frontier: Option<(&str, FrontierState)>,
        discovered: &[NewItem],
    ) -> Result<RecordRow, ArchiveError> {
        let c = Commit {
            run_id: ex.run_id,
            records: vec![prepare(ex)?],
            frontier: frontier.map(|(k, s)| (k.to_string(), s)),
            discovered: discovered.to_vec(),
        };
        self.commit(vec![c])?
            .pop()
            .and_then(|mut rows| rows.pop())
            .ok_or_else(|| ArchiveError::Corrupt("commit stored no row".into()))
    }
}

fn insert_record(tx: &rusqlite::Transaction<'_>, row: &RecordRow) -> Result<i64, ArchiveError> {
    let mut st = tx.prepare_cached(
        "INSERT INTO records(run_id, url, host, method, role, referrer, status, outcome, error_kind, \
         error_detail, novelty, fetched_at, content_type, charset, etag, last_modified, location, \
         payload_sha256, payload_sha1, payload_len, warc_file, warc_offset, warc_length, request_offset, \
         extraction) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25)",
    )?;
    st.execute(params![
        row.run_id,
        row.url,
        row.host,
        row.method,
        row.role,
        row.referrer,
        row.status.map(|s| s as i64),
        row.outcome,
        row.error_kind,
        row.error_detail,
        row.novelty,
        row.fetched_at,
        row.content_type,
        row.charset,
        row.etag,
        row.last_modified,
        row.location,
        row.payload_sha256,
        row.payload_sha1,
        row.payload_len,
        row.warc_file,
        row.warc_offset,
        row.warc_length,
        row.request_offset,
        row.extraction,
    ])?;
    Ok(tx.last_insert_rowid())
}
