//! From a finished download to what the archive must commit: WARC records prepared
//! (compressed, digested), links discovered, the frontier state decided. This is the CPU
//! part of a page (charset decoding, HTML parsing, gzip, SHA) and runs on a blocking worker
//! thread, never on the scheduler task, so one huge or hostile page delays only itself.
//! The body is dropped as soon as its records are prepared.

use nianbao_archive::{
    prepare, warc, ArchiveError, Commit, Exchange, FrontierState, Method, NewItem, Outcome,
};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use url::Url;

use crate::discover::{self, Page, Role, Rules};
use crate::downloader::Download;
use crate::request::Request;
use crate::scope::host_key;

/// What the processing of every page of a run shares.
#[derive(Debug)]
pub struct Pipeline {
    /// Run id.
    pub run_id: i64,
    /// Discovery rules.
    pub rules: Rules,
    /// Hosts in scope; links to other hosts are recorded as `out_of_scope`.
    pub allowed: Arc<HashSet<String>>,
    /// The configured source of each host in scope.
    pub source_of_host: HashMap<String, String>,
    /// `[crawl] max_depth`.
    pub max_depth: u32,
    /// `[crawl] revisit_reports`.
    pub revisit_reports: bool,
    /// WARC directory (archived copies behind a 304 are read from there).
    pub warc_dir: PathBuf,
}

/// The archived response a 304 refers to.
fn archived_body(
    warc_dir: &std::path::Path,
    row: &nianbao_archive::RecordRow,
) -> Option<(Vec<u8>, Option<String>)> {
    let rec = warc::read_record_at(
        &warc_dir.join(&row.warc_file),
        row.warc_offset.max(0) as u64,
    )
    .ok()?;
    let http = warc::HttpResponse::parse(&rec.block).ok()?;
    let ct = http.header("content-type").map(str::to_string);
    Some((http.body, ct))
}

impl Pipeline {
    /// The commits of one download: robots.txt attempts (if this request made them), then
    /// the request's attempts with its final state and the links found.
    pub fn settle(&self, req: &Request, dl: Download) -> Result<Vec<Commit>, ArchiveError> {
        let mut commits = Vec::with_capacity(2);
        if let Some(robots) = dl.robots {
            let records = robots
                .attempts
                .iter()
                .map(prepare)
                .collect::<Result<Vec<_>, _>>()?;
            commits.push(Commit {
                run_id: self.run_id,
                records,
                ..Default::default()
            });
        }
        let settle = |state| Commit {
            run_id: self.run_id,
            frontier: Some((req.key.clone(), state)),
            ..Default::default()
        };
        if dl.denied {
            commits.push(settle(FrontierState::RobotsDenied));
            return Ok(commits);
        }
        let fetched = dl.fetched;
        let mut attempts = fetched.attempts;
        let Some(mut last) = attempts.pop() else {
            commits.push(settle(FrontierState::Failed));
            return Ok(commits);
        };
        let final_url = fetched.final_url.unwrap_or_else(|| req.url.clone());
        let mut discovered = self.discover(req, &mut last, &final_url);
        discovered.extend(follow_ups(req, &last, fetched.redirect_to.as_ref()));
        let state = match last.outcome {
            Outcome::Ok | Outcome::NotModified => FrontierState::Done,
            Outcome::Redirect if last.error_kind.is_none() => FrontierState::Done,
            _ => FrontierState::Failed,
        };
        log_outcome(&last);
        let mut records = Vec::with_capacity(attempts.len() + 1);
        for ex in &attempts {
            records.push(prepare(ex)?);
        }
        drop(attempts);
        records.push(prepare(&last)?);
        drop(last);
        commits.push(Commit {
            run_id: self.run_id,
            records,
            frontier: Some((req.key.clone(), state)),
            discovered,
        });
        Ok(commits)
    }

