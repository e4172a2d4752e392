//! Fetching one URL politely: per-host gate, SSRF guard, timeouts, body cap, retries with
//! exponential backoff and jitter, `Retry-After`, conditional requests, manual redirects
//! (each hop recorded; out-of-scope targets recorded, not followed), and anti-bot
//! classification. Every attempt becomes one [`Exchange`] for the archive.

use nianbao_archive::{Exchange, HttpResponse};
use reqwest::header::{HeaderMap, HeaderValue};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use url::Url;

use crate::classify::{classify, Answer};
use crate::config::Config;
use crate::politeness::{backoff, Gates};
use crate::scope::{check_address, host_key};

/// Errors building the HTTP client.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// reqwest could not build a client (TLS backend, bad user agent, ...).
    #[error("http client: {0}")]
    Client(String),
}

/// Validators of the archived copy, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag` → `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified` → `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// One URL to fetch.
#[derive(Debug, Clone)]
pub struct Job {
    /// The URL.
    pub url: Url,
    /// Role name (for the archive).
    pub role: String,
    /// Referrer page.
    pub referrer: Option<String>,
    /// Conditional-request validators.
    pub validators: Option<Validators>,
    /// Hosts in scope for redirects.
    pub allowed: Arc<HashSet<String>>,
    /// Run id.
    pub run_id: i64,
}

/// Everything that happened while fetching one URL.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// Every attempt and redirect hop, in order; the last one is the final answer.
    pub attempts: Vec<Exchange>,
    /// URL of the final answer (after same-host redirects).
    pub final_url: Option<Url>,
    /// In-scope redirect target on another host, to be scheduled as its own URL.
    pub redirect_to: Option<Url>,
}

impl Fetched {
    /// The final exchange.
    pub fn last(&self) -> Option<&Exchange> {
        self.attempts.last()
    }
}

/// The shared HTTP machinery.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    gates: Arc<Gates>,
    cfg: Arc<Config>,
}

fn now() -> SystemTime {
    SystemTime::now()
}

