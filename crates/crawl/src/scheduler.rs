//! The scheduler: it owns the archive and the crawl state of a run, hands requests to the
//! [`Downloader`] as tokio tasks (at most `per_host_concurrency` per host and
//! `max_concurrency` overall, hosts served round-robin), and commits what comes back.
//!
//! * **Frontier paging**: the frontier stays in the index; each host keeps at most
//!   [`QUEUE_PER_HOST`] entries in memory and pages through the rest by sequence number, so
//!   memory does not grow with the number of URLs.
//! * **Group commit**: results that finish together are committed together (one fsync of
//!   the WARC file, one index transaction). A request counts as done only once its commit
//!   returned, so a `kill -9` at any moment loses nothing reported done; the next run
//!   resumes the unfinished one.
//! * **Budgets**: `max_pages_per_host` requests per host and run (robots.txt and revisits
//!   answered 304 not counted); the rest of the host's frontier is recorded `over_budget`
//!   and comes back next run.
//! * The CPU work of a page (discovery, compression, digests) happens on a worker thread
//!   of a fixed pool ([`crate::pool`], [`crate::process`]), never here.

use nianbao_archive::{
    Archive, ArchiveError, Commit, FrontierItem, FrontierState, Method, Outcome,
};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::task::JoinSet;
use url::Url;

use crate::config::Config;
use crate::discover::Role;
use crate::downloader::Downloader;
use crate::fetch::Validators;
use crate::pool::Pool;
use crate::process::Pipeline;
use crate::request::Request;
use crate::robots::{Robots, StaleCopy};
use crate::CrawlError;

/// Frontier entries of one host held in memory at a time.
pub const QUEUE_PER_HOST: usize = 32;

/// Results committed together at most.
const MAX_BATCH: usize = 64;

/// The in-memory state of one host.
#[derive(Debug, Default)]
struct HostSlot {
    queue: VecDeque<FrontierItem>,
    /// Highest sequence number read from the index.
    cursor: i64,
    /// The index may hold more pending entries after `cursor`.
    more: bool,
    in_flight: usize,
    /// Requests started in this run (the page budget).
    started: usize,
    /// In the round-robin order.
    queued: bool,
    /// robots.txt of an earlier run or of this (resumed) run looked up.
    robots_looked_up: bool,
}

/// Host, frontier key, answered 304, and the commits of one finished request.
type TaskResult = (String, String, bool, Result<Vec<Commit>, ArchiveError>);

/// One run's scheduler.
pub struct Scheduler {
    archive: Option<Archive>,
    run_id: i64,
    cfg: Arc<Config>,
    pipeline: Arc<Pipeline>,
    downloader: Arc<Downloader>,
    hosts: HashMap<String, HostSlot>,
    order: VecDeque<String>,
    tasks: JoinSet<TaskResult>,
    started: usize,
    /// State changes decided at dispatch (kept, invalid), committed with the next batch.
    staged: Vec<Commit>,
    progress: indicatif::ProgressBar,
    /// Worker threads for the CPU work of pages.
    pool: Arc<Pool>,
}

impl Scheduler {
    /// A scheduler for `run_id`, starting from the run's pending frontier.
    pub fn new(
        archive: Archive,
        run_id: i64,
        cfg: Arc<Config>,
        pipeline: Arc<Pipeline>,
        downloader: Arc<Downloader>,
        progress: indicatif::ProgressBar,
    ) -> Result<Scheduler, CrawlError> {
        let mut s = Scheduler {
            archive: None,
            run_id,
            cfg,
            pipeline,
            downloader,
            hosts: HashMap::new(),
            order: VecDeque::new(),
            tasks: JoinSet::new(),
            started: 0,
            staged: Vec::new(),
            progress,
            pool: Arc::new(
                Pool::per_core("nianbao-process").map_err(|e| CrawlError::Io {
                    path: "worker threads".into(),
                    source: e,
                })?,
            ),
        };
        for (host, n) in archive.index().requests_per_host(run_id)? {
            s.started += n as usize;
            s.hosts.entry(host).or_default().started = n as usize;
        }
        for host in archive.index().hosts_with_pending(run_id)? {
            s.wake(&host);
        }
        s.archive = Some(archive);
        Ok(s)
    }

