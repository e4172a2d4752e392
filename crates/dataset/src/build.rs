//! The dataset step, in the order the work happens:
//!
//! 1. **inputs** — archive records (every successful fetch of a report or attachment) are
//!    collapsed into *payloads*: runs of one URL with the same bytes, in fetch order; the last
//!    run of a URL is its current content. Local files are one payload each.
//! 2. **extract** — payloads are read and extracted in parallel, a chunk at a time; every
//!    report goes to the spill store as JSON with its small keys ([`crate::keys`]).
//! 3. **merge** — a current page and its current attachment holding the same report become one
//!    row (the better reading; the other is an alternative).
//! 4. **group** — reports of one agency and year (or one URL when either is unknown) are one
//!    report: equal contents are duplicates (alternatives), different contents in fetch order
//!    are versions; the last version is the row.
//! 5. **write** — rows in source order through every format ([`crate::sink`]), with cells,
//!    checks and the cross-year check X1; then versions, coverage, codebook and `.do` file;
//!    then the new set is published at once ([`crate::publish`]).

use crate::columns::Tables;
use crate::identity::{identify, IdentityInput};
use crate::keys::{agency_key, keys, report_id};
use crate::output::Outputs;
use crate::publish::Publication;
use crate::spill::Spill;
use crate::{DatasetError, DatasetStats, Options};
use nianbao_archive::{Archive, RecordRow};
use nianbao_extract::Report;
use nianbao_ingest::InputHint;
use rayon::prelude::*;
use rusqlite::{params, OptionalExtension};
use std::collections::HashSet;
use std::path::Path;

/// One input: a run of identical fetches of a URL, or a local file.
#[derive(Debug, Clone, Default)]
pub struct Payload {
    /// Archive number (in the order given), for archive inputs.
    pub archive: Option<i64>,
    /// Index row of the latest fetch of this run.
    pub rec_id: Option<i64>,
    /// URL, for fetched inputs.
    pub url: Option<String>,
    /// What the reports' `source` is (URL or path).
    pub source: String,
    /// `report` or `attachment`.
    pub role: Option<String>,
    /// Linking page.
    pub referrer: Option<String>,
    /// HTTP content type.
    pub content_type: Option<String>,
    /// SHA-256 of the bytes.
    pub sha: Option<String>,
    /// First fetch of these bytes.
    pub first_at: Option<String>,
    /// Last fetch of these bytes.
    pub last_at: Option<String>,
    /// WARC file of the latest fetch.
    pub warc_file: Option<String>,
    /// Its offset.
    pub warc_offset: Option<i64>,
    /// Crawl source name.
    pub source_name: Option<String>,
    /// The current content of its URL (always true for files).
    pub latest: bool,
}

/// The id of a row: a hash of its source, or, for a report that is no longer at its URL (the
/// page now holds another report), of its source and when it was first fetched.
fn row_id(source: &str, part: i64, latest: bool, first_at: Option<&str>) -> String {
    if latest {
        report_id(source, part)
    } else {
        report_id(&format!("{source}@{}", first_at.unwrap_or("")), part)
    }
}

/// Reports per transaction of the spill store.
const TX_ROWS: usize = 512;
/// Rows read back per query when writing.
const PAGE: i64 = 256;

/// Builds one dataset.
pub struct Builder {
    opts: Options,
    spill: Spill,
    publication: Publication,
    archive_mode: bool,
    stats: DatasetStats,
    pending: usize,
}

impl Builder {
    /// Lock `out`, open a fresh set and a spill store. `archive_mode` turns on page/attachment
    /// merging, grouping across URLs and versions.
    pub fn new(out: &Path, opts: &Options, archive_mode: bool) -> Result<Builder, DatasetError> {
        let publication = Publication::begin(out)?;
        let spill = Spill::create(&publication.temp_path("spill.sqlite"))?;
        spill.batch("BEGIN")?;
        Ok(Builder {
            opts: opts.clone(),
            spill,
            publication,
            archive_mode,
            stats: DatasetStats::default(),
            pending: 0,
        })
    }

    fn tick(&mut self) -> Result<(), DatasetError> {
        self.pending += 1;
        if self.pending >= TX_ROWS {
            self.spill.batch("COMMIT; BEGIN")?;
            self.pending = 0;
        }
        Ok(())
    }