impl Fetcher {
    /// Build the client from the configuration.
    pub fn new(cfg: Arc<Config>, gates: Arc<Gates>) -> Result<Fetcher, FetchError> {
        let p = &cfg.politeness;
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static(
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            ),
        );
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("zh-CN,zh;q=0.9"),
        );
        let mut b = reqwest::Client::builder()
            .user_agent(p.user_agent.clone())
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs_f64(p.timeout_s))
            .connect_timeout(Duration::from_secs_f64(p.connect_timeout_s))
            .pool_max_idle_per_host(p.per_host_concurrency);
        if cfg.crawl.allow_private_addresses {
            // Tests and the demo talk to 127.0.0.1: never through a system proxy.
            b = b.no_proxy();
        }
        let client = b.build().map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher { client, gates, cfg })
    }

    /// The gates (per-host politeness state).
    pub fn gates(&self) -> &Arc<Gates> {
        &self.gates
    }

    fn base_delay(&self) -> Duration {
        Duration::from_millis(self.cfg.politeness.delay_ms)
    }

    /// Fetch one URL with retries and same-host redirects.
    pub async fn fetch(&self, job: &Job) -> Fetched {
        let mut out = Fetched::default();
        let mut url = job.url.clone();
        let mut chain: Vec<Url> = vec![url.clone()];
        loop {
            let host = host_key(&url);
            let ip = match check_address(&url, self.cfg.crawl.allow_private_addresses).await {
                Ok(ip) => ip,
                Err(msg) => {
                    let kind = if msg.starts_with("private") {
                        "private_address"
                    } else {
                        "dns_error"
                    };
                    out.attempts
                        .push(self.failure(job, &url, "refused", kind, &msg, vec![]));
                    out.final_url = Some(url);
                    return out;
                }
            };
            let validators = if url == job.url {
                job.validators.clone()
            } else {
                None
            };
            let mut attempt = 0u32;
            let ex = loop {
                self.gates.wait(&host, self.base_delay()).await;
                let (mut ex, retry_after) = self.once(job, &url, validators.as_ref(), ip).await;
                self.gates.done(&host);
                let transient = is_transient(&ex);
                if transient && attempt < self.cfg.politeness.retries {
                    let mut wait = backoff(
                        Duration::from_millis(self.cfg.politeness.backoff_ms),
                        attempt,
                    );
                    if let Some(ra) = retry_after {
                        let cap =
                            Duration::from_secs_f64(self.cfg.politeness.max_retry_after_s.max(0.0));
                        wait = wait.max(ra.min(cap));
                        self.gates
                            .hold(&host, tokio::time::Instant::now() + ra.min(cap));
                    }
                    tracing::debug!(url = %url, kind = ?ex.error_kind, ?wait, attempt, "retrying");
                    ex.outcome = "retried".into();
                    out.attempts.push(ex);
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                break ex;
            };
            let status = ex.response.as_ref().map(|r| r.status).unwrap_or(0);
            let location = ex
                .response
                .as_ref()
                .and_then(|r| r.header("location"))
                .map(str::to_string);
            if ex.outcome == "redirect" {
                let target = location
                    .as_deref()
                    .and_then(|l| url.join(l).ok())
                    .map(|mut u| {
                        u.set_fragment(None);
                        u
                    });
                let Some(target) = target else {
                    let mut ex = ex;
                    ex.outcome = "http_error".into();
                    ex.error_kind = Some("bad_redirect".into());
                    ex.error_detail = Some(format!("{status} without usable Location"));
                    out.attempts.push(ex);
                    out.final_url = Some(url);
                    return out;
                };
                let mut ex = ex;
                if chain.contains(&target) {
                    ex.error_kind = Some("redirect_loop".into());
                    ex.error_detail = Some(format!("{} -> {target}", url));
                } else if chain.len() > self.cfg.crawl.max_redirects {
                    ex.error_kind = Some("too_many_redirects".into());
                } else if !job.allowed.contains(&host_key(&target)) {
                    ex.error_kind = Some("redirect_out_of_scope".into());
                    ex.error_detail = Some(target.to_string());
                } else if host_key(&target) != host {
                    out.attempts.push(ex);
                    out.final_url = Some(url);
                    out.redirect_to = Some(target);
                    return out;
                } else {
                    out.attempts.push(ex);
                    chain.push(target.clone());
                    url = target;
                    continue;
                }
                out.attempts.push(ex);
                out.final_url = Some(url);
                return out;
            }
            out.attempts.push(ex);
            out.final_url = Some(url);
            return out;
        }
    }

    fn failure(
        &self,
        job: &Job,
        url: &Url,
        outcome: &str,
        kind: &str,
        detail: &str,
        req: Vec<(String, String)>,
    ) -> Exchange {
        Exchange {
            url: url.to_string(),
            host: host_key(url),
            method: if url.fragment() == Some("post") {
                "POST".into()
            } else {
                "GET".into()
            },
            role: job.role.clone(),
            referrer: job.referrer.clone(),
            run_id: job.run_id,
            fetched_at: Some(now()),
            request_headers: req,
            outcome: outcome.into(),
            error_kind: Some(kind.into()),
            error_detail: Some(detail.into()),
            ..Default::default()
        }
    }

    /// One request; returns the exchange and a Retry-After delay if the server sent one.
    async fn once(
        &self,
        job: &Job,
        url: &Url,
        validators: Option<&Validators>,
        ip: Option<std::net::IpAddr>,
    ) -> (Exchange, Option<Duration>) {
        let p = &self.cfg.politeness;
        let mut req_headers: Vec<(String, String)> = vec![
            ("User-Agent".into(), p.user_agent.clone()),
            (
                "Accept".into(),
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8".into(),
            ),
            ("Accept-Language".into(), "zh-CN,zh;q=0.9".into()),
            ("Accept-Encoding".into(), "gzip, br, deflate".into()),
        ];
        // `#post` marks a form POST (Hanweb dataproxy.jsp fallback): the query is sent as
        // the form body too, to the same URL.
        let post = url.fragment() == Some("post");
        let mut wire = url.clone();
        wire.set_fragment(None);
        let req_body = if post {
            wire.query().unwrap_or("").as_bytes().to_vec()
        } else {
            Vec::new()
        };
        let mut rb = if post {
            req_headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            self.client
                .post(wire.clone())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(req_body.clone())
        } else {
            self.client.get(wire.clone())
        };
        if let Some(v) = validators {
            if let Some(e) = &v.etag {
                rb = rb.header(reqwest::header::IF_NONE_MATCH, e.as_str());
                req_headers.push(("If-None-Match".into(), e.clone()));
            }
            if let Some(lm) = &v.last_modified {
                rb = rb.header(reqwest::header::IF_MODIFIED_SINCE, lm.as_str());
                req_headers.push(("If-Modified-Since".into(), lm.clone()));
            }
        }
        if let Some(r) = &job.referrer {
            rb = rb.header(reqwest::header::REFERER, r.as_str());
            req_headers.push(("Referer".into(), r.clone()));
        }
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                let kind = error_kind(&e);
                return (
                    self.failure(job, url, "failed", kind, &error_chain(&e), req_headers),
                    None,
                );
            }
        };
        let status = resp.status();
        let remote = resp.remote_addr().map(|a| a.ip()).or(ip);
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let cap = p.max_body_bytes();
        let mut body = Vec::new();
        let mut failure: Option<(&'static str, String)> = None;
        if resp.content_length().is_some_and(|l| l > cap) {
            failure = Some((
                "too_large",
                format!(
                    "Content-Length {} > cap {cap}",
                    resp.content_length().unwrap_or(0)
                ),
            ));
        } else {
            let mut resp = resp;
            loop {
                match resp.chunk().await {
                    Ok(Some(c)) => {
                        if body.len() as u64 + c.len() as u64 > cap {
                            let room = cap.saturating_sub(body.len() as u64) as usize;
                            body.extend_from_slice(&c[..room.min(c.len())]);
                            failure = Some(("too_large", format!("body over cap {cap} bytes")));
                            break;
                        }
                        body.extend_from_slice(&c);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        failure = Some((body_error_kind(&e), error_chain(&e)));
                        break;
                    }
                }
            }
        }
        let http = HttpResponse {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body,
        };
        let mut ex = Exchange {
            url: url.to_string(),
            host: host_key(url),
            method: if post { "POST".into() } else { "GET".into() },
            role: job.role.clone(),
            referrer: job.referrer.clone(),
            run_id: job.run_id,
            fetched_at: Some(now()),
            request_headers: req_headers,
            request_body: req_body,
            ip: remote.map(|i| i.to_string()),
            ..Default::default()
        };
        let code = http.status;
        let vendor = classify(Answer {
            status: code,
            headers: &http.headers,
            body: &http.body,
        });
        if let Some((kind, detail)) = failure {
            ex.outcome = "failed".into();
            ex.error_kind = Some(kind.into());
            ex.error_detail = Some(detail);
        } else if let Some(v) = vendor {
            ex.outcome = "blocked".into();
            ex.error_kind = Some(format!("blocked({v})"));
            ex.error_detail = Some(format!("HTTP {code}: anti-bot answer, not bypassed"));
        } else if code == 304 {
            ex.outcome = "not_modified".into();
        } else if (300..400).contains(&code) && http.header("location").is_some() {
            ex.outcome = "redirect".into();
        } else if (200..300).contains(&code) && code != 202 {
            ex.outcome = "ok".into();
        } else {
            ex.outcome = "http_error".into();
            ex.error_kind = Some(format!("http_{code}"));
        }
        ex.response = Some(http);
        (ex, retry_after)
    }
}

