//! nianbao-crawl: a polite, resumable crawler for the 政府信息公开工作年度报告 columns of
//! Chinese government sites. It fetches and archives; the dataset is built from the archive
//! by `nianbao-dataset`.
//!
//! Design (Scrapy-style separation, one concern per module):
//!
//! * [`config`]: `config.toml` (sources, crawl limits, politeness, storage, demo).
//! * [`discover`]: listing pages → report pages and attachments; one adapter per CMS shape
//!   (generic anchors, TRS `createPageHTML`, Hanweb datastore/dataproxy, JSON list APIs).
//! * [`fetch`]: reqwest on tokio; per-host gates ([`politeness`]), robots.txt ([`robots`]),
//!   timeouts, body cap, retries with backoff + jitter, Retry-After, conditional requests,
//!   manual redirects with scope checks ([`scope`]: allowed hosts, no private addresses),
//!   anti-bot classification ([`classify`]: recorded as `blocked(vendor)`, never bypassed).
//! * Archive: every attempt goes to WARC files and the SQLite index of `nianbao-archive`,
//!   which is also the crawl state (frontier, runs). A killed crawl resumes its run.
//! * [`run`]: the scheduler; [`summary`]: per-host run summary; [`serve`]: a tiny HTTP server for the offline demo
//!   and the tests.
//!
//! Per-URL failures are data (recorded and summarised); only configuration and storage
//! problems are errors.

#![warn(missing_docs)]

pub mod classify;
pub mod config;
pub mod discover;
pub mod fetch;
pub mod politeness;
pub mod robots;
pub mod run;
pub mod scope;
pub mod serve;
pub mod summary;

pub use config::Config;
pub use run::{run, RunReport};
pub use summary::Summary;

use nianbao_archive::{Archive, NewItem};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// Fatal errors of a crawl (per-URL failures are not errors).
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// Archive or index failure (unwritable data dir, corrupt index).
    #[error("archive: {0}")]
    Archive(#[from] nianbao_archive::ArchiveError),
    /// File system error outside the archive.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    /// A URL argument is invalid.
    #[error("bad URL {0}")]
    BadUrl(String),
}

/// One URL fetched, archived and read back (for `nianbao extract URL`).
#[derive(Debug, Clone)]
pub struct FetchedRecord {
    /// Requested URL.
    pub url: String,
    /// URL of the final answer (after same-host redirects).
    pub final_url: String,
    /// HTTP status of the final answer, if any.
    pub status: Option<u16>,
    /// `ok`, `blocked`, `failed`, `http_error`, `refused`, `redirect`, ...
    pub outcome: String,
    /// Failure or block kind.
    pub error_kind: Option<String>,
    /// Content-Type of the final answer.
    pub content_type: Option<String>,
    /// Body of the final answer.
    pub body: Vec<u8>,
    /// Index row id of the final answer.
    pub record_id: i64,
    /// WARC file holding it.
    pub warc_file: String,
}

/// Fetch one URL once (robots.txt and politeness obeyed), archive every attempt under
/// `data_dir`, and return the final answer.
pub async fn fetch_once(
    url: &str,
    data_dir: &Path,
    cfg: &Config,
) -> Result<FetchedRecord, CrawlError> {
    fetch_once_as(url, "report", None, data_dir, cfg).await
}