    fn insert_payload(&mut self, p: &Payload) -> Result<i64, DatasetError> {
        self.spill.sq(self.spill.conn.execute(
            "INSERT INTO payloads(archive, rec_id, url, source, role, referrer, content_type, sha, \
             first_at, last_at, warc_file, warc_offset, source_name, latest) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
            params![
                p.archive,
                p.rec_id,
                p.url,
                p.source,
                p.role,
                p.referrer,
                p.content_type,
                p.sha,
                p.first_at,
                p.last_at,
                p.warc_file,
                p.warc_offset,
                p.source_name,
                p.latest
            ],
        ))?;
        Ok(self.spill.conn.last_insert_rowid())
    }

    /// Add a local file (or any input without fetch history) and the reports read from it;
    /// `Err` is an input that could not be read (an error row).
    pub fn add_file(
        &mut self,
        source: &str,
        sha256: Option<String>,
        result: Result<Vec<Report>, String>,
    ) -> Result<(), DatasetError> {
        let p = Payload {
            source: source.to_string(),
            sha: sha256,
            latest: true,
            ..Default::default()
        };
        let pid = self.insert_payload(&p)?;
        self.insert_reports(pid, &p, result)
    }

    fn insert_reports(
        &mut self,
        pid: i64,
        p: &Payload,
        result: Result<Vec<Report>, String>,
    ) -> Result<(), DatasetError> {
        self.stats.inputs += 1;
        let reports = match result {
            Ok(r) => r,
            Err(e) => {
                self.stats.errors += 1;
                vec![Report {
                    source: p.source.clone(),
                    error: Some(e),
                    ..Default::default()
                }]
            }
        };
        for (part, r) in reports.iter().enumerate() {
            let k = keys(r);
            let division = p
                .source_name
                .as_ref()
                .and_then(|n| self.opts.source_divisions.get(n))
                .map(String::as_str);
            let site_id = r
                .page
                .as_ref()
                .and_then(|pg| pg.get("site_id"))
                .and_then(|v| v.as_str());
            let ident = identify(&IdentityInput {
                agency: k.agency.as_deref(),
                title: r.title.as_deref(),
                year: k.year,
                site_id_code: site_id,
                source_division: division,
            });
            let akey = ident
                .agency_id
                .clone()
                .or_else(|| k.agency.as_deref().map(agency_key));
            let body = serde_json::to_vec(r).map_err(|e| DatasetError::Spill {
                path: self.spill.path().display().to_string(),
                cause: format!("cannot serialise report {}: {e}", r.source),
            })?;
            self.spill.sq(self.spill.conn.execute(
                "INSERT INTO reports(pid, part, source, latest, agency, akey, year, format, fp, found, \
                 failed, error, published, image_only, first_at, last_at, x1, ident, body) \
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)",
                params![
                    pid,
                    part as i64,
                    p.source,
                    p.latest,
                    k.agency,
                    akey,
                    k.year,
                    k.format,
                    k.fingerprint,
                    k.found,
                    k.failed,
                    k.error,
                    k.published,
                    k.image_only,
                    p.first_at,
                    p.last_at,
                    k.x1,
                    (!ident.is_empty()).then(|| ident.to_json()),
                    body
                ],
            ))?;
            let rid = self.spill.conn.last_insert_rowid();
            if self.archive_mode && p.latest {
                for a in &r.attachments {
                    self.spill.sq(self.spill.conn.execute(
                        "INSERT INTO links(rid, url) VALUES (?1, ?2)",
                        params![rid, a],
                    ))?;
                }
            }
            self.tick()?;
        }
        Ok(())
    }