    fn archive(&self) -> Result<&Archive, CrawlError> {
        self.archive
            .as_ref()
            .ok_or_else(|| CrawlError::Archive(ArchiveError::Corrupt("archive in use".into())))
    }

    /// Give the archive back (after [`Scheduler::run`]).
    pub fn into_archive(self) -> Option<Archive> {
        self.archive
    }

    /// A host may have pending entries: put it in the round-robin order.
    fn wake(&mut self, host: &str) {
        let slot = self.hosts.entry(host.to_string()).or_default();
        slot.more = true;
        if !slot.queued {
            slot.queued = true;
            self.order.push_back(host.to_string());
        }
    }

    /// Crawl until the run's frontier holds nothing pending.
    pub async fn run(&mut self) -> Result<(), CrawlError> {
        loop {
            let progressed = self.dispatch()?;
            if self.tasks.is_empty() {
                if !self.staged.is_empty() {
                    let staged = std::mem::take(&mut self.staged);
                    self.commit(staged).await?;
                    continue;
                }
                if progressed {
                    continue;
                }
                break;
            }
            let mut done = Vec::new();
            if let Some(first) = self.tasks.join_next_with_id().await {
                done.push(first);
            }
            while done.len() < MAX_BATCH {
                match self.tasks.try_join_next_with_id() {
                    Some(r) => done.push(r),
                    None => break,
                }
            }
            let mut batch = std::mem::take(&mut self.staged);
            for joined in done {
                let (host, key, not_modified, result) = match joined {
                    Ok((_, v)) => v,
                    Err(e) => {
                        // Only a panic in the downloader gets here (processing panics are
                        // caught in the task); the request stays pending for the next run.
                        tracing::error!(error = %e, "fetch task failed");
                        continue;
                    }
                };
                if let Some(slot) = self.hosts.get_mut(&host) {
                    slot.in_flight = slot.in_flight.saturating_sub(1);
                    if not_modified {
                        // A revisit answered 304 downloaded nothing: not charged to the
                        // budget, so revisits cannot crowd out pages never fetched.
                        slot.started = slot.started.saturating_sub(1);
                        self.started = self.started.saturating_sub(1);
                    }
                    if !slot.queued {
                        slot.queued = true;
                        self.order.push_back(host.clone());
                    }
                }
                self.progress.inc(1);
                self.progress.set_message(key);
                batch.extend(result?);
            }
            // Hand out the next requests before the commit's fsync: hosts wait on the
            // network, not on the disk.
            self.dispatch()?;
            self.commit(batch).await?;
        }
        Ok(())
    }

