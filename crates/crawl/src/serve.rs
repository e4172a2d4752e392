//! A tiny HTTP/1.1 server on tokio for the offline demo and the integration tests.
//!
//! It answers one request per connection (`Connection: close`) and can misbehave on
//! purpose: reset the connection, hang, or drip the body slowly, which is what the
//! hostile test sites need. [`static_site`] serves a directory as one site, with
//! `_routes.toml` for query-dependent answers and header overrides (charset only in the
//! HTTP header, JSON APIs, the Hanweb proxy) and `{{site:NAME}}` substitution so several
//! sites on random ports can link to each other.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Method.
    pub method: String,
    /// Path including the query string.
    pub target: String,
    /// Header fields (names lower-cased).
    pub headers: Vec<(String, String)>,
    /// Peer address.
    pub peer: SocketAddr,
    /// Local address the request arrived on.
    pub local: SocketAddr,
    /// Request body (read up to `Content-Length`, at most 1 MiB).
    pub body: Vec<u8>,
}

impl Request {
    /// Path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("/")
    }

    /// The query string, if any.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// A header value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        let n = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A normal response.
    Full {
        /// Status code.
        status: u16,
        /// Header fields (Content-Length and Connection are added).
        headers: Vec<(String, String)>,
        /// Body.
        body: Vec<u8>,
        /// Send the body in chunks of this size with this pause between them.
        drip: Option<(usize, Duration)>,
    },
    /// Close the connection with a TCP reset, before any answer.
    Reset,
    /// Never answer (the connection stays open until the server stops).
    Hang,
}

impl Reply {
    /// A response with a status, a content type and a body.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            drip: None,
        }
    }

    /// Add a header field.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    /// 404.
    pub fn not_found() -> Reply {
        Reply::new(
            404,
            "text/html; charset=utf-8",
            "<html><body>404 Not Found</body></html>",
        )
    }
}

/// A request handler.
pub type Handler =
    Arc<dyn Fn(Request) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync>;

/// Wrap a synchronous closure as a [`Handler`].
pub fn handler<F>(f: F) -> Handler
where
    F: Fn(Request) -> Reply + Send + Sync + 'static,
{
    let f = Arc::new(f);
    Arc::new(move |r| {
        let f = f.clone();
        Box::pin(async move { f(r) })
    })
}

/// Accept connections forever (until the task is aborted).
pub async fn serve(listener: TcpListener, h: Handler) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let h = h.clone();
        tokio::spawn(async move {
            let _ = connection(stream, peer, h).await;
        });
    }
}

/// Bind `addr` (e.g. `127.0.0.1:0`) and serve in a background task; returns the address.
pub async fn spawn(
    addr: &str,
    h: Handler,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((local, tokio::spawn(serve(listener, h))))
}

async fn connection(mut stream: TcpStream, peer: SocketAddr, h: Handler) -> std::io::Result<()> {
    let local = stream.local_addr()?;
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut tmp).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or("");
    let mut parts = first.split_whitespace();
    let method = parts.next().unwrap_or("GET").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let want: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < want {
        let n = stream.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    body.truncate(want);
    let req = Request {
        method: method.clone(),
        target,
        headers,
        peer,
        local,
        body,
    };
    match h(req).await {
        Reply::Reset => {
            stream.set_zero_linger()?;
            drop(stream);
            Ok(())
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
        Reply::Full {
            status,
            headers,
            body,
            drip,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (k, v) in &headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            stream.write_all(head.as_bytes()).await?;
            if method != "HEAD" {
                match drip {
                    None => stream.write_all(&body).await?,
                    Some((size, pause)) => {
                        for c in body.chunks(size.max(1)) {
                            stream.write_all(c).await?;
                            stream.flush().await?;
                            tokio::time::sleep(pause).await;
                        }
                    }
                }
            }
            stream.flush().await?;
            let _ = stream.shutdown().await;
            Ok(())
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        403 => "Forbidden",
        404 => "Not Found",
        412 => "Precondition Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        521 => "Web Server Is Down",
        _ => "Status",
    }
}

/// A route of a static site (`_routes.toml`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Request path.
    pub path: String,
    /// Substring the query must contain (empty: any).
    #[serde(default)]
    pub query: String,
    /// File to serve, relative to the site directory (default: the path).
    #[serde(default)]
    pub file: Option<String>,
    /// Content-Type to send.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Status to send (default 200).
    #[serde(default)]
    pub status: Option<u16>,
    /// Method the request must have (`POST` for form APIs); any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Substring the request body must contain (form POSTs); empty: any.
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Default, serde::Deserialize)]
struct RoutesFile {
    #[serde(default)]
    route: Vec<Route>,
}