/// Transient failures worth a retry.
fn is_transient(ex: &Exchange) -> bool {
    match ex.outcome.as_str() {
        "failed" => matches!(
            ex.error_kind.as_deref(),
            Some("timeout" | "connection_reset" | "connect_error" | "network_error" | "body_error")
        ),
        "http_error" => {
            let s = ex.response.as_ref().map(|r| r.status).unwrap_or(0);
            matches!(s, 408 | 429 | 500 | 502 | 503 | 504)
        }
        _ => false,
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn error_kind(e: &reqwest::Error) -> &'static str {
    let chain = error_chain(e).to_ascii_lowercase();
    if e.is_timeout() || chain.contains("timed out") {
        "timeout"
    } else if chain.contains("reset")
        || chain.contains("broken pipe")
        || chain.contains("connection closed")
    {
        "connection_reset"
    } else if e.is_connect() {
        if chain.contains("certificate") || chain.contains("tls") {
            "tls_error"
        } else {
            "connect_error"
        }
    } else if chain.contains("incomplete")
        || chain.contains("unexpected eof")
        || chain.contains("message")
    {
        "connection_reset"
    } else {
        "network_error"
    }
}

fn body_error_kind(e: &reqwest::Error) -> &'static str {
    match error_kind(e) {
        "network_error" => "body_error",
        k => k,
    }
}

/// `Retry-After`: delta seconds or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs >= 0.0 && secs.is_finite()).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
