//! Fetching one request politely: per-host gate, address guard (a resolver that checks
//! and pins, [`crate::resolve`]), timeouts, body cap, retries with exponential backoff and
//! jitter (DNS and connection failures included), `Retry-After`, conditional requests,
//! manual redirects (each hop recorded; one redirect budget per original request across
//! hosts; robots.txt consulted before a hop is followed; out-of-scope targets recorded, not
//! followed), and anti-bot classification. Every attempt becomes one [`Exchange`].

use nianbao_archive::{Exchange, HttpResponse, Method, Outcome};
use reqwest::header::{HeaderMap, HeaderValue};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use url::Url;

use crate::classify::{classify, Answer};
use crate::config::Config;
use crate::politeness::{backoff, Gates};
use crate::request::Request;
use crate::resolve::{find_resolve_error, GuardedResolver, ResolveErrorKind};
use crate::robots::Robots;
use crate::scope::{check_literal, host_key};

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

/// What a fetch may do beyond the request itself.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Run id (goes into every exchange).
    pub run_id: i64,
    /// Hosts in scope for redirects.
    pub allowed: &'a HashSet<String>,
    /// The rules of the request's host, for same-host redirect hops.
    pub robots: Option<&'a Robots>,
}

/// Everything that happened while fetching one request.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// Every attempt and redirect hop, in order; the last one is the final answer.
    pub attempts: Vec<Exchange>,
    /// URL of the final answer (after same-host redirects).
    pub final_url: Option<Url>,
    /// In-scope redirect target on another host, to be scheduled as its own request, with
    /// the redirects followed so far (the budget travels with it).
    pub redirect_to: Option<(Url, u32)>,
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

const ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const ACCEPT_LANGUAGE: &str = "zh-CN,zh;q=0.9";

