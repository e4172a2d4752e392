//! The downloader: what happens between the scheduler handing out a request and the answer
//! coming back, in the order of Scrapy's downloader middlewares:
//!
//! 1. **scheme** — a host whose other scheme worked earlier in the run is asked that way;
//! 2. **robots.txt** — the first request to a host fetches its robots.txt (through the
//!    host's politeness gate, like every request); a disallowed URL is not requested; a host
//!    whose robots.txt could not be asked at all is not contacted further;
//! 3. **fetch** — [`Fetcher::fetch`] with retries and redirects;
//! 4. **scheme fallback** — a connection or TLS failure on one scheme is tried once on the
//!    other (http ↔ https), the failed attempt kept as `retried` with the reason.

use nianbao_archive::{Exchange, Outcome};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use url::Url;

use crate::config::Config;
use crate::discover::Role;
use crate::fetch::{Context, FetchError, Fetched, Fetcher};
use crate::politeness::Gates;
use crate::request::Request;
use crate::robots::{Robots, RobotsPolicy};
use crate::scope::host_key;

/// What downloading one request produced.
#[derive(Debug, Default)]
pub struct Download {
    /// robots.txt attempts this request made on the way (archive them as `robots`).
    pub robots: Option<Fetched>,
    /// The request's own attempts (empty when it was not made).
    pub fetched: Fetched,
    /// robots.txt disallows the URL: nothing was requested.
    pub denied: bool,
}

/// The downloader of a run (shared by all fetch tasks).
#[derive(Debug)]
pub struct Downloader {
    fetcher: Fetcher,
    robots: RobotsPolicy,
    allowed: Arc<HashSet<String>>,
    fallback: bool,
    /// Hosts answered on the other scheme than their URLs say.
    schemes: Mutex<HashMap<String, &'static str>>,
}

fn other_scheme(url: &Url) -> Option<&'static str> {
    match url.scheme() {
        "http" => Some("https"),
        "https" => Some("http"),
        _ => None,
    }
}

fn with_scheme(url: &Url, scheme: &str) -> Option<Url> {
    // Only URLs on the default port: an explicit port belongs to one scheme.
    if url.port().is_some() || url.scheme() == scheme {
        return None;
    }
    let mut u = url.clone();
    u.set_scheme(scheme).ok()?;
    Some(u)
}

impl Downloader {
    /// A downloader for `cfg`, allowed to follow redirects to `allowed` hosts.
    pub fn new(cfg: Arc<Config>, allowed: Arc<HashSet<String>>) -> Result<Downloader, FetchError> {
        let gates = Arc::new(Gates::new());
        let robots = RobotsPolicy::new(&cfg.politeness, gates.clone());
        let fallback = cfg.crawl.scheme_fallback;
        Ok(Downloader {
            fetcher: Fetcher::new(cfg, gates)?,
            robots,
            allowed,
            fallback,
            schemes: Mutex::new(HashMap::new()),
        })
    }

    /// The robots.txt policy (preloading, Crawl-delays for the summary).
    pub fn robots(&self) -> &RobotsPolicy {
        &self.robots
    }

    /// Hosts in scope.
    pub fn allowed(&self) -> &HashSet<String> {
        &self.allowed
    }

