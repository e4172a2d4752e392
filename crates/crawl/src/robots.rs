//! robots.txt handling on top of `texting_robots`: per-host rules, Crawl-delay, and the
//! RFC 9309 rules for unavailable files (4xx: allow everything; 5xx: disallow everything
//! for this run; unreachable: nothing is requested from the host, and its pages are
//! recorded with the failure that made robots.txt unreachable).
//!
//! [`RobotsPolicy`] is the one place that knows every host's rules: the downloader asks it
//! before any request (and before following a redirect), the first request to a host
//! fetches robots.txt through the same politeness gate as every other request, and a
//! resumed run or `fetch_once` preloads what the archive already holds.

use nianbao_archive::{Exchange, Outcome};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use texting_robots::Robot;

use crate::config::Politeness;
use crate::fetch::Validators;
use crate::politeness::Gates;

/// robots.txt files larger than this are cut (texting_robots' README advises a cap).
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;

/// The rules of one host.
pub enum Robots {
    /// No restrictions (no file, or 4xx).
    AllowAll,
    /// Everything disallowed (5xx, network failure, or a disallow-all file).
    DisallowAll(String),
    /// A parsed file.
    Parsed(Box<Robot>),
    /// robots.txt could not be asked (DNS, connection, timeout, refused address): the
    /// host's pages are recorded with this outcome and kind, without a request.
    HostDown {
        /// `failed` or `refused`.
        outcome: Outcome,
        /// The failure kind (`dns_error`, `connect_error`, `private_address`, ...).
        kind: String,
        /// Detail of the robots.txt failure.
        detail: String,
    },
}

impl std::fmt::Debug for Robots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Robots::AllowAll => write!(f, "AllowAll"),
            Robots::DisallowAll(why) => write!(f, "DisallowAll({why})"),
            Robots::Parsed(r) => write!(f, "Parsed(delay={:?})", r.delay),
            Robots::HostDown { kind, .. } => write!(f, "HostDown({kind})"),
        }
    }
}

/// The product token matched against `User-agent:` lines (`nianbao` for `nianbao/0.1 (...)`).
pub fn agent_token(user_agent: &str) -> &str {
    user_agent.split(['/', ' ']).next().unwrap_or(user_agent)
}

impl Robots {
    /// Rules from the answer to `GET /robots.txt`. `status` is `None` when no response came.
    pub fn from_answer(status: Option<u16>, body: &[u8], user_agent: &str) -> Robots {
        match status {
            None => Robots::DisallowAll("robots.txt unreachable".into()),
            Some(s) if (200..300).contains(&s) => {
                let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
                match Robot::new(agent_token(user_agent), body) {
                    Ok(r) => Robots::Parsed(Box::new(r)),
                    Err(_) => Robots::AllowAll,
                }
            }
            Some(s) if (400..500).contains(&s) => Robots::AllowAll,
            Some(s) => Robots::DisallowAll(format!("robots.txt answered {s}")),
        }
    }

    /// Rules from the final attempt at robots.txt; `stale` is the archived copy a 304
    /// refers to.
    pub fn from_exchange(last: &Exchange, stale: Option<&StaleCopy>, user_agent: &str) -> Robots {
        match (last.outcome, &last.response) {
            (Outcome::NotModified, _) => match stale {
                Some(s) => Robots::from_answer(Some(200), &s.body, user_agent),
                None => Robots::AllowAll,
            },
            // A redirect that was not followed (out of scope, loop): no rules found.
            (Outcome::Redirect, _) => Robots::AllowAll,
            (Outcome::Refused | Outcome::Failed | Outcome::Retried, None) => Robots::HostDown {
                outcome: if last.outcome == Outcome::Refused {
                    Outcome::Refused
                } else {
                    Outcome::Failed
                },
                kind: last
                    .error_kind
                    .clone()
                    .unwrap_or_else(|| "network_error".into()),
                detail: format!(
                    "robots.txt unreachable: {}",
                    last.error_detail.as_deref().unwrap_or("")
                ),
            },
            (_, Some(r)) => Robots::from_answer(Some(r.status), &r.body, user_agent),
            (_, None) => Robots::from_answer(None, &[], user_agent),
        }
    }

    /// Rules from the archived final record of a robots.txt fetch (a resumed run); `body`
    /// is its body, or for a 304 the body of the copy it confirmed.
    pub fn from_record(row: &nianbao_archive::RecordRow, body: &[u8], user_agent: &str) -> Robots {
        match Outcome::parse(&row.outcome) {
            Some(Outcome::NotModified) => Robots::from_answer(Some(200), body, user_agent),
            Some(Outcome::Redirect) => Robots::AllowAll,
            Some(o @ (Outcome::Refused | Outcome::Failed | Outcome::Retried))
                if row.status.is_none() =>
            {
                Robots::HostDown {
                    outcome: if o == Outcome::Refused {
                        Outcome::Refused
                    } else {
                        Outcome::Failed
                    },
                    kind: row
                        .error_kind
                        .clone()
                        .unwrap_or_else(|| "network_error".into()),
                    detail: format!(
                        "robots.txt unreachable: {}",
                        row.error_detail.as_deref().unwrap_or("")
                    ),
                }
            }
            _ => Robots::from_answer(row.status, body, user_agent),
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll(_) | Robots::HostDown { .. } => false,
            Robots::Parsed(r) => r.allowed(url),
        }
    }

