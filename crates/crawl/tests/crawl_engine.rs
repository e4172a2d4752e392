//! Engine behaviour through request-logging servers on 127.0.0.x: the Crawl-delay covers
//! every request to a host (robots.txt included); DNS and connection failures are retried
//! and reported by their kind; a scheme that cannot connect falls back to the other one;
//! the per-host page budget stops one host, not the others, and the rest comes next run.

mod common;

use common::*;
use nianbao_crawl::serve::{Handler, Reply, Request};
use std::sync::{Arc, Mutex};

/// `trs_column` with its own robots.txt.
fn with_robots(inner: Handler, robots: &'static str) -> Handler {
    Arc::new(move |req: Request| {
        if req.path() == "/robots.txt" {
            return Box::pin(async move { Reply::new(200, "text/plain", robots) });
        }
        inner(req)
    })
}

fn toml(starts: &[String], data: &std::path::Path, extra: &str) -> String {
    let starts: Vec<String> = starts.iter().map(|s| format!("\"{s}\"")).collect();
    format!(
        r#"
[[sources]]
name = "engine"
start = [{}]
[crawl]
allow_private_addresses = true
{extra}
[storage]
data = "{}"
out = "{}"
"#,
        starts.join(", "),
        data.join("data").display(),
        data.join("out").display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_delay_spaces_every_request_including_robots_txt() {
    let log = Log::default();
    let site = with_robots(
        trs_column(Arc::new(Mutex::new(3)), 5),
        "User-agent: *\nDisallow: /admin/\nCrawl-delay: 1\n",
    );
    let (host, _srv) = start("127.0.0.1", site, &log).await;
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = nianbao_crawl::Config::from_toml(
        &toml(
            &[format!("http://{host}/nb/")],
            dir.path(),
            "[politeness]\ndelay_ms = 10\nretries = 0",
        ),
        "t",
    )
    .expect("config");
    let report = nianbao_crawl::run(cfg).await.expect("crawl");
    println!("{}", report.summary);
    let hits = log.hits();
    let targets: Vec<&str> = hits.iter().map(|h| h.target.as_str()).collect();
    println!("{targets:?}");
    assert_eq!(
        hits.len(),
        6,
        "robots.txt, the list (/nb/ and its index.html), 3 reports: {targets:?}"
    );
    assert_eq!(hits[0].target, "/robots.txt");
    let gap = min_gap_ms(&hits, &host, 0).expect("gaps");
    println!("smallest gap between two requests (robots.txt included): {gap:.1} ms");
    assert!(
        gap >= 1000.0,
        "two requests {gap:.1} ms apart with Crawl-delay: 1"
    );
    assert_eq!(report.summary.hosts[&host].crawl_delay_s, Some(1.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_and_connect_failures_are_retried_and_named() {
    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let dir = tempfile::tempdir().expect("tmp");
    let starts = [
        "http://gone.test/nb/".to_string(),
        format!("http://127.0.0.1:{closed}/nb/"),
    ];
    let cfg = nianbao_crawl::Config::from_toml(
        &toml(
            &starts,
            dir.path(),
            // gone.test resolves to nothing: a DNS failure without asking a name server.
            "[crawl.resolve]\n\"gone.test\" = []\n[politeness]\ndelay_ms = 0\nretries = 2\nbackoff_ms = 20",
        ),
        "t",
    )
    .expect("config");
    let report = nianbao_crawl::run(cfg).await.expect("crawl");
    println!("{}", report.summary);
    let gone = &report.summary.hosts["gone.test"];
    assert!(gone.errors.contains_key("dns_error"), "{gone:?}");
    assert!(!gone.errors.contains_key("private_address"));
    assert_eq!(gone.retries, 2, "the DNS failure was retried");
    let refused = &report.summary.hosts[&format!("127.0.0.1:{closed}")];
    assert!(refused.errors.contains_key("connect_error"), "{refused:?}");
    assert_eq!(refused.retries, 2, "the connection failure was retried");

    let a = nianbao_archive::Archive::open_read_only(&dir.path().join("data")).expect("archive");
    let rows = a.index().all_records().expect("rows");
    let kinds: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .filter(|r| r.url == "http://gone.test/robots.txt")
        .map(|r| (r.url.as_str(), r.outcome.as_str(), r.error_kind.as_deref()))
        .collect();
    assert_eq!(
        kinds.iter().map(|k| (k.1, k.2)).collect::<Vec<_>>(),
        vec![
            ("retried", Some("dns_error")),
            ("retried", Some("dns_error")),
            ("failed", Some("dns_error"))
        ]
    );
    // The pages of a host whose robots.txt could not be asked are not requested; they
    // carry the same failure, so a later run tries them again.
    let listing = rows
        .iter()
        .find(|r| r.url == "http://gone.test/nb/")
        .expect("listing row");
    assert_eq!(
        (listing.outcome.as_str(), listing.error_kind.as_deref()),
        ("failed", Some("dns_error"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_that_cannot_connect_falls_back_to_http() {
    // Scheme fallback applies to default ports only: serve plain HTTP on 127.0.0.77:80
    // (nothing on :443).
    let listener = match tokio::net::TcpListener::bind("127.0.0.77:80").await {
        Ok(l) => l,
        Err(e) => {
            println!("SKIPPED: cannot bind 127.0.0.77:80 ({e}); the fallback test needs port 80");
            return;
        }
    };
    let log = Log::default();
    let _srv = serve_on(listener, trs_column(Arc::new(Mutex::new(2)), 5), &log);
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = nianbao_crawl::Config::from_toml(
        &toml(
            &["https://127.0.0.77/nb/".to_string()],
            dir.path(),
            "[politeness]\ndelay_ms = 0\nretries = 1\nbackoff_ms = 20",
        ),
        "t",
    )
    .expect("config");
    let report = nianbao_crawl::run(cfg).await.expect("crawl");
    println!("{}", report.summary);
    assert_eq!(report.summary.total().new_reports, 2);
    let a = nianbao_archive::Archive::open_read_only(&dir.path().join("data")).expect("archive");
    let rows = a.index().all_records().expect("rows");
    let https: Vec<_> = rows
        .iter()
        .filter(|r| r.url.starts_with("https:"))
        .collect();
    // robots.txt over https: one try, one retry, then the switch (recorded on the attempt).
    assert_eq!(https.len(), 2, "{https:?}");
    assert!(https.iter().all(|r| r.outcome == "retried"));
    assert!(https[1]
        .error_detail
        .as_deref()
        .is_some_and(|d| d.contains("scheme fallback: https -> http")));
    // Every later request of the host went straight to http.
    let http_urls: Vec<_> = rows
        .iter()
        .filter(|r| r.url.starts_with("http:"))
        .map(|r| r.url.as_str())
        .collect();
    assert_eq!(
        http_urls.len(),
        5,
        "robots.txt, list (/nb/, index.html), 2 reports: {http_urls:?}"
    );
    assert_eq!(log.hits().len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_budget_per_host() {
    let log = Log::default();
    let (big, _a) = start("127.0.0.1", trs_column(Arc::new(Mutex::new(10)), 20), &log).await;
    let (small, _b) = start("127.0.0.2", trs_column(Arc::new(Mutex::new(2)), 20), &log).await;
    let dir = tempfile::tempdir().expect("tmp");
    let text = toml(
        &[format!("http://{big}/nb/"), format!("http://{small}/nb/")],
        dir.path(),
        "max_pages_per_host = 4\n[politeness]\ndelay_ms = 0\nretries = 0",
    );
    let pages = |host: &str| {
        log.hits()
            .iter()
            .filter(|h| h.host == host && h.target != "/robots.txt")
            .count()
    };
    let r1 = nianbao_crawl::run(nianbao_crawl::Config::from_toml(&text, "t").expect("cfg"))
        .await
        .expect("crawl");
    println!("{}", r1.summary);
    assert_eq!(
        pages(&big),
        4,
        "the list and 3 reports, then the budget is used up"
    );
    assert_eq!(
        pages(&small),
        4,
        "the other host is not held back (list twice, 2 reports)"
    );
    assert_eq!(r1.summary.hosts[&big].new_reports, 3);
    assert_eq!(r1.summary.hosts[&small].new_reports, 2);
    let a = nianbao_archive::Archive::open_read_only(&dir.path().join("data")).expect("archive");
    let counts = a
        .index()
        .frontier_counts(r1.summary.run_id)
        .expect("counts");
    assert!(
        counts.contains(&("over_budget".to_string(), 8)),
        "{counts:?}"
    );
    drop(a);
    // The next run picks up what the budget left: the list and the 3 reports are revisited
    // (304, not charged to the budget), then 4 more reports are downloaded.
    log.clear();
    let r2 = nianbao_crawl::run(nianbao_crawl::Config::from_toml(&text, "t").expect("cfg"))
        .await
        .expect("crawl");
    println!("{}", r2.summary);
    assert_eq!(
        r2.summary.hosts[&big].not_modified, 5,
        "robots.txt, the list, 3 reports"
    );
    assert_eq!(r2.summary.hosts[&big].new_reports, 4);
    assert_eq!(pages(&big), 8);
}
