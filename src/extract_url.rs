//! `nianbao extract URL`: one report page re-extracted on its own. The page is fetched once
//! (politely, archived like a crawl would), and so are the documents it attaches (and its
//! images when its tables are pictures), so a page whose tables sit in a PDF gives the PDF's
//! cells. `--from-archive` reads the newest stored copy of each instead, without network.
//! Every extraction of a URL is kept beside the archive, and the next one says what changed.

use crate::inputs::Input;
use anyhow::Context;
use nianbao_archive::Archive;
use nianbao_extract::{Report, ReportFlag};
use nianbao_ingest::{extract_bytes, InputHint};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// At most this many attachments are followed from one page (a page linking dozens of files
/// is a list page, not a report).
const MAX_ATTACHMENTS: usize = 20;

/// Where the bytes come from.
pub enum Source<'a> {
    /// Fetch now (and archive).
    Network(&'a nianbao_crawl::Config),
    /// The newest stored copy in the archive under this data directory.
    Archive(&'a Archive),
}

/// Fetched or stored bytes of one URL.
struct Got {
    body: Vec<u8>,
    hint: InputHint,
}

/// Why a fetch was refused, in words that say what to do.
fn fetch_failure(url: &str, rec: &nianbao_crawl::FetchedRecord) -> String {
    let kind = rec.error_kind.as_deref().unwrap_or("");
    match (rec.outcome.as_str(), kind) {
        (_, "private_address") => format!(
            "refused to fetch {url}: it resolves to a private or local address; pass \
             --allow-private to fetch it anyway (or set [crawl] allow_private_addresses = true)"
        ),
        // An unreachable robots.txt counts as a denial (the crawl's conservative rule).
        ("robots_denied", _) => format!(
            "cannot fetch {url}: the site's robots.txt disallows it or could not be read (is \
             the site reachable?)"
        ),
        (outcome, kind) => {
            let status = rec
                .status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default();
            format!("cannot fetch {url}: {outcome} {kind}{status}")
        }
    }
}

fn get(url: &str, referrer: Option<&str>, src: &Source) -> Result<Got, String> {
    match src {
        Source::Network(cfg) => {
            let role = if referrer.is_some() {
                "attachment"
            } else {
                "report"
            };
            let rec =
                nianbao_crawl::fetch_once_as_blocking(url, role, referrer, &cfg.storage.data, cfg)
                    .map_err(|e| format!("cannot fetch {url}: {e}"))?;
            if rec.outcome != "ok" {
                return Err(fetch_failure(url, &rec));
            }
            Ok(Got {
                body: rec.body,
                hint: InputHint {
                    source: rec.final_url,
                    content_type: rec.content_type,
                    referrer: referrer.map(str::to_string),
                },
            })
        }
        Source::Archive(archive) => {
            let row = archive
                .index()
                .latest_ok(url)
                .map_err(|e| format!("cannot read the archive: {e}"))?
                .ok_or_else(|| {
                    format!("{url} is not in the archive (fetch it once without --from-archive)")
                })?;
            let stored = archive
                .read_response(&row)
                .map_err(|e| format!("cannot read the archived copy of {url}: {e}"))?;
            Ok(Got {
                body: stored.http.body,
                hint: InputHint {
                    source: row.url.clone(),
                    content_type: row.content_type.clone(),
                    referrer: referrer.map(str::to_string),
                },
            })
        }
    }
}

fn error_report(source: &str, err: String) -> Report {
    Report {
        source: source.to_string(),
        error: Some(err),
        ..Default::default()
    }
}

/// What a page report points to for its tables: its attachments, and its images when the
/// tables are pictures.
fn linked(page: &[Report]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in page {
        let images = r
            .report_flags
            .contains(&ReportFlag::ImageOnly)
            .then_some(r.images.iter())
            .into_iter()
            .flatten();
        for u in r.attachments.iter().chain(images) {
            if u != &r.source && !out.contains(u) {
                out.push(u.clone());
            }
        }
    }
    out.truncate(MAX_ATTACHMENTS);
    out
}

/// Extract a URL and what it links to for its tables. The page's reports come first, then one
/// or more per attachment. `Err` when the page itself cannot be had.
pub fn extract_url(url: &str, src: &Source) -> Result<Vec<Report>, String> {
    let page = get(url, None, src)?;
    let mut reports = extract_bytes(&page.body, &page.hint).map_err(|e| e.to_string())?;
    if reports.is_empty() {
        reports.push(error_report(url, "no report found".into()));
    }
    for a in linked(&reports) {
        match get(&a, Some(&page.hint.source), src) {
            Ok(got) => match extract_bytes(&got.body, &got.hint) {
                Ok(found) => reports.extend(found),
                Err(e) => reports.push(error_report(&a, e.to_string())),
            },
            Err(e) => reports.push(error_report(&a, e)),
        }
    }
    Ok(reports)
}

/// Extract every URL input, one after another (the archive takes one writer at a time and
/// politeness wants one connection per host anyway), and say what changed since the earlier
/// extraction of each. `Err` only when `--from-archive` finds no archive.
pub fn extract_urls(
    inputs: &[Input],
    cfg: &nianbao_crawl::Config,
    from_archive: bool,
) -> anyhow::Result<HashMap<String, Result<Vec<Report>, String>>> {
    let urls: Vec<&String> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::Url(u) => Some(u),
            _ => None,
        })
        .collect();
    let mut out = HashMap::new();
    if urls.is_empty() {
        return Ok(out);
    }
    let data = &cfg.storage.data;
    let archive = if from_archive {
        Some(Archive::open_read_only(data).with_context(|| {
            format!(
                "--from-archive: no readable archive in {} (set [storage] data in the configuration)",
                data.display()
            )
        })?)
    } else {
        None
    };
    let src = match &archive {
        Some(a) => Source::Archive(a),
        None => Source::Network(cfg),
    };
    for u in urls {
        if out.contains_key(u) {
            continue;
        }
        let got = extract_url(u, &src);
        if let Ok(reports) = &got {
            record_and_compare(data, u, reports);
        }
        out.insert(u.clone(), got);
    }
    Ok(out)
}