    /// The Crawl-delay in seconds, if any.
    pub fn crawl_delay(&self) -> Option<f64> {
        match self {
            Robots::Parsed(r) => r.delay.map(f64::from),
            _ => None,
        }
    }
}

/// An archived robots.txt from an earlier run, revalidated with a conditional request.
#[derive(Debug, Clone, Default)]
pub struct StaleCopy {
    /// Its validators.
    pub validators: Validators,
    /// Its body.
    pub body: Vec<u8>,
}

/// The rules of one host, settled once per run.
#[derive(Debug, Default)]
pub struct HostRules {
    /// Settled by the first request to the host (or preloaded).
    pub rules: tokio::sync::OnceCell<Arc<Robots>>,
    /// The archived copy to revalidate, if any.
    pub stale: Mutex<Option<StaleCopy>>,
}

/// robots.txt for every host of a run.
#[derive(Debug)]
pub struct RobotsPolicy {
    enabled: bool,
    user_agent: String,
    max_delay_s: f64,
    base_delay: Duration,
    gates: Arc<Gates>,
    hosts: Mutex<HashMap<String, Arc<HostRules>>>,
    delays: Mutex<HashMap<String, f64>>,
}

impl RobotsPolicy {
    /// A policy for the `[politeness]` settings; Crawl-delays are applied to `gates`.
    pub fn new(p: &Politeness, gates: Arc<Gates>) -> RobotsPolicy {
        RobotsPolicy {
            enabled: p.respect_robots,
            user_agent: p.user_agent.clone(),
            max_delay_s: p.max_crawl_delay_s,
            base_delay: Duration::from_millis(p.delay_ms),
            gates,
            hosts: Mutex::new(HashMap::new()),
            delays: Mutex::new(HashMap::new()),
        }
    }

    /// Whether robots.txt is obeyed at all (`[politeness] respect_robots`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The User-Agent matched against the files.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The entry of a host (created empty).
    pub fn host(&self, host: &str) -> Arc<HostRules> {
        match self.hosts.lock() {
            Ok(mut m) => m.entry(host.to_string()).or_default().clone(),
            Err(_) => Arc::new(HostRules::default()),
        }
    }

    /// The settled rules of a host, if any.
    pub fn known(&self, host: &str) -> Option<Arc<Robots>> {
        self.host(host).rules.get().cloned()
    }

    /// Settle a host's rules (a resumed run's robots.txt read back from the archive).
    pub fn preload(&self, host: &str, robots: Robots) {
        let robots = self.settled(host, robots);
        let _ = self.host(host).rules.set(robots);
    }

    /// Offer the archived copy of a host's robots.txt for a conditional request.
    pub fn offer_stale(&self, host: &str, stale: StaleCopy) {
        if let Ok(mut s) = self.host(host).stale.lock() {
            *s = Some(stale);
        }
    }

    /// Rules from the final attempt at a host's robots.txt; the Crawl-delay is applied.
    pub fn settled_from(&self, host: &str, last: &Exchange) -> Arc<Robots> {
        let entry = self.host(host);
        // The stale copy is needed once: drop it with the answer read.
        let stale = entry.stale.lock().ok().and_then(|mut s| s.take());
        let robots = Robots::from_exchange(last, stale.as_ref(), &self.user_agent);
        self.settled(host, robots)
    }

    /// Apply the host's delay (the larger of `delay_ms` and the capped Crawl-delay).
    fn settled(&self, host: &str, robots: Robots) -> Arc<Robots> {
        let mut delay = self.base_delay;
        if let Some(cd) = robots.crawl_delay() {
            let capped = cd.min(self.max_delay_s).max(0.0);
            if cd > capped {
                tracing::warn!(
                    host,
                    crawl_delay = cd,
                    cap = capped,
                    "robots.txt Crawl-delay capped"
                );
            }
            if let Ok(mut d) = self.delays.lock() {
                d.insert(host.to_string(), capped);
            }
            delay = delay.max(Duration::from_secs_f64(capped));
        }
        self.gates.set_delay(host, delay);
        tracing::info!(host, rules = ?robots, "robots.txt");
        Arc::new(robots)
    }

    /// Crawl-delays in force (after the cap), by host, for the summary.
    pub fn crawl_delays(&self) -> HashMap<String, f64> {
        self.delays.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let txt = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.5\n";
        let r = Robots::from_answer(Some(200), txt, "nianbao/0.1 (+x)");
        assert!(r.allowed("http://a/zfxxgknb/index.html"));
        assert!(!r.allowed("http://a/private/x.html"));
        assert_eq!(r.crawl_delay(), Some(0.5));
        assert!(Robots::from_answer(Some(404), b"", "nianbao").allowed("http://a/x"));
        assert!(!Robots::from_answer(Some(503), b"", "nianbao").allowed("http://a/x"));
        assert!(!Robots::from_answer(None, b"", "nianbao").allowed("http://a/x"));
        let own = Robots::from_answer(
            Some(200),
            b"User-agent: nianbao\nDisallow: /\n",
            "nianbao/0.1",
        );
        assert!(!own.allowed("http://a/x"));
    }
}