/// [`fetch_once`] for a URL of a given crawl role (`report`, `attachment`) linked from
/// `referrer`, archived as the crawl would archive it (an attachment may sit on another host).
pub async fn fetch_once_as(
    url: &str,
    role: &str,
    referrer: Option<&str>,
    data_dir: &Path,
    cfg: &Config,
) -> Result<FetchedRecord, CrawlError> {
    let parsed = url::Url::parse(url).map_err(|_| CrawlError::BadUrl(url.to_string()))?;
    std::fs::create_dir_all(data_dir).map_err(|e| CrawlError::Io {
        path: data_dir.display().to_string(),
        source: e,
    })?;
    let mut archive = Archive::open(data_dir)?;
    let run_id = archive.index().start_run("fetch_once")?;
    let cfg = Arc::new(cfg.clone());
    let gates = Arc::new(politeness::Gates::new());
    let fetcher = fetch::Fetcher::new(cfg.clone(), gates)?;
    let host = scope::host_key(&parsed);
    let allowed: Arc<HashSet<String>> = Arc::new([host.clone()].into_iter().collect());
    let item = |u: &url::Url, role: &str| NewItem {
        url: u.to_string(),
        host: host.clone(),
        role: role.into(),
        depth: 0,
        referrer: (role != "robots")
            .then(|| referrer.map(str::to_string))
            .flatten(),
        source: None,
        revisit: true,
    };
    if cfg.politeness.respect_robots {
        let mut ru = parsed.clone();
        ru.set_path("/robots.txt");
        ru.set_query(None);
        archive
            .index_mut()
            .enqueue(run_id, &[item(&ru, "robots")])?;
        let job = fetch::Job {
            url: ru.clone(),
            role: "robots".into(),
            referrer: None,
            validators: None,
            allowed: allowed.clone(),
            run_id,
        };
        let got = fetcher.fetch(&job).await;
        let mut robots = robots::Robots::AllowAll;
        for (i, ex) in got.attempts.iter().enumerate() {
            let last = i + 1 == got.attempts.len();
            if last && ex.outcome != "refused" {
                // (a refused robots.txt means a refused host: the page fetch reports it)
                robots = robots::Robots::from_answer(
                    ex.response.as_ref().map(|r| r.status),
                    ex.response
                        .as_ref()
                        .map(|r| r.body.as_slice())
                        .unwrap_or(&[]),
                    &cfg.politeness.user_agent,
                );
            }
            archive.store(ex, last.then_some((ru.as_str(), "done")), &[])?;
        }
        if !robots.allowed(parsed.as_str()) {
            archive
                .index_mut()
                .enqueue(run_id, &[item(&parsed, role)])?;
            archive
                .index()
                .set_state(parsed.as_str(), "robots_denied")?;
            archive.index().finish_run(run_id)?;
            return Ok(FetchedRecord {
                url: url.to_string(),
                final_url: url.to_string(),
                status: None,
                outcome: "robots_denied".into(),
                error_kind: Some("robots_denied".into()),
                content_type: None,
                body: Vec::new(),
                record_id: 0,
                warc_file: String::new(),
            });
        }
    }
    archive
        .index_mut()
        .enqueue(run_id, &[item(&parsed, role)])?;
    let job = fetch::Job {
        url: parsed.clone(),
        role: role.into(),
        referrer: referrer.map(str::to_string),
        validators: None,
        allowed,
        run_id,
    };
    let got = fetcher.fetch(&job).await;
    let mut result = None;
    for (i, ex) in got.attempts.iter().enumerate() {
        let last = i + 1 == got.attempts.len();
        let state = if matches!(ex.outcome.as_str(), "ok" | "not_modified") {
            "done"
        } else {
            "failed"
        };
        let row = archive.store(ex, last.then_some((parsed.as_str(), state)), &[])?;
        if last {
            result = Some(FetchedRecord {
                url: url.to_string(),
                final_url: ex.url.clone(),
                status: ex.response.as_ref().map(|r| r.status),
                outcome: ex.outcome.clone(),
                error_kind: ex.error_kind.clone(),
                content_type: ex
                    .response
                    .as_ref()
                    .and_then(|r| r.header("content-type"))
                    .map(str::to_string),
                body: ex
                    .response
                    .as_ref()
                    .map(|r| r.body.clone())
                    .unwrap_or_default(),
                record_id: row.id,
                warc_file: row.warc_file.clone(),
            });
        }
    }
    archive.index().finish_run(run_id)?;
    result.ok_or_else(|| CrawlError::BadUrl(url.to_string()))
}

fn runtime() -> Result<tokio::runtime::Runtime, CrawlError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CrawlError::Io {
            path: "tokio runtime".into(),
            source: e,
        })
}

/// [`run`] on its own tokio runtime, for synchronous callers (the CLI).
pub fn run_blocking(cfg: Config) -> Result<RunReport, CrawlError> {
    runtime()?.block_on(run(cfg))
}

/// [`fetch_once_as`] on its own tokio runtime, for synchronous callers (the CLI).
pub fn fetch_once_as_blocking(
    url: &str,
    role: &str,
    referrer: Option<&str>,
    data_dir: &Path,
    cfg: &Config,
) -> Result<FetchedRecord, CrawlError> {
    runtime()?.block_on(fetch_once_as(url, role, referrer, data_dir, cfg))
}

/// [`fetch_once`] on its own tokio runtime, for synchronous callers (the CLI).
pub fn fetch_once_blocking(
    url: &str,
    data_dir: &Path,
    cfg: &Config,
) -> Result<FetchedRecord, CrawlError> {
    runtime()?.block_on(fetch_once(url, data_dir, cfg))
}
