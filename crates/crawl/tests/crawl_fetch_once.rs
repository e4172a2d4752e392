//! `fetch_once` (used by `nianbao extract URL`): robots.txt obeyed, the answer archived and
//! returned; private addresses refused unless allowed.

mod common;

use common::*;
use nianbao_crawl::serve::{handler, Reply};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_once_archives_and_returns() {
    let log = Log::default();
    let page = report_page(1);
    let body = page.clone();
    let (host, _srv) = start(
        "127.0.0.1",
        handler(move |req| match req.path() {
            "/robots.txt" => Reply::new(200, "text/plain", "User-agent: *\nDisallow: /no/\n"),
            "/r.html" => Reply::new(200, "text/html", body.clone()),
            "/old.html" => Reply::new(301, "text/html", "").header("Location", "/r.html"),
            _ => Reply::not_found(),
        }),
        &log,
    )
    .await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut cfg = nianbao_crawl::Config::default();
    cfg.crawl.allow_private_addresses = true;
    cfg.politeness.delay_ms = 10;

    let rec = nianbao_crawl::fetch_once(&format!("http://{host}/old.html"), dir.path(), &cfg)
        .await
        .expect("fetch");
    assert_eq!(rec.status, Some(200));
    assert_eq!(rec.outcome, "ok");
    assert_eq!(rec.final_url, format!("http://{host}/r.html"));
    assert_eq!(rec.body, page);
    let a = nianbao_archive::Archive::open_read_only(dir.path()).expect("archive");
    let rows = a.index().all_records().expect("rows");
    assert_eq!(rows.len(), 3, "robots, redirect, page");
    let row = rows.iter().find(|r| r.id == rec.record_id).expect("row");
    assert_eq!(a.read_response(row).expect("read").http.body, page);
    drop(a);

    let denied = nianbao_crawl::fetch_once(&format!("http://{host}/no/x.html"), dir.path(), &cfg)
        .await
        .expect("fetch");
    assert_eq!(denied.outcome, "robots_denied");
    assert!(!log.hits().iter().any(|h| h.target.starts_with("/no/")));

    cfg.crawl.allow_private_addresses = false;
    let refused = nianbao_crawl::fetch_once(&format!("http://{host}/r.html"), dir.path(), &cfg)
        .await
        .expect("fetch");
    assert_eq!(refused.outcome, "refused");
    assert_eq!(refused.error_kind.as_deref(), Some("private_address"));
}