    /// Step 1 for archives: every successful fetch of a report or attachment, collapsed into
    /// payloads (runs of equal bytes per URL, in fetch order across all archives).
    pub fn load_archives(&mut self, archives: &[&Archive]) -> Result<(), DatasetError> {
        for (ai, a) in archives.iter().enumerate() {
            let conn = a.index().connection();
            let mut st = conn
                .prepare(
                    "SELECT id, url, role, referrer, content_type, payload_sha256, fetched_at, \
                     warc_file, warc_offset FROM records \
                     WHERE outcome = 'ok' AND role IN ('report', 'attachment')",
                )
                .map_err(nianbao_archive::ArchiveError::from)?;
            let mut rows = st.query([]).map_err(nianbao_archive::ArchiveError::from)?;
            while let Some(r) = rows.next().map_err(nianbao_archive::ArchiveError::from)? {
                let get = |i| r.get::<_, Option<String>>(i);
                let vals = (|| -> rusqlite::Result<_> {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        get(2)?,
                        get(3)?,
                        get(4)?,
                        get(5)?,
                        r.get::<_, String>(6)?,
                        get(7)?,
                        r.get::<_, Option<i64>>(8)?,
                    ))
                })()
                .map_err(nianbao_archive::ArchiveError::from)?;
                self.spill.sq(self.spill.conn.execute(
                    "INSERT INTO fetches(archive, rec_id, url, role, referrer, content_type, sha, at, \
                     warc_file, warc_offset) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                    params![
                        ai as i64, vals.0, vals.1, vals.2, vals.3, vals.4, vals.5, vals.6, vals.7,
                        vals.8
                    ],
                ))?;
                self.tick()?;
            }
            drop(rows);
            drop(st);
            let mut st = conn
                .prepare("SELECT url, source FROM frontier WHERE source IS NOT NULL")
                .map_err(nianbao_archive::ArchiveError::from)?;
            let mut rows = st.query([]).map_err(nianbao_archive::ArchiveError::from)?;
            while let Some(r) = rows.next().map_err(nianbao_archive::ArchiveError::from)? {
                let (u, s) =
                    (|| -> rusqlite::Result<(String, String)> { Ok((r.get(0)?, r.get(1)?)) })()
                        .map_err(nianbao_archive::ArchiveError::from)?;
                self.spill.sq(self.spill.conn.execute(
                    "INSERT OR IGNORE INTO source_names(url, name) VALUES (?1, ?2)",
                    params![u, s],
                ))?;
            }
        }
        self.spill.batch(
            "COMMIT; CREATE INDEX fetches_order ON fetches(url, at, archive, rec_id); BEGIN",
        )?;
        self.pending = 0;
        // Walk every URL's fetches in time order; a run ends where the bytes change.
        let mut after: Option<(String, String, i64, i64)> = None;
        let mut run: Option<Payload> = None;
        loop {
            let batch: Vec<(Payload, String)> = {
                let sql = "SELECT f.archive, f.rec_id, f.url, f.role, f.referrer, f.content_type, \
                    f.sha, f.at, f.warc_file, f.warc_offset, \
                    COALESCE(s.name, (SELECT name FROM source_names WHERE url = f.referrer)) \
                    FROM fetches f LEFT JOIN source_names s ON s.url = f.url \
                    WHERE (?1 IS NULL OR (f.url, f.at, f.archive, f.rec_id) > (?1, ?2, ?3, ?4)) \
                    ORDER BY f.url, f.at, f.archive, f.rec_id LIMIT 1024";
                let mut st = self.spill.sq(self.spill.conn.prepare_cached(sql))?;
                let (u, t, a, r) = after
                    .clone()
                    .map_or((None, None, None, None), |(u, t, a, r)| {
                        (Some(u), Some(t), Some(a), Some(r))
                    });
                let rows = st.query_map(params![u, t, a, r], |r| {
                    let url: String = r.get(2)?;
                    let at: String = r.get(7)?;
                    Ok((
                        Payload {
                            archive: Some(r.get(0)?),
                            rec_id: Some(r.get(1)?),
                            url: Some(url.clone()),
                            source: url,
                            role: r.get(3)?,
                            referrer: r.get(4)?,
                            content_type: r.get(5)?,
                            sha: r.get(6)?,
                            first_at: Some(at.clone()),
                            last_at: Some(at.clone()),
                            warc_file: r.get(8)?,
                            warc_offset: r.get(9)?,
                            source_name: r.get(10)?,
                            latest: false,
                        },
                        at,
                    ))
                });
                let rows = self.spill.sq(rows)?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(self.spill.sq(r)?);
                }
                out
            };
            let Some((last, at)) = batch.last() else {
                break;
            };
            after = Some((
                last.source.clone(),
                at.clone(),
                last.archive.unwrap_or(0),
                last.rec_id.unwrap_or(0),
            ));
            for (f, _) in batch {
                match run.take() {
                    Some(mut cur) if cur.url == f.url && cur.sha == f.sha => {
                        // The same bytes again: the run now ends at this (latest) fetch.
                        cur.last_at = f.last_at;
                        cur.archive = f.archive;
                        cur.rec_id = f.rec_id;
                        cur.warc_file = f.warc_file;
                        cur.warc_offset = f.warc_offset;
                        cur.content_type = f.content_type.or(cur.content_type);
                        run = Some(cur);
                    }
                    Some(mut cur) => {
                        cur.latest = cur.url != f.url;
                        self.insert_payload(&cur)?;
                        self.tick()?;
                        run = Some(f);
                    }
                    None => run = Some(f),
                }
            }
        }
        if let Some(mut cur) = run {
            cur.latest = true;
            self.insert_payload(&cur)?;
        }
        self.spill.batch("COMMIT; BEGIN")?;
        self.pending = 0;
        Ok(())
    }

    /// Step 2 for archives: read and extract every payload, a parallel chunk at a time.
    /// With `record_status` the extraction status of each latest fetch is stored in its index.
    pub fn extract_archives(
        &mut self,
        archives: &[&Archive],
        record_status: bool,
    ) -> Result<(), DatasetError> {
        let chunk = (rayon::current_num_threads() * 4).max(16) as i64;
        let mut after = 0i64;
        let archive_of = |p: &Payload| p.archive.and_then(|i| archives.get(i as usize));
        loop {
            let batch: Vec<(i64, Payload)> = {
                let mut st = self.spill.sq(self.spill.conn.prepare_cached(
                    "SELECT pid, archive, rec_id, url, source, role, referrer, content_type, sha, \
                     first_at, last_at, warc_file, warc_offset, source_name, latest FROM payloads \
                     WHERE pid > ?1 ORDER BY pid LIMIT ?2",
                ))?;
                let rows = self.spill.sq(st.query_map(params![after, chunk], |r| {
                    Ok((
                        r.get(0)?,
                        Payload {
                            archive: r.get(1)?,
                            rec_id: r.get(2)?,
                            url: r.get(3)?,
                            source: r.get(4)?,
                            role: r.get(5)?,
                            referrer: r.get(6)?,
                            content_type: r.get(7)?,
                            sha: r.get(8)?,
                            first_at: r.get(9)?,
                            last_at: r.get(10)?,
                            warc_file: r.get(11)?,
                            warc_offset: r.get(12)?,
                            source_name: r.get(13)?,
                            latest: r.get(14)?,
                        },
                    ))
                }))?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(self.spill.sq(r)?);
                }
                out
            };
            let Some(last) = batch.last() else { break };
            after = last.0;
            // A quarantined document (it crashed a parser, hit a limit or timed out before)
            // is not read again unless asked: the same bytes would do it again.
            let mut quarantined: Vec<Option<nianbao_archive::Quarantined>> =
                Vec::with_capacity(batch.len());
            for (_, p) in &batch {
                let q = match (archive_of(p), &p.sha) {
                    (Some(a), Some(sha)) if !sha.is_empty() => a.index().quarantined(sha)?,
                    _ => None,
                };
                quarantined.push(q);
            }
            // Reading is sequential (the archive handle is not shared between threads);
            // extraction is parallel.
            let bodies: Vec<Result<Vec<u8>, String>> = batch
                .iter()
                .zip(&quarantined)
                .map(|((_, p), q)| {
                    if let (Some(q), false) = (q, self.opts.retry_poisoned) {
                        return Err(format!(
                            "quarantined since {} (not read again; --retry-poisoned reads it): {}",
                            q.first_seen, q.reason
                        ));
                    }
                    let a = archive_of(p).ok_or_else(|| "no archive".to_string())?;
                    let row = RecordRow {
                        id: p.rec_id.unwrap_or(0),
                        url: p.source.clone(),
                        warc_file: p.warc_file.clone().unwrap_or_default(),
                        warc_offset: p.warc_offset.unwrap_or(0),
                        ..Default::default()
                    };
                    a.read_response(&row).map(|s| s.http.body).map_err(|e| {
                        tracing::warn!(url = %p.source, error = %e, "cannot read archived record");
                        e.to_string()
                    })
                })
                .collect();
            let isolation = &self.opts.isolation;
            // `(reports or why not, whether the failure poisons the bytes)`.
            let results: Vec<(Result<Vec<Report>, String>, bool)> = batch
                .par_iter()
                .zip(bodies.into_par_iter())
                .map(|((_, p), body)| {
                    let body = match body {
                        Ok(b) => b,
                        Err(e) => return (Err(e), false),
                    };
                    let hint = InputHint {
                        source: p.source.clone(),
                        content_type: p.content_type.clone(),
                        referrer: p.referrer.clone(),
                    };
                    match nianbao_sandbox::extract(&body, &hint, isolation) {
                        Ok(r) => (Ok(r), false),
                        Err(f) => (Err(f.reason), f.poison),
                    }
                })
                .collect();
            for (((pid, p), (res, poison)), q) in batch.iter().zip(results).zip(quarantined) {
                let index = archive_of(p).map(|a| a.index());
                let sha = p.sha.as_deref().unwrap_or_default();
                match (&res, &q) {
                    (Err(_), Some(q)) if !self.opts.retry_poisoned => {
                        self.stats
                            .quarantined
                            .push((p.source.clone(), q.reason.clone()));
                    }
                    (Err(why), _) if poison => {
                        tracing::warn!(url = %p.source, reason = %why, "document quarantined");
                        self.stats.quarantined.push((p.source.clone(), why.clone()));
                        if let (true, Some(ix), false) = (record_status, index, sha.is_empty()) {
                            ix.quarantine(sha, &p.source, why, p.rec_id)?;
                        }
                    }
                    (Ok(_), Some(_)) => {
                        if let (true, Some(ix)) = (record_status, index) {
                            ix.release(sha)?;
                        }
                    }
                    _ => {}
                }
                let status = match &res {
                    Ok(r) => format!("ok:{}", r.len()),
                    Err(e) => format!("error: {e}"),
                };
                if record_status && p.latest {
                    if let (Some(ix), Some(id)) = (index, p.rec_id) {
                        ix.set_extraction(id, &status)?;
                    }
                }
                self.insert_reports(*pid, p, res)?;
            }
        }
        self.spill.batch("COMMIT; BEGIN")?;
        self.pending = 0;
        Ok(())
    }

    /// Coverage of listed links that never gave a report: the reason from the latest fetch
    /// (404, blocked, robots.txt, other failures); agency and year from the link's title on
    /// the listing page.
    pub fn listed_failures(&mut self, archives: &[&Archive]) -> Result<(), DatasetError> {
        let ae = nianbao_archive::ArchiveError::from;
        for a in archives {
            let conn = a.index().connection();
            let failures: Vec<(String, String, Option<String>, Option<String>)> = {
                let mut st = conn
                    .prepare(
                        "SELECT url, state, referrer, source FROM frontier WHERE role = 'report' \
                         AND NOT EXISTS (SELECT 1 FROM records r WHERE r.url = frontier.url AND r.outcome = 'ok') \
                         ORDER BY referrer, url",
                    )
                    .map_err(ae)?;
                let rows = st
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .map_err(ae)?;
                rows.collect::<Result<_, _>>().map_err(ae)?
            };
            let mut listing: Option<(String, Vec<nianbao_html::Link>)> = None;
            for (url, state, referrer, source) in failures {
                let found_elsewhere: Option<i64> = self.spill.sq(self
                    .spill
                    .conn
                    .query_row(
                        "SELECT 1 FROM payloads WHERE url = ?1 LIMIT 1",
                        params![url],
                        |r| r.get(0),
                    )
                    .optional())?;
                if found_elsewhere.is_some() {
                    continue;
                }
                let last: Option<(String, Option<i64>)> = conn
                    .query_row(
                        "SELECT outcome, status FROM records WHERE url = ?1 ORDER BY id DESC LIMIT 1",
                        params![url],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(ae)?;
                let reason = match (&last, state.as_str()) {
                    (_, "robots_denied") => "robots_denied",
                    (Some((o, _)), _) if o == "robots_denied" => "robots_denied",
                    (Some((_, Some(404 | 410))), _) => "listed_404",
                    (Some((o, _)), _) if o == "blocked" => "blocked",
                    (Some(_), _) => "fetch_error",
                    (None, _) => continue,
                };
                let Some(referrer) = referrer else { continue };
                if listing.as_ref().map(|l| &l.0) != Some(&referrer) {
                    let links = match a.index().latest_ok(&referrer)? {
                        Some(row) => match a.read_response(&row) {
                            Ok(s) => {
                                let cs = row.content_type.as_deref().and_then(|ct| {
                                    ct.split(';').find_map(|p| {
                                        p.trim().strip_prefix("charset=").map(str::to_string)
                                    })
                                });
                                nianbao_html::parse_page(
                                    &s.http.body,
                                    Some(&referrer),
                                    cs.as_deref(),
                                )
                                .links
                            }
                            Err(_) => Vec::new(),
                        },
                        None => Vec::new(),
                    };
                    listing = Some((referrer.clone(), links));
                }
                let title = listing.as_ref().and_then(|(_, links)| {
                    links
                        .iter()
                        .find(|l| l.url == url)
                        .map(|l| l.title.clone().unwrap_or_else(|| l.text.clone()))
                });
                let Some(title) = title else { continue };
                let r = nianbao_extract::extract_text(&title, &url);
                let (Some(agency), Some(year)) = (r.agency.clone(), r.year) else {
                    continue;
                };
                let division = source
                    .as_ref()
                    .and_then(|n| self.opts.source_divisions.get(n))
                    .map(String::as_str);
                let ident = identify(&IdentityInput {
                    agency: Some(&agency),
                    title: Some(&title),
                    year: Some(year),
                    site_id_code: None,
                    source_division: division,
                });
                let akey = ident
                    .agency_id
                    .clone()
                    .unwrap_or_else(|| agency_key(&agency));
                self.spill.sq(self.spill.conn.execute(
                    "INSERT INTO cov(akey, agency, ident, year, found, reason, url) \
                     VALUES (?1,?2,?3,?4,0,?5,?6)",
                    params![
                        akey,
                        agency,
                        (!ident.is_empty()).then(|| ident.to_json()),
                        year,
                        reason,
                        url
                    ],
                ))?;
            }
        }
        Ok(())
    }

    /// Step 3: current pages and their current attachments holding the same report.
    fn merge_pages(&mut self) -> Result<(), DatasetError> {
        // Attachments known from the archive (fetched with the page as referrer).
        self.spill.batch(
            "INSERT INTO links(rid, url) SELECT r.rid, p.url FROM payloads p \
             JOIN reports r ON r.source = p.referrer AND r.latest = 1 \
             WHERE p.role = 'attachment' AND p.latest = 1 \
             AND NOT EXISTS (SELECT 1 FROM links l WHERE l.rid = r.rid AND l.url = p.url)",
        )?;
        type Cand = (i64, Option<i64>, i64, i64);
        let groups: Vec<(Cand, Vec<Cand>)> = {
            let mut st = self.spill.sq(self.spill.conn.prepare(
                "SELECT p.rid, p.year, p.found, p.failed, a.rid, a.year, a.found, a.failed \
                 FROM links l JOIN reports p ON p.rid = l.rid \
                 JOIN reports a ON a.source = l.url AND a.latest = 1 AND a.error = 0 \
                 WHERE p.latest = 1 AND p.error = 0 AND a.rid != p.rid \
                 ORDER BY p.source, p.part, a.source, a.part",
            ))?;
            let rows = self.spill.sq(st.query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                    (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?),
                ))
            }))?;
            let mut groups: Vec<(Cand, Vec<Cand>)> = Vec::new();
            for r in rows {
                let (page, att): (Cand, Cand) = self.spill.sq(r)?;
                match groups.last_mut() {
                    Some((p, atts)) if p.0 == page.0 => atts.push(att),
                    _ => groups.push((page, vec![att])),
                }
            }
            groups
        };
        let mut claimed: HashSet<i64> = HashSet::new();
        for (page, atts) in groups {
            if claimed.contains(&page.0) {
                continue;
            }
            let atts: Vec<Cand> = atts
                .into_iter()
                .filter(|a| {
                    !claimed.contains(&a.0) && (a.1.is_none() || page.1.is_none() || a.1 == page.1)
                })
                .collect();
            if atts.is_empty() {
                continue;
            }
            // The better reading: more cells, then fewer failed checks; an attachment wins a
            // tie (the page is usually the wrapper).
            let quality = |c: &Cand| (c.2, -c.3);
            let mut keep = atts[0];
            for c in atts.iter().skip(1).chain(std::iter::once(&page)) {
                if quality(c) > quality(&keep) {
                    keep = *c;
                }
            }
            let mut others: Vec<i64> = atts.iter().map(|a| a.0).collect();
            others.push(page.0);
            others.retain(|r| *r != keep.0);
            for o in &others {
                claimed.insert(*o);
                self.spill.sq(self.spill.conn.execute(
                    "UPDATE reports SET merged_into = ?1 WHERE rid = ?2",
                    params![keep.0, o],
                ))?;
            }
            claimed.insert(keep.0);
            let page_rid = (keep.0 != page.0).then_some(page.0);
            self.spill.sq(self.spill.conn.execute(
                "INSERT INTO keeps(rid, page, alts) VALUES (?1, ?2, ?3)",
                params![keep.0, page_rid, serde_json::json!(others).to_string()],
            ))?;
            if let Some(pr) = page_rid {
                // An attachment rarely names its agency in a findable title; the page does.
                self.spill.sq(self.spill.conn.execute(
                    "UPDATE reports SET \
                       agency = COALESCE(agency, (SELECT agency FROM reports WHERE rid = ?2)), \
                       akey = COALESCE(akey, (SELECT akey FROM reports WHERE rid = ?2)), \
                       ident = COALESCE(ident, (SELECT ident FROM reports WHERE rid = ?2)), \
                       year = COALESCE(year, (SELECT year FROM reports WHERE rid = ?2)), \
                       published = COALESCE(published, (SELECT published FROM reports WHERE rid = ?2)) \
                     WHERE rid = ?1",
                    params![keep.0, pr],
                ))?;
            }
        }
        Ok(())
    }

    /// Step 4a: the report every extracted reading belongs to (`gkey`).
    fn assign_groups(&mut self) -> Result<(), DatasetError> {
        if !self.archive_mode {
            return self.batch_sql("UPDATE reports SET gkey = 'r:' || rid");
        }
        self.batch_sql(
            "UPDATE reports SET gkey = CASE WHEN error = 0 AND akey IS NOT NULL AND year IS NOT NULL \
               THEN 'a:' || akey || '|' || year ELSE 'u:' || source || '#' || part END \
             WHERE latest = 1 AND merged_into IS NULL;
             UPDATE reports SET gkey = (SELECT k.gkey FROM reports k WHERE k.rid = reports.merged_into) \
             WHERE merged_into IS NOT NULL;
             UPDATE reports SET gkey = 'a:' || akey || '|' || year \
             WHERE latest = 0 AND error = 0 AND akey IS NOT NULL AND year IS NOT NULL;
             UPDATE reports SET gkey = (SELECT l.gkey FROM reports l WHERE l.latest = 1 \
               AND l.source = reports.source AND l.part = reports.part \
               AND (reports.year IS NULL OR l.year IS NULL OR l.year = reports.year)) \
             WHERE latest = 0 AND error = 0 AND gkey IS NULL;
             UPDATE reports SET gkey = 'u:' || source || '#' || part || '#y' || year \
             WHERE latest = 0 AND error = 0 AND gkey IS NULL AND year IS NOT NULL;
             CREATE INDEX reports_gkey ON reports(gkey, first_at, source, part);",
        )
    }

    fn batch_sql(&mut self, sql: &str) -> Result<(), DatasetError> {
        self.spill.batch(sql)
    }

    /// Step 4b: versions and the row of every report.
    fn build_rows(&mut self) -> Result<(), DatasetError> {
        #[derive(Clone)]
        struct M {
            rid: i64,
            first_at: Option<String>,
            last_at: Option<String>,
            fp: String,
            found: i64,
            failed: i64,
            latest: bool,
            source: String,
            part: i64,
            akey: Option<String>,
            year: Option<i64>,
        }
        fn pick(ms: &[&M]) -> Option<M> {
            ms.iter()
                .min_by(|a, b| {
                    // Not by fetch time: two crawls of the same sites pick the same copy.
                    (!a.latest, -a.found, a.failed, &a.source, a.part)
                        .cmp(&(!b.latest, -b.found, b.failed, &b.source, b.part))
                })
                .map(|m| (*m).clone())
        }
        let mut after: Option<String> = None;
        loop {
            // One page of group keys, then each group's members.
            let gkeys: Vec<String> = {
                let mut st = self.spill.sq(self.spill.conn.prepare_cached(
                    "SELECT DISTINCT gkey FROM reports WHERE gkey IS NOT NULL AND merged_into IS NULL \
                     AND (?1 IS NULL OR gkey > ?1) ORDER BY gkey LIMIT ?2",
                ))?;
                let rows = self
                    .spill
                    .sq(st.query_map(params![after, PAGE], |r| r.get(0)))?;
                rows.collect::<Result<_, _>>()
                    .map_err(|e| DatasetError::spill(self.spill.path(), e))?
            };
            let Some(last) = gkeys.last() else { break };
            after = Some(last.clone());
            for g in gkeys {
                let members: Vec<M> = {
                    let mut st = self.spill.sq(self.spill.conn.prepare_cached(
                        "SELECT rid, first_at, last_at, fp, found, failed, latest, source, part, akey, year \
                         FROM reports WHERE gkey = ?1 AND merged_into IS NULL \
                         ORDER BY first_at, source, part, rid",
                    ))?;
                    let rows = self.spill.sq(st.query_map(params![g], |r| {
                        Ok(M {
                            rid: r.get(0)?,
                            first_at: r.get(1)?,
                            last_at: r.get(2)?,
                            fp: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                            found: r.get(4)?,
                            failed: r.get(5)?,
                            latest: r.get(6)?,
                            source: r.get(7)?,
                            part: r.get(8)?,
                            akey: r.get(9)?,
                            year: r.get(10)?,
                        })
                    }))?;
                    rows.collect::<Result<_, _>>()
                        .map_err(|e| DatasetError::spill(self.spill.path(), e))?
                };
                // A reading without any value (a wrapper page, an empty copy) is not a version
                // of a report that has values; a current one is kept as an alternative.
                let any_found = members.iter().any(|m| m.found > 0);
                let cands: Vec<&M> = members
                    .iter()
                    .filter(|m| m.found > 0 || !any_found)
                    .collect();
                let empties: Vec<i64> = members
                    .iter()
                    .filter(|m| any_found && m.found == 0 && m.latest)
                    .map(|m| m.rid)
                    .collect();
                let mut versions: Vec<Vec<&M>> = Vec::new();
                for m in cands {
                    match versions.last_mut() {
                        Some(v) if v[0].fp == m.fp => v.push(m),
                        _ => versions.push(vec![m]),
                    }
                }
                let Some(row_version) = versions.last() else {
                    continue;
                };
                let Some(rep) = pick(row_version) else {
                    continue;
                };
                let mut alts: Vec<i64> = row_version
                    .iter()
                    .map(|m| m.rid)
                    .filter(|r| *r != rep.rid)
                    .collect();
                alts.extend(empties);
                let first_seen = row_version.iter().filter_map(|m| m.first_at.clone()).min();
                let n = versions.len() as i64;
                self.spill.sq(self.spill.conn.execute(
                    "INSERT INTO rows(rid, source, part, akey, year, version, first_seen, alts, report_id) \
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                    params![
                        rep.rid,
                        rep.source,
                        rep.part,
                        rep.akey,
                        rep.year,
                        self.archive_mode.then_some(n),
                        first_seen,
                        (!alts.is_empty()).then(|| serde_json::json!(alts).to_string()),
                        row_id(&rep.source, rep.part, rep.latest, rep.first_at.as_deref())
                    ],
                ))?;
                if self.archive_mode {
                    for (i, v) in versions.iter().enumerate() {
                        let Some(vr) = pick(v) else { continue };
                        self.spill.sq(self.spill.conn.execute(
                            "INSERT INTO versions(row, version, rid, first_seen, last_seen) \
                             VALUES (?1,?2,?3,?4,?5)",
                            params![
                                rep.rid,
                                i as i64 + 1,
                                vr.rid,
                                v.iter().filter_map(|m| m.first_at.clone()).min(),
                                v.iter().filter_map(|m| m.last_at.clone()).max()
                            ],
                        ))?;
                    }
                }
                self.tick()?;
            }
        }
        Ok(())
    }

    /// Steps 3-5, then publish the set.
    pub fn finish(mut self) -> Result<DatasetStats, DatasetError> {
        self.spill.batch("COMMIT; BEGIN")?;
        if self.archive_mode {
            self.merge_pages()?;
        }
        self.assign_groups()?;
        self.build_rows()?;
        self.spill.batch("COMMIT; BEGIN")?;
        self.pending = 0;
        let tables = Tables::new(self.opts.names);
        let mut outs = Outputs::new(&self.publication.dir(), tables, &self.opts)?;
        crate::write::rows(&self.spill, &mut outs, &self.opts, &mut self.stats)?;
        crate::write::versions(&self.spill, &mut outs, &self.opts)?;
        crate::coverage::write(&self.spill, &mut outs, &self.opts)?;
        outs.finish()?;
        let Builder {
            spill,
            publication,
            stats,
            ..
        } = self;
        drop(spill);
        publication.commit()?;
        Ok(stats)
    }
}