impl Fetcher {
    /// Build the client from the configuration.
    pub fn new(cfg: Arc<Config>, gates: Arc<Gates>) -> Result<Fetcher, FetchError> {
        let p = &cfg.politeness;
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static(ACCEPT));
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            HeaderValue::from_static(ACCEPT_LANGUAGE),
        );
        let resolver = GuardedResolver::new(
            cfg.crawl.allow_private_addresses,
            cfg.crawl.resolve.clone().into_iter().collect(),
        );
        let client = reqwest::Client::builder()
            .user_agent(p.user_agent.clone())
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs_f64(p.timeout_s))
            .connect_timeout(Duration::from_secs_f64(p.connect_timeout_s))
            // Only hosts being crawled keep a connection: idle ones are closed soon, so a
            // national crawl does not hold thousands of sockets and TLS buffers.
            .pool_max_idle_per_host(p.per_host_concurrency)
            .pool_idle_timeout(Duration::from_secs(15))
            // A system proxy would resolve and connect on its own, out of reach of the
            // address guard: the crawler always connects directly.
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher { client, gates, cfg })
    }

    /// The gates (per-host politeness state).
    pub fn gates(&self) -> &Arc<Gates> {
        &self.gates
    }

    fn base_delay(&self) -> Duration {
        Duration::from_millis(self.cfg.politeness.delay_ms)
    }

    /// Fetch one request with retries and same-host redirects.
    pub async fn fetch(&self, req: &Request, ctx: Context<'_>) -> Fetched {
        let mut out = Fetched::default();
        let mut url = req.url.clone();
        let mut method = req.method;
        let mut body = req.body.clone();
        let mut hops = req.hops;
        let mut chain: Vec<Url> = vec![url.clone()];
        let allow_private = self.cfg.crawl.allow_private_addresses;
        loop {
            let host = host_key(&url);
            if let Err(msg) = check_literal(&url, allow_private) {
                let kind = if msg.starts_with("private") {
                    "private_address"
                } else {
                    "bad_url"
                };
                out.attempts.push(self.failure(
                    req,
                    ctx.run_id,
                    &url,
                    method,
                    Outcome::Refused,
                    kind,
                    &msg,
                ));
                out.final_url = Some(url);
                return out;
            }
            let validators = if url == req.url {
                req.validators.clone()
            } else {
                None
            };
            let mut attempt = 0u32;
            let ex = loop {
                self.gates.wait(&host, self.base_delay()).await;
                let (mut ex, retry_after) = self
                    .once(req, ctx.run_id, &url, method, &body, validators.as_ref())
                    .await;
                self.gates.done(&host);
                if is_transient(&ex) && attempt < self.cfg.politeness.retries {
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
                    ex.outcome = Outcome::Retried;
                    out.attempts.push(ex);
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                break ex;
            };
            if ex.outcome != Outcome::Redirect {
                out.attempts.push(ex);
                out.final_url = Some(url);
                return out;
            }
            let mut ex = ex;
            let status = ex.response.as_ref().map(|r| r.status).unwrap_or(0);
            let target = ex
                .response
                .as_ref()
                .and_then(|r| r.header("location"))
                .and_then(|l| url.join(l).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .map(|mut u| {
                    u.set_fragment(None);
                    u
                });
            let Some(target) = target else {
                ex.outcome = Outcome::HttpError;
                ex.error_kind = Some("bad_redirect".into());
                ex.error_detail = Some(format!("{status} without usable Location"));
                out.attempts.push(ex);
                out.final_url = Some(url);
                return out;
            };
            let target_host = host_key(&target);
            if chain.contains(&target) {
                ex.error_kind = Some("redirect_loop".into());
                ex.error_detail = Some(format!("{url} -> {target}"));
            } else if hops as usize >= self.cfg.crawl.max_redirects {
                ex.error_kind = Some("too_many_redirects".into());
                ex.error_detail = Some(format!(
                    "{} redirects followed (max_redirects = {}), next: {target}",
                    hops, self.cfg.crawl.max_redirects
                ));
            } else if !ctx.allowed.contains(&target_host) {
                ex.error_kind = Some("redirect_out_of_scope".into());
                ex.error_detail = Some(target.to_string());
            } else if target_host != host {
                out.attempts.push(ex);
                out.final_url = Some(url);
                out.redirect_to = Some((target, hops + 1));
                return out;
            } else if ctx.robots.is_some_and(|r| !r.allowed(target.as_str())) {
                ex.error_kind = Some("robots_denied".into());
                ex.error_detail = Some(format!("robots.txt disallows {target}"));
            } else {
                out.attempts.push(ex);
                hops += 1;
                chain.push(target.clone());
                url = target;
                // 307/308 repeat the request as it was; the others become a GET.
                if !matches!(status, 307 | 308) {
                    method = Method::Get;
                    body = Vec::new();
                }
                continue;
            }
            out.attempts.push(ex);
            out.final_url = Some(url);
            return out;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn failure(
        &self,
        req: &Request,
        run_id: i64,
        url: &Url,
        method: Method,
        outcome: Outcome,
        kind: &str,
        detail: &str,
    ) -> Exchange {
        Exchange {
            url: url.to_string(),
            host: host_key(url),
            method,
            role: req.role.as_str().into(),
            referrer: req.referrer.clone(),
            run_id,
            fetched_at: Some(now()),
            outcome,
            error_kind: Some(kind.into()),
            error_detail: Some(detail.into()),
            ..Default::default()
        }
    }

    /// One request; returns the exchange and a Retry-After delay if the server sent one.
    async fn once(
        &self,
        req: &Request,
        run_id: i64,
        url: &Url,
        method: Method,
        body: &[u8],
        validators: Option<&Validators>,
    ) -> (Exchange, Option<Duration>) {
        let p = &self.cfg.politeness;
        let mut req_headers: Vec<(String, String)> = vec![
            ("User-Agent".into(), p.user_agent.clone()),
            ("Accept".into(), ACCEPT.into()),
            ("Accept-Language".into(), ACCEPT_LANGUAGE.into()),
            ("Accept-Encoding".into(), "gzip, br, deflate".into()),
        ];
        let mut rb = match method {
            Method::Get => self.client.get(url.clone()),
            Method::Post => {
                req_headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
                self.client
                    .post(url.clone())
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body.to_vec())
            }
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
        if let Some(r) = &req.referrer {
            rb = rb.header(reqwest::header::REFERER, r.as_str());
            req_headers.push(("Referer".into(), r.clone()));
        }
        let mut ex = Exchange {
            url: url.to_string(),
            host: host_key(url),
            method,
            role: req.role.as_str().into(),
            referrer: req.referrer.clone(),
            run_id,
            request_headers: req_headers,
            request_body: if method == Method::Post {
                body.to_vec()
            } else {
                Vec::new()
            },
            ..Default::default()
        };
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                let (outcome, kind) = error_kind(&e);
                ex.fetched_at = Some(now());
                ex.outcome = outcome;
                ex.error_kind = Some(kind.into());
                ex.error_detail = Some(error_chain(&e));
                return (ex, None);
            }
        };
        let status = resp.status();
        ex.ip = resp.remote_addr().map(|a| a.ip().to_string());
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
            // Exact allocation when the length is announced (bodies are not doubled by
            // growth); compressed answers announce their compressed length, a lower bound.
            if let Some(l) = resp.content_length() {
                body.reserve_exact(l.min(cap) as usize);
            }
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
        ex.fetched_at = Some(now());
        let http = HttpResponse {
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body,
        };
        let code = http.status;
        let vendor = classify(Answer {
            status: code,
            headers: &http.headers,
            body: &http.body,
        });
        if let Some((kind, detail)) = failure {
            ex.outcome = Outcome::Failed;
            ex.error_kind = Some(kind.into());
            ex.error_detail = Some(detail);
        } else if let Some(v) = vendor {
            ex.outcome = Outcome::Blocked;
            ex.error_kind = Some(format!("blocked({v})"));
            ex.error_detail = Some(format!("HTTP {code}: anti-bot answer, not bypassed"));
        } else if code == 304 {
            ex.outcome = Outcome::NotModified;
        } else if (300..400).contains(&code) && http.header("location").is_some() {
            ex.outcome = Outcome::Redirect;
        } else if (200..300).contains(&code) && code != 202 {
            ex.outcome = Outcome::Ok;
        } else {
            ex.outcome = Outcome::HttpError;
            ex.error_kind = Some(format!("http_{code}"));
        }
        ex.response = Some(http);
        (ex, retry_after)
    }
}

/// Transient failures worth a retry (DNS and connection failures included: government
/// name servers and sites drop out for minutes at a time).
pub fn is_transient(ex: &Exchange) -> bool {
    match ex.outcome {
        Outcome::Failed => matches!(
            ex.error_kind.as_deref(),
            Some(
                "timeout"
                    | "connection_reset"
                    | "connect_error"
                    | "dns_error"
                    | "network_error"
                    | "body_error"
            )
        ),
        Outcome::HttpError => {
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

/// Outcome and kind of a request that got no response.
fn error_kind(e: &reqwest::Error) -> (Outcome, &'static str) {
    if let Some(r) = find_resolve_error(e) {
        return match r.kind {
            ResolveErrorKind::Forbidden => (Outcome::Refused, "private_address"),
            ResolveErrorKind::Dns => (Outcome::Failed, "dns_error"),
        };
    }
    (Outcome::Failed, network_kind(e))
}

fn network_kind(e: &reqwest::Error) -> &'static str {
    let chain = error_chain(e).to_ascii_lowercase();
    if e.is_timeout() || chain.contains("timed out") {
        "timeout"
    } else if chain.contains("reset")
        || chain.contains("broken pipe")
        || chain.contains("connection closed")
    {
        "connection_reset"
    } else if e.is_connect() {
        if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake") {
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
    match network_kind(e) {
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