    /// Download one request.
    pub async fn download(&self, req: &Request, run_id: i64) -> Download {
        let mut out = Download::default();
        let host = req.host();
        let rules = if self.robots.enabled() {
            let entry = self.robots.host(&host);
            let mut fetched_here = None;
            let rules = entry
                .rules
                .get_or_init(|| async {
                    let f = self.fetch_robots(req, run_id).await;
                    let rules = match f.last() {
                        Some(last) => self.robots.settled_from(&host, last),
                        None => Arc::new(Robots::AllowAll),
                    };
                    fetched_here = Some(f);
                    rules
                })
                .await
                .clone();
            out.robots = fetched_here;
            if let Robots::HostDown {
                outcome,
                kind,
                detail,
            } = rules.as_ref()
            {
                out.fetched.attempts.push(Exchange {
                    url: req.url.to_string(),
                    host: host.clone(),
                    method: req.method,
                    role: req.role.as_str().into(),
                    referrer: req.referrer.clone(),
                    run_id,
                    fetched_at: Some(std::time::SystemTime::now()),
                    outcome: *outcome,
                    error_kind: Some(kind.clone()),
                    error_detail: Some(detail.clone()),
                    ..Default::default()
                });
                out.fetched.final_url = Some(req.url.clone());
                return out;
            }
            if !rules.allowed(req.url.as_str()) {
                tracing::debug!(url = %req.url, "robots.txt disallows");
                out.denied = true;
                return out;
            }
            Some(rules)
        } else {
            None
        };
        // robots.txt may just have found which scheme the host answers on.
        let switched = self
            .schemes
            .lock()
            .ok()
            .and_then(|m| m.get(&host).copied())
            .and_then(|s| with_scheme(&req.url, s));
        out.fetched = match switched {
            Some(url) => {
                let moved = Request { url, ..req.clone() };
                self.fetch_with_fallback(&moved, run_id, rules.as_deref())
                    .await
            }
            None => {
                self.fetch_with_fallback(req, run_id, rules.as_deref())
                    .await
            }
        };
        out
    }

    async fn fetch_robots(&self, req: &Request, run_id: i64) -> Fetched {
        let known = self
            .schemes
            .lock()
            .ok()
            .and_then(|m| m.get(&req.host()).copied());
        let mut url = known
            .and_then(|s| with_scheme(&req.url, s))
            .unwrap_or_else(|| req.url.clone());
        url.set_path("/robots.txt");
        url.set_query(None);
        url.set_fragment(None);
        let mut r = Request::get(url, Role::Robots);
        r.validators = self
            .robots
            .host(&req.host())
            .stale
            .lock()
            .ok()
            .and_then(|s| s.as_ref().map(|s| s.validators.clone()));
        self.fetch_with_fallback(&r, run_id, None).await
    }

    async fn fetch_with_fallback(
        &self,
        req: &Request,
        run_id: i64,
        robots: Option<&Robots>,
    ) -> Fetched {
        let ctx = Context {
            run_id,
            allowed: &self.allowed,
            robots,
        };
        let mut f = self.fetcher.fetch(req, ctx).await;
        if !self.fallback {
            return f;
        }
        let cannot_connect = f.last().is_some_and(|l| {
            l.outcome == Outcome::Failed
                && l.response.is_none()
                && matches!(l.error_kind.as_deref(), Some("connect_error" | "tls_error"))
        });
        let Some(last_url) = f.final_url.clone() else {
            return f;
        };
        let other = other_scheme(&last_url).and_then(|s| with_scheme(&last_url, s));
        let (true, Some(other)) = (cannot_connect, other) else {
            return f;
        };
        if let Some(last) = f.attempts.last_mut() {
            last.outcome = Outcome::Retried;
            let why = last.error_detail.take().unwrap_or_default();
            last.error_detail = Some(format!(
                "{why}; scheme fallback: {} -> {}",
                last_url.scheme(),
                other.scheme()
            ));
        }
        tracing::info!(from = %last_url, to = %other, "scheme fallback");
        let again = Request {
            url: other.clone(),
            ..req.clone()
        };
        let g = self.fetcher.fetch(&again, ctx).await;
        let answered = g.attempts.iter().any(|e| e.response.is_some());
        if answered {
            if let (Ok(mut m), Some(s)) = (self.schemes.lock(), other_scheme(&last_url)) {
                m.insert(host_key(&other), s);
            }
        }
        f.attempts.extend(g.attempts);
        f.final_url = g.final_url;
        f.redirect_to = g.redirect_to;
        f
    }
}
