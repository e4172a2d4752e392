//! Shared helpers of the crawl integration tests: request-logging servers on 127.0.0.x,
//! config building, CSV reading. No test touches the internet.
#![allow(dead_code)]

use nianbao_crawl::serve::{self, Handler, Reply, Request};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One request as seen by a test server.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub body: Vec<u8>,
    pub host: String,
    pub target: String,
    pub at: Instant,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
}

/// Request log shared by all test servers.
#[derive(Debug, Default, Clone)]
pub struct Log(pub Arc<Mutex<Vec<Hit>>>);

impl Log {
    pub fn hits(&self) -> Vec<Hit> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
    pub fn clear(&self) {
        if let Ok(mut v) = self.0.lock() {
            v.clear();
        }
    }
}

/// Wrap a handler so that every request is logged with its arrival time.
pub fn logged(h: Handler, log: Log) -> Handler {
    Arc::new(move |req: Request| {
        let hit = Hit {
            method: req.method.clone(),
            body: req.body.clone(),
            host: req.local.to_string(),
            target: req.target.clone(),
            at: Instant::now(),
            if_none_match: req.header("if-none-match").map(str::to_string),
            if_modified_since: req.header("if-modified-since").map(str::to_string),
        };
        if let Ok(mut v) = log.0.lock() {
            v.push(hit);
        }
        h(req)
    })
}

/// Start a handler on `ip:0`; returns `ip:port` and the server task (abort it to stop).
pub async fn start(ip: &str, h: Handler, log: &Log) -> (String, tokio::task::JoinHandle<()>) {
    let (addr, task) = serve::spawn(&format!("{ip}:0"), logged(h, log.clone()))
        .await
        .expect("bind test server");
    (addr.to_string(), task)
}

/// Bind `ip:0` now, serve later (to learn addresses before building handlers).
pub async fn bind(ip: &str) -> (tokio::net::TcpListener, String) {
    let l = tokio::net::TcpListener::bind(format!("{ip}:0"))
        .await
        .expect("bind");
    let a = l.local_addr().expect("addr").to_string();
    (l, a)
}

/// Serve a bound listener with logging.
pub fn serve_on(l: tokio::net::TcpListener, h: Handler, log: &Log) -> tokio::task::JoinHandle<()> {
    tokio::spawn(serve::serve(l, logged(h, log.clone())))
}

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the offline demo sites (real report content).
pub fn demo_file(rel: &str) -> Vec<u8> {
    std::fs::read(repo().join("data/demo/sites").join(rel)).expect("demo file")
}

/// Serve a demo site directory, with `{{site:NAME}}` replaced by `sites`.
pub fn demo_site(name: &str, sites: HashMap<String, String>) -> Handler {
    serve::static_site(repo().join("data/demo/sites").join(name), Arc::new(sites))
}

pub fn html(body: &str) -> Reply {
    Reply::new(200, "text/html; charset=utf-8", body.as_bytes().to_vec())
}