    /// Write a batch and wake the hosts of the links it added.
    async fn commit(&mut self, batch: Vec<Commit>) -> Result<(), CrawlError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut woken: Vec<String> = batch
            .iter()
            .flat_map(|c| c.discovered.iter())
            .filter(|d| d.state == FrontierState::Pending)
            .map(|d| d.host.clone())
            .collect();
        woken.sort();
        woken.dedup();
        let Some(mut archive) = self.archive.take() else {
            return Err(CrawlError::Archive(ArchiveError::Corrupt(
                "archive in use".into(),
            )));
        };
        let (archive, result) = tokio::task::spawn_blocking(move || {
            let r = archive.commit(batch);
            (archive, r)
        })
        .await
        .map_err(|e| CrawlError::Archive(ArchiveError::Corrupt(format!("commit task: {e}"))))?;
        self.archive = Some(archive);
        result?;
        for h in woken {
            self.wake(&h);
        }
        Ok(())
    }

    /// Start every request that may start now. Returns whether anything changed.
    fn dispatch(&mut self) -> Result<bool, CrawlError> {
        let mut progressed = false;
        for _ in 0..self.order.len() {
            if self.tasks.len() >= self.cfg.crawl.max_concurrency {
                break;
            }
            let Some(host) = self.order.pop_front() else {
                break;
            };
            let keep = self.dispatch_host(&host, &mut progressed)?;
            match self.hosts.get_mut(&host) {
                Some(slot) if keep => {
                    slot.queued = true;
                    self.order.push_back(host);
                }
                Some(slot) => slot.queued = false,
                None => {}
            }
        }
        Ok(progressed)
    }

    /// Start what one host may start; returns whether it still has work to hand out.
    fn dispatch_host(&mut self, host: &str, progressed: &mut bool) -> Result<bool, CrawlError> {
        let per_host = self.cfg.politeness.per_host_concurrency;
        let budget = self.cfg.crawl.max_pages_per_host;
        let cap = self.cfg.crawl.max_pages;
        loop {
            let Some(slot) = self.hosts.get(host) else {
                return Ok(false);
            };
            if slot.in_flight >= per_host || self.tasks.len() >= self.cfg.crawl.max_concurrency {
                return Ok(!slot.queue.is_empty() || slot.more);
            }
            if slot.queue.is_empty() {
                if !slot.more {
                    return Ok(false);
                }
                let cursor = slot.cursor;
                let items = self.archive()?.index().pending_for_host(
                    self.run_id,
                    host,
                    cursor,
                    QUEUE_PER_HOST,
                )?;
                let slot = self.slot(host);
                slot.more = items.len() == QUEUE_PER_HOST;
                if let Some(last) = items.last() {
                    slot.cursor = last.seq;
                }
                slot.queue.extend(items);
                if slot.queue.is_empty() {
                    return Ok(false);
                }
            }
            let started = self.hosts.get(host).map_or(0, |s| s.started);
            let over_host = budget > 0 && started >= budget;
            if over_host || (cap > 0 && self.started >= cap) {
                let index = self.archive()?.index();
                let scope = if over_host { Some(host) } else { None };
                let n = index.settle_pending(self.run_id, scope, FrontierState::OverBudget)?;
                tracing::warn!(
                    host,
                    left = n,
                    max_pages_per_host = budget,
                    max_pages = cap,
                    "page budget used up; the rest waits for the next run"
                );
                let slot = self.slot(host);
                slot.queue.clear();
                slot.more = false;
                *progressed = true;
                return Ok(false);
            }
            let Some(item) = self.slot(host).queue.pop_front() else {
                continue;
            };
            *progressed = true;
            let Some(mut req) = Request::from_item(&item) else {
                self.stage(&item.key, FrontierState::Invalid);
                continue;
            };
            self.look_up_robots(host, &req.url)?;
            if !self.attach_validators(&mut req)? {
                self.stage(&item.key, FrontierState::Kept);
                continue;
            }
            let slot = self.slot(host);
            slot.in_flight += 1;
            slot.started += 1;
            self.started += 1;
            self.progress.set_length(self.started as u64);
            let (dl, pipeline, run_id, pool) = (
                self.downloader.clone(),
                self.pipeline.clone(),
                self.run_id,
                self.pool.clone(),
            );
            let host = host.to_string();
            self.tasks.spawn(async move {
                let key = req.key.clone();
                let download = dl.download(&req, run_id).await;
                let not_modified = download
                    .fetched
                    .last()
                    .is_some_and(|e| e.outcome == Outcome::NotModified);
                let settled = pool.run(move || pipeline.settle(&req, download)).await;
                let result = match settled {
                    Ok(r) => r,
                    Err(e) => {
                        // A page that makes processing panic is recorded as failed, once.
                        tracing::error!(url = %key, error = %e, "processing failed");
                        Ok(vec![Commit {
                            run_id,
                            frontier: Some((key.clone(), FrontierState::Failed)),
                            ..Default::default()
                        }])
                    }
                };
                (host, key, not_modified, result)
            });
        }
    }

    fn slot(&mut self, host: &str) -> &mut HostSlot {
        self.hosts.entry(host.to_string()).or_default()
    }

    fn stage(&mut self, key: &str, state: FrontierState) {
        self.staged.push(Commit {
            run_id: self.run_id,
            frontier: Some((key.to_string(), state)),
            ..Default::default()
        });
    }

    /// Conditional request for an archived copy. Returns `false` for an archived report
    /// whose server gave no validators: it is kept, not downloaded again.
    fn attach_validators(&self, req: &mut Request) -> Result<bool, CrawlError> {
        let conditional = match req.role {
            Role::Hub | Role::Listing | Role::Robots => true,
            Role::Report | Role::Attachment => self.cfg.crawl.revisit_reports,
        };
        if !conditional || req.method != Method::Get {
            return Ok(true);
        }
        let Some(row) = self.archive()?.index().latest_ok(req.url.as_str())? else {
            return Ok(true);
        };
        if matches!(req.role, Role::Report | Role::Attachment)
            && row.etag.is_none()
            && row.last_modified.is_none()
        {
            return Ok(false);
        }
        req.validators = Some(Validators {
            etag: row.etag.clone(),
            last_modified: row.last_modified.clone(),
        });
        req.cached = Some(row);
        Ok(true)
    }

    /// Before the first request to a host: robots.txt already settled in this run (a
    /// resumed run) is loaded; a copy from an earlier run is offered for revalidation.
    fn look_up_robots(&mut self, host: &str, url: &Url) -> Result<(), CrawlError> {
        let downloader = self.downloader.clone();
        let policy = downloader.robots();
        if !policy.enabled() || self.slot(host).robots_looked_up {
            return Ok(());
        }
        self.slot(host).robots_looked_up = true;
        if policy.known(host).is_some() {
            return Ok(());
        }
        let archive = self.archive()?;
        let index = archive.index();
        let mut urls = Vec::new();
        for scheme in ["http", "https"] {
            let mut u = url.clone();
            if u.set_scheme(scheme).is_ok() {
                u.set_path("/robots.txt");
                u.set_query(None);
                u.set_fragment(None);
                urls.push(u.to_string());
            }
        }
        let mut in_run = None;
        for u in &urls {
            if let Some(row) = index.latest_in_run(u, self.run_id)? {
                if in_run
                    .as_ref()
                    .is_none_or(|r: &nianbao_archive::RecordRow| r.id < row.id)
                {
                    in_run = Some(row);
                }
            }
        }
        let ua = policy.user_agent().to_string();
        let body_of = |row: &nianbao_archive::RecordRow| -> Vec<u8> {
            archive
                .read_response(row)
                .map(|s| s.http.body)
                .unwrap_or_default()
        };
        if let Some(row) = in_run {
            let body = match Outcome::parse(&row.outcome) {
                Some(Outcome::NotModified) => index
                    .latest_ok(&row.url)?
                    .map(|ok| body_of(&ok))
                    .unwrap_or_default(),
                _ if row.status.is_some() => body_of(&row),
                _ => Vec::new(),
            };
            policy.preload(host, Robots::from_record(&row, &body, &ua));
            return Ok(());
        }
        let first = url.scheme();
        let ordered = urls
            .iter()
            .filter(|u| u.starts_with(first))
            .chain(urls.iter());
        for u in ordered {
            if let Some(ok) = index.latest_ok(u)? {
                let body = body_of(&ok);
                policy.offer_stale(
                    host,
                    StaleCopy {
                        validators: Validators {
                            etag: ok.etag.clone(),
                            last_modified: ok.last_modified.clone(),
                        },
                        body,
                    },
                );
                break;
            }
        }
        Ok(())
    }
}