/// Why a report has no cells, for the summary line; `None` when it has some.
pub fn why_no_cells(r: &Report) -> Option<&'static str> {
    if r.cells.values().any(Option::is_some) {
        return None;
    }
    if r.error.is_some() {
        return Some("the input could not be read");
    }
    let has = |f: ReportFlag| r.report_flags.contains(&f);
    Some(if has(ReportFlag::ListingPage) {
        "a list of reports, not a report"
    } else if has(ReportFlag::ImageOnly) {
        "the tables are images (OCR needed)"
    } else if has(ReportFlag::AttachmentOnly) {
        "the tables are in the attachments"
    } else if has(ReportFlag::Pre2019CellsDropped) || r.format.as_str() == "pre2019" {
        "a report under the 2007 Regulation (no national tables)"
    } else if has(ReportFlag::NoText) {
        "no text could be read"
    } else if has(ReportFlag::NoTables) {
        "no national table found"
    } else {
        "no table value could be read"
    })
}

/// The extraction history of a URL: `<data>/extractions/<sha256 of the URL>.json`.
fn history_path(data: &Path, url: &str) -> PathBuf {
    let name = nianbao_archive::warc::sha256_hex(url.as_bytes());
    data.join("extractions")
        .join(format!("{}.json", &name[..name.len().min(32)]))
}

/// The cells of each report by source, as stored and compared.
fn cells_by_source(reports: &[Report]) -> BTreeMap<String, BTreeMap<String, Value>> {
    reports
        .iter()
        .map(|r| {
            let cells = r.cells.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            (r.source.clone(), cells)
        })
        .collect()
}

fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "null".into(),
        Some(v) => v.to_string(),
    }
}

/// Lines saying what changed between two extractions (cells by source).
pub fn changes(
    before: &BTreeMap<String, BTreeMap<String, Value>>,
    after: &BTreeMap<String, BTreeMap<String, Value>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (src, now) in after {
        let Some(was) = before.get(src) else {
            out.push(format!("{src}: new in this extraction"));
            continue;
        };
        let keys: std::collections::BTreeSet<&String> = was.keys().chain(now.keys()).collect();
        for k in keys {
            let (a, b) = (was.get(k), now.get(k));
            if show(a) != show(b) {
                out.push(format!("{src}: {k}: {} → {}", show(a), show(b)));
            }
        }
    }
    for src in before.keys().filter(|s| !after.contains_key(*s)) {
        out.push(format!("{src}: no longer extracted"));
    }
    out
}

/// Compare with the earlier extraction of `url` (if any), print what changed on stderr, and
/// store this one. Failing to store is reported, not fatal: the extraction itself succeeded.
pub fn record_and_compare(data: &Path, url: &str, reports: &[Report]) {
    let path = history_path(data, url);
    let now = cells_by_source(reports);
    let earlier: Option<Value> = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    match earlier {
        Some(e) => {
            let before: BTreeMap<String, BTreeMap<String, Value>> =
                serde_json::from_value(e["cells"].clone()).unwrap_or_default();
            let when = e["extracted_at"].as_str().unwrap_or("?").to_string();
            let diff = changes(&before, &now);
            if diff.is_empty() {
                eprintln!("nianbao: {url}: same cells as the earlier extraction ({when})");
            } else {
                eprintln!(
                    "nianbao: {url}: {} change(s) against the earlier extraction ({when}):",
                    diff.len()
                );
                for d in &diff {
                    eprintln!("  {d}");
                }
            }
        }
        None => eprintln!("nianbao: {url}: first extraction of this URL"),
    }
    let record = json!({
        "url": url,
        "extracted_at": nianbao_archive::warc::warc_date(std::time::SystemTime::now()),
        "cells": now,
    });
    let write = std::fs::create_dir_all(path.parent().unwrap_or(data)).and_then(|_| {
        std::fs::write(
            &path,
            serde_json::to_vec_pretty(&record).unwrap_or_default(),
        )
    });
    if let Err(e) = write {
        eprintln!(
            "nianbao: cannot keep this extraction in {}: {e}",
            path.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn changes_name_each_changed_cell_and_new_or_gone_sources() {
        let before: BTreeMap<_, _> = [
            ("p".to_string(), m(&[("a", json!(4)), ("b", Value::Null)])),
            ("old.pdf".to_string(), m(&[])),
        ]
        .into();
        let after: BTreeMap<_, _> = [
            ("p".to_string(), m(&[("a", json!(-4)), ("b", Value::Null)])),
            ("new.pdf".to_string(), m(&[])),
        ]
        .into();
        let c = changes(&before, &after);
        assert_eq!(
            c,
            vec![
                "new.pdf: new in this extraction".to_string(),
                "p: a: 4 → -4".to_string(),
                "old.pdf: no longer extracted".to_string(),
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }
}