    /// Links on the final answer (or on the archived copy when the server said 304); the
    /// charset used is recorded on the exchange.
    fn discover(&self, req: &Request, last: &mut Exchange, final_url: &Url) -> Vec<NewItem> {
        if !matches!(req.role, Role::Hub | Role::Listing | Role::Report) {
            return Vec::new();
        }
        let archived;
        let body_and_type: Option<(&[u8], Option<&str>)> = match last.outcome {
            Outcome::Ok => last
                .response
                .as_ref()
                .map(|r| (r.body.as_slice(), r.header("content-type"))),
            Outcome::NotModified => {
                archived = req
                    .cached
                    .as_ref()
                    .and_then(|row| archived_body(&self.warc_dir, row));
                archived
                    .as_ref()
                    .map(|(b, ct)| (b.as_slice(), ct.as_deref()))
            }
            _ => None,
        };
        let Some((body, ct)) = body_and_type else {
            return Vec::new();
        };
        let page = Page {
            url: final_url,
            role: req.role,
            content_type: ct,
            body,
            method: req.method,
        };
        let d = discover::discover(page, &self.rules);
        let links = d
            .links
            .iter()
            .filter_map(|f| {
                let depth = if f.pagination {
                    req.depth
                } else {
                    req.depth + 1
                };
                (depth <= self.max_depth as i64).then(|| self.link(f, depth, final_url, req))
            })
            .collect();
        if last.outcome == Outcome::Ok {
            last.charset = d.charset;
        }
        links
    }

    fn link(&self, f: &discover::Found, depth: i64, page: &Url, req: &Request) -> NewItem {
        let (url, role) = (&f.url, f.role);
        let host = host_key(url);
        let in_scope = self.allowed.contains(&host);
        let revisit = match role {
            Role::Hub | Role::Listing | Role::Robots => true,
            Role::Report | Role::Attachment => self.revisit_reports,
        };
        // A form list API (Fujian) is asked with a POST of the form.
        let (method, body) = match &f.form {
            Some(form) => (Method::Post, form.clone()),
            None => (Method::Get, Vec::new()),
        };
        NewItem {
            url: url.to_string(),
            method,
            body,
            source: self
                .source_of_host
                .get(&host)
                .cloned()
                .or_else(|| req.source.clone()),
            host,
            role: role.as_str().into(),
            depth,
            referrer: Some(page.to_string()),
            revisit,
            // Recorded, never requested: the summary counts them per host.
            state: if in_scope {
                FrontierState::Pending
            } else {
                FrontierState::OutOfScope
            },
            ..Default::default()
        }
    }
}

/// Requests that follow from the answer itself: a form POST for a Hanweb proxy that refused
/// the GET, and the target of a redirect to another host (with the redirects so far).
fn follow_ups(req: &Request, last: &Exchange, redirect_to: Option<&(Url, u32)>) -> Vec<NewItem> {
    let mut out = Vec::new();
    if matches!(
        last.outcome,
        Outcome::Ok | Outcome::HttpError | Outcome::Failed
    ) {
        let answer = match last.outcome {
            Outcome::Ok => last.response.as_ref().map(|r| r.body.as_slice()),
            _ => None,
        };
        if let Some((url, body)) = discover::hanweb::post_fallback(&req.url, req.method, answer) {
            out.push(req.follow(&url, Method::Post, body));
        }
    }
    if let Some((target, hops)) = redirect_to {
        let mut item = req.follow(target, Method::Get, Vec::new());
        item.referrer = Some(req.url.to_string());
        item.hops = *hops;
        out.push(item);
    }
    out
}

fn log_outcome(ex: &Exchange) {
    match ex.outcome {
        Outcome::Ok | Outcome::NotModified | Outcome::Redirect if ex.error_kind.is_none() => {
            tracing::debug!(url = %ex.url, outcome = %ex.outcome, "fetched")
        }
        _ => {
            tracing::info!(url = %ex.url, outcome = %ex.outcome, kind = ?ex.error_kind, "not fetched")
        }
    }
}