fn content_type_for(path: &str) -> &'static str {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    match ext {
        "html" | "htm" | "shtml" | "jsp" => "text/html",
        "xml" => "text/xml",
        "json" => "application/json",
        "txt" => "text/plain",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// Serve `dir` as one static site: `/` and `/dir/` map to `index.html`; ETag (content
/// hash) and Last-Modified are sent and `If-None-Match` answered with 304. `{{site:NAME}}`
/// in text files is replaced with `sites[NAME]`.
pub fn static_site(dir: PathBuf, sites: Arc<HashMap<String, String>>) -> Handler {
    let routes: Vec<Route> = std::fs::read_to_string(dir.join("_routes.toml"))
        .ok()
        .and_then(|t| toml::from_str::<RoutesFile>(&t).ok())
        .map(|r| r.route)
        .unwrap_or_default();
    handler(move |req| static_answer(&dir, &routes, &sites, &req))
}

fn static_answer(
    dir: &Path,
    routes: &[Route],
    sites: &HashMap<String, String>,
    req: &Request,
) -> Reply {
    let path = percent_decode(req.path());
    let route = routes.iter().find(|r| {
        r.path == path
            && (r.query.is_empty() || req.query().contains(&r.query))
            && r.method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&req.method))
            && (r.body.is_empty() || String::from_utf8_lossy(&req.body).contains(&r.body))
    });
    let rel = match route.and_then(|r| r.file.clone()) {
        Some(f) => f,
        None => {
            let mut p = path.trim_start_matches('/').to_string();
            if p.is_empty() || p.ends_with('/') {
                p.push_str("index.html");
            }
            p
        }
    };
    if rel.contains("..") || (route.is_none() && rel.starts_with('_')) {
        return Reply::not_found();
    }
    let file = dir.join(&rel);
    let Ok(mut body) = std::fs::read(&file) else {
        return Reply::not_found();
    };
    let ct = route
        .and_then(|r| r.content_type.clone())
        .unwrap_or_else(|| content_type_for(&rel).to_string());
    if ct.starts_with("text/") || ct.contains("json") {
        for (name, addr) in sites {
            body = replace_bytes(
                &body,
                format!("{{{{site:{name}}}}}").as_bytes(),
                addr.as_bytes(),
            );
        }
    }
    let etag = format!("\"{}\"", &nianbao_archive::warc::sha256_hex(&body)[..16]);
    let mtime = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
    if req.header("if-none-match") == Some(etag.as_str()) {
        return Reply::Full {
            status: 304,
            headers: vec![("ETag".into(), etag)],
            body: vec![],
            drip: None,
        };
    }
    let mut reply =
        Reply::new(route.and_then(|r| r.status).unwrap_or(200), &ct, body).header("ETag", &etag);
    if let Some(m) = mtime {
        reply = reply.header("Last-Modified", &httpdate::fmt_http_date(m));
    }
    reply
}

fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return hay.to_vec();
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Start one static server per sub-directory of `root` on 127.0.0.1 (ports from
/// `base_port`, or random ports when 0).
/// Returns `(name, "127.0.0.1:PORT")` pairs and the server tasks.
pub async fn spawn_sites(
    root: &Path,
    base_port: u16,
) -> std::io::Result<(Vec<(String, String)>, Vec<tokio::task::JoinHandle<()>>)> {
    let mut names: Vec<String> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    let mut listeners = Vec::new();
    let mut sites = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let fixed = if base_port == 0 {
            None
        } else {
            base_port.checked_add(i as u16)
        };
        let l = match fixed {
            Some(p) => match TcpListener::bind(("127.0.0.1", p)).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(port = p, error = %e, "demo port taken, using a random port");
                    TcpListener::bind("127.0.0.1:0").await?
                }
            },
            None => TcpListener::bind("127.0.0.1:0").await?,
        };
        sites.push((n.clone(), l.local_addr()?.to_string()));
        listeners.push(l);
    }
    let map: Arc<HashMap<String, String>> = Arc::new(sites.iter().cloned().collect());
    let mut tasks = Vec::new();
    for (n, l) in names.iter().zip(listeners) {
        tasks.push(tokio::spawn(serve(
            l,
            static_site(root.join(n), map.clone()),
        )));
    }
    Ok((sites, tasks))
}