/// Rows of a CSV file as maps.
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("csv");
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().expect("headers").clone();
    rdr.records()
        .map(|r| {
            let r = r.expect("row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Minimum gap between consecutive requests to `host` (after skipping `skip` requests).
pub fn min_gap_ms(hits: &[Hit], host: &str, skip: usize) -> Option<f64> {
    let mut t: Vec<Instant> = hits
        .iter()
        .filter(|h| h.host == host)
        .map(|h| h.at)
        .collect();
    t.sort();
    let t: Vec<Instant> = t.into_iter().skip(skip).collect();
    t.windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64() * 1000.0)
        .fold(None, |m: Option<f64>, g| Some(m.map_or(g, |m| m.min(g))))
}

/// A report page (real 龙岗 report content) with its own title and year.
pub fn report_page(n: usize) -> Vec<u8> {
    let page = String::from_utf8(demo_file(
        "gkmlpt/xxgk/xxgknb/qzfgzbm/content/post_11956962.html",
    ))
    .expect("utf8");
    page.replace(
        "深圳市龙岗区2024年政府信息公开工作年度报告",
        &format!("第{n}单位2024年政府信息公开工作年度报告"),
    )
    .into_bytes()
}

/// A TRS-style column of `n` reports, `per_page` per list page, with ETag/304 support and
/// robots.txt. Paths: /nb/index.html, /nb/index_N.html, /nb/202501/t20250101_<i>.htm.
pub fn trs_column(count: Arc<Mutex<usize>>, per_page: usize) -> Handler {
    serve::handler(move |req| {
        let n = count.lock().map(|c| *c).unwrap_or(0);
        let body: Option<(Vec<u8>, &str)> = match req.path() {
            "/robots.txt" => Some((b"User-agent: *\nDisallow: /admin/\n".to_vec(), "text/plain")),
            p if p == "/nb/" || p.starts_with("/nb/index") => {
                let page: usize = p
                    .trim_start_matches("/nb/index")
                    .trim_start_matches('_')
                    .trim_end_matches(".html")
                    .parse()
                    .unwrap_or(0);
                let pages = n.div_ceil(per_page).max(1);
                if page >= pages {
                    None
                } else {
                    let items: String = (0..n)
                        .rev()
                        .skip(page * per_page)
                        .take(per_page)
                        .map(|i| format!(r#"<dd><a href="./202501/t20250101_{i}.htm" title="第{i}单位2024年政府信息公开工作年度报告">第{i}单位…</a></dd>"#))
                        .collect();
                    Some((
                        format!(r#"<html><head><meta charset="utf-8"></head><body><dl>{items}</dl><script>createPageHTML({pages}, {page}, "index", "html");</script></body></html>"#).into_bytes(),
                        "text/html",
                    ))
                }
            }
            p if p.starts_with("/nb/202501/t20250101_") => {
                let i: usize = p
                    .trim_start_matches("/nb/202501/t20250101_")
                    .trim_end_matches(".htm")
                    .parse()
                    .unwrap_or(usize::MAX);
                (i < n).then(|| (report_page(i), "text/html"))
            }
            _ => None,
        };
        match body {
            None => Reply::not_found(),
            Some((b, ct)) => {
                let etag = format!("\"{}\"", &nianbao_archive::warc::sha256_hex(&b)[..16]);
                if req.header("if-none-match") == Some(etag.as_str()) {
                    Reply::Full {
                        status: 304,
                        headers: vec![("ETag".into(), etag)],
                        body: vec![],
                        drip: None,
                    }
                } else {
                    Reply::new(200, ct, b).header("ETag", &etag)
                }
            }
        }
    })
}

/// A crawl config for hosts serving `trs_column` at /nb/.
pub fn column_config(hosts: &[String], data: &Path, out: &Path, delay_ms: u64) -> String {
    let starts: Vec<String> = hosts
        .iter()
        .map(|h| format!("\"http://{h}/nb/\""))
        .collect();
    format!(
        r#"
[[sources]]
name = "columns"
start = [{}]
[crawl]
allow_private_addresses = true
[politeness]
delay_ms = {delay_ms}
timeout_s = 5.0
retries = 1
backoff_ms = 50
[storage]
data = "{}"
out = "{}"
"#,
        starts.join(", "),
        data.display(),
        out.display()
    )
}

/// Run a crawl, then build the dataset from its archive as `nianbao crawl` does.
pub async fn crawl(cfg: nianbao_crawl::Config) -> nianbao_crawl::RunReport {
    let (data, out, bom) = (
        cfg.storage.data.clone(),
        cfg.storage.out.clone(),
        cfg.storage.bom,
    );
    let report = nianbao_crawl::run(cfg).await.expect("crawl");
    nianbao_dataset::refresh(&data, &out, bom).expect("dataset");
    report
}
