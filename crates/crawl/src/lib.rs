//! nianbao-crawl: a polite, resumable crawler for the 政府信息公开工作年度报告 columns of
//! Chinese government sites. It fetches and archives; the dataset is built from the archive
//! by `nianbao-dataset`.
//!
//! Design (Scrapy-style separation, one concern per module):
//!
//! * [`config`]: `config.toml` (sources, crawl limits, politeness, storage, demo).
//! * [`discover`]: listing pages → report pages and attachments; one adapter per CMS shape
//!   (generic anchors, TRS `createPageHTML`, Hanweb datastore/dataproxy, JSON list APIs).
//! * [`scheduler`] (engine + scheduler): owns the archive and the run's state, pages
//!   through the frontier per host, starts requests as tokio tasks, group-commits results.
//! * [`downloader`]: the downloader with its middleware-like steps: scheme preference,
//!   robots.txt ([`robots`]: one policy for every request), fetch, scheme fallback.
//! * [`fetch`]: reqwest on tokio; per-host gates ([`politeness`]), timeouts, body cap,
//!   retries with backoff + jitter (DNS and connection failures included), Retry-After,
//!   conditional requests, manual redirects with one budget per request across hosts and
//!   scope checks ([`scope`]: allowed hosts, special-purpose addresses refused through the
//!   pinning resolver of [`resolve`]), anti-bot classification ([`classify`]: recorded as
//!   `blocked(vendor)`, never bypassed). [`request`]: typed requests (method, body).
//! * [`process`]: discovery and WARC preparation of a finished download, on a worker
//!   thread of [`pool`].
//! * Archive: every attempt goes to WARC files and the SQLite index of `nianbao-archive`,
//!   which is also the crawl state (frontier, runs). A killed crawl resumes its run.
//! * [`run`]: one run from configuration to summary; [`summary`]: per-host run summary;
//!   [`serve`]: a tiny HTTP server for the offline demo and the tests.
//!
//! Per-URL failures are data (recorded and summarised); only configuration and storage
//! problems are errors.

#![warn(missing_docs)]

pub mod classify;
pub mod config;
pub mod discover;
pub mod downloader;
pub mod fetch;
pub mod politeness;
pub mod pool;
pub mod process;
pub mod registry;
pub mod request;
pub mod resolve;
pub mod robots;
pub mod run;
pub mod scheduler;
pub mod scope;
pub mod select;
pub mod serve;
pub mod summary;

pub use config::Config;
pub use run::{run, RunReport};
pub use summary::Summary;

use nianbao_archive::{Archive, FrontierState, NewItem};
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
    /// The final [`Outcome`] as stored (`ok`, `blocked`, `failed`, `http_error`,
    /// `refused`, `redirect`, ...), or `robots_denied` when nothing was requested.
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
    let host = scope::host_key(&parsed);
    let allowed = Arc::new([host.clone()].into_iter().collect());
    let downloader = downloader::Downloader::new(cfg, allowed)?;
    let mut req = request::Request::get(parsed.clone(), discover::Role::parse(role));
    req.referrer = referrer.map(str::to_string);
    archive.index_mut().enqueue(
        run_id,
        &[NewItem {
            url: req.key.clone(),
            host,
            role: req.role.as_str().into(),
            revisit: true,
            ..Default::default()
        }],
    )?;
    let dl = downloader.download(&req, run_id).await;
    for ex in dl.robots.iter().flat_map(|f| f.attempts.iter()) {
        archive.store(ex, None, &[])?;
    }
    if dl.denied {
        archive
            .index()
            .set_state(&req.key, FrontierState::RobotsDenied)?;
        archive.index().finish_run(run_id)?;
        return Ok(FetchedRecord {
            url: url.to_string(),
            final_url: url.to_string(),
            status: None,
            outcome: FrontierState::RobotsDenied.as_str().into(),
            error_kind: Some("robots_denied".into()),
            content_type: None,
            body: Vec::new(),
            record_id: 0,
            warc_file: String::new(),
        });
    }
    let mut attempts = dl.fetched.attempts;
    let last = attempts.pop();
    for ex in &attempts {
        archive.store(ex, None, &[])?;
    }
    let Some(last) = last else {
        archive.index().set_state(&req.key, FrontierState::Failed)?;
        archive.index().finish_run(run_id)?;
        return Err(CrawlError::BadUrl(url.to_string()));
    };
    let state = if last.outcome.is_success() {
        FrontierState::Done
    } else {
        FrontierState::Failed
    };
    let row = archive.store(&last, Some((&req.key, state)), &[])?;
    archive.index().finish_run(run_id)?;
    let response = last.response;
    Ok(FetchedRecord {
        url: url.to_string(),
        final_url: last.url,
        status: response.as_ref().map(|r| r.status),
        outcome: last.outcome.as_str().into(),
        error_kind: last.error_kind,
        content_type: response
            .as_ref()
            .and_then(|r| r.header("content-type"))
            .map(str::to_string),
        body: response.map(|r| r.body).unwrap_or_default(),
        record_id: row.id,
        warc_file: row.warc_file,
    })
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
