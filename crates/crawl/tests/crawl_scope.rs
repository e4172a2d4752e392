//! The address guard (issue 10.7): host names mapped to forbidden addresses — every
//! embedded IPv4 form and reserved range — and literal addresses are never requested,
//! neither directly nor through a proxy from the environment; a redirect chain across
//! hosts stops at one budget per original request.

mod common;

use common::*;
use nianbao_crawl::serve::{handler, Reply};
use std::sync::{Arc, Mutex};

/// Names and the forbidden answers they resolve to (through `[crawl] resolve`).
const NAMES: &[(&str, &[&str])] = &[
    ("loop.test", &["127.0.0.1"]),
    ("mapped.test", &["::ffff:127.0.0.1"]),
    ("compat.test", &["::7f00:1"]),
    ("compat4.test", &["::127.0.0.1"]),
    ("nat64.test", &["64:ff9b::7f00:1"]),
    ("nat64local.test", &["64:ff9b:1::7f00:1"]),
    ("sixtofour.test", &["2002:7f00:1::1"]),
    ("teredo.test", &["2001:0:4136:e378:8000:63bf:3fff:fdd2"]),
    ("bench.test", &["198.18.0.1"]),
    ("reserved.test", &["240.0.0.1"]),
    ("broadcast.test", &["255.255.255.255"]),
    ("private.test", &["10.0.0.1"]),
    ("metadata.test", &["169.254.169.254"]),
    ("cgnat.test", &["100.64.0.1"]),
    ("zero.test", &["0.0.0.0"]),
    ("ula.test", &["fd00::1"]),
    ("linklocal.test", &["fe80::1"]),
    ("doc.test", &["2001:db8::1"]),
    // One private answer among public ones condemns the name (rebinding set-ups).
    ("mixed.test", &["8.8.8.8", "127.0.0.1"]),
];

fn config(starts: &[String], data: &std::path::Path, allow_private: bool) -> String {
    let sources: String = starts
        .iter()
        .enumerate()
        .map(|(i, s)| format!("[[sources]]\nname = \"s{i}\"\nstart = [\"{s}\"]\n"))
        .collect();
    let resolve: String = NAMES
        .iter()
        .map(|(n, addrs)| {
            let a: Vec<String> = addrs.iter().map(|a| format!("\"{a}\"")).collect();
            format!("\"{n}\" = [{}]\n", a.join(", "))
        })
        .collect();
    format!(
        r#"{sources}
[crawl]
allow_private_addresses = {allow_private}
[crawl.resolve]
{resolve}
[politeness]
delay_ms = 0
timeout_s = 2.0
connect_timeout_s = 1.0
retries = 0
[storage]
data = "{}"
out = "{}"
"#,
        data.join("data").display(),
        data.join("out").display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_addresses_are_never_requested() {
    // A proxy in the environment: a client that used it would let the proxy resolve and
    // connect, out of reach of the guard. The crawler must not send it anything either.
    let proxy_log = Log::default();
    let (proxy, _p) = start(
        "127.0.0.1",
        handler(|_| Reply::new(502, "text/plain", "proxy")),
        &proxy_log,
    )
    .await;
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        std::env::set_var(var, format!("http://{proxy}"));
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    let log = Log::default();
    let (site, _s) = start("127.0.0.1", trs_column(Arc::new(Mutex::new(3)), 5), &log).await;
    let port = site.rsplit(':').next().expect("port").to_string();
    let mut starts: Vec<String> = NAMES
        .iter()
        .map(|(n, _)| format!("http://{n}:{port}/nb/"))
        .collect();
    for literal in [
        "127.0.0.1",
        "[::ffff:127.0.0.1]",
        "[::7f00:1]",
        "[64:ff9b::7f00:1]",
    ] {
        starts.push(format!("http://{literal}:{port}/nb/"));
    }
    let dir = tempfile::tempdir().expect("tmp");

    let cfg =
        nianbao_crawl::Config::from_toml(&config(&starts, dir.path(), false), "t").expect("config");
    let report = nianbao_crawl::run(cfg).await.expect("crawl");
    println!("{}", report.summary);
    assert!(log.hits().is_empty(), "requested: {:?}", log.hits());
    assert!(
        proxy_log.hits().is_empty(),
        "sent to the proxy: {:?}",
        proxy_log.hits()
    );
    assert_eq!(report.summary.hosts.len(), starts.len());
    for (host, h) in &report.summary.hosts {
        assert_eq!(h.fetched, 0, "{host}");
        assert!(h.errors.contains_key("private_address"), "{host}: {h:?}");
        assert_eq!(h.errors.len(), 1, "{host}: only private_address: {h:?}");
    }
    // Refused before connecting: an attempted connection would have been a connect error
    // or a timeout for the unroutable ones, and a response for the reachable ones.
    let a = nianbao_archive::Archive::open_read_only(&dir.path().join("data")).expect("archive");
    let rows = a.index().all_records().expect("rows");
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(
            (r.outcome.as_str(), r.error_kind.as_deref(), r.status),
            ("refused", Some("private_address"), None),
            "{}",
            r.url
        );
    }
    drop(a);

    // Control: with private addresses allowed, the names that lead to 127.0.0.1 (directly
    // or IPv4-mapped) reach the server, so the refusals above were the guard's doing.
    let reachable = vec![
        format!("http://loop.test:{port}/nb/"),
        format!("http://mapped.test:{port}/nb/"),
        format!("http://[::ffff:127.0.0.1]:{port}/nb/"),
    ];
    let dir2 = tempfile::tempdir().expect("tmp");
    let cfg = nianbao_crawl::Config::from_toml(&config(&reachable, dir2.path(), true), "t")
        .expect("config");
    let report = nianbao_crawl::run(cfg).await.expect("crawl");
    println!("{}", report.summary);
    assert_eq!(report.summary.total().new_reports, 9, "3 reports per name");
    assert!(log.hits().len() >= 15);
    assert!(proxy_log.hits().is_empty(), "never through the proxy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_budget_spans_hosts() {
    // 50 hops alternating between two allowed hosts: /r/0 on A -> /r/1 on B -> /r/2 on A ...
    let log = Log::default();
    let (la, a) = bind("127.0.0.1").await;
    let (lb, b) = bind("127.0.0.2").await;
    let chain = |me: usize, hosts: [String; 2]| {
        handler(move |req| {
            let Some(n) = req
                .path()
                .strip_prefix("/r/")
                .and_then(|n| n.parse::<usize>().ok())
            else {
                return Reply::not_found();
            };
            assert_eq!(n % 2, me, "hop {n} asked on the wrong host");
            if n >= 50 {
                return html("<html><body>end of the chain</body></html>");
            }
            let next = &hosts[(n + 1) % 2];
            Reply::new(302, "text/html", "")
                .header("Location", &format!("http://{next}/r/{}", n + 1))
        })
    };
    let _sa = serve_on(la, chain(0, [a.clone(), b.clone()]), &log);
    let _sb = serve_on(lb, chain(1, [a.clone(), b.clone()]), &log);
    let dir = tempfile::tempdir().expect("tmp");
    let toml = format!(
        r#"
[[sources]]
name = "chain"
start = ["http://{a}/r/0"]
allow = ["{a}", "{b}"]
[crawl]
allow_private_addresses = true
max_redirects = 5
[politeness]
delay_ms = 0
respect_robots = false
retries = 0
[storage]
data = "{}"
out = "{}"
"#,
        dir.path().join("data").display(),
        dir.path().join("out").display()
    );
    let cfg = nianbao_crawl::Config::from_toml(&toml, "t").expect("config");
    let report = nianbao_crawl::run(cfg).await.expect("crawl");
    println!("{}", report.summary);
    let mut hops: Vec<usize> = log
        .hits()
        .iter()
        .filter_map(|h| h.target.strip_prefix("/r/").and_then(|n| n.parse().ok()))
        .collect();
    hops.sort_unstable();
    assert_eq!(
        hops,
        vec![0, 1, 2, 3, 4, 5],
        "5 redirects followed, then stop"
    );
    let t = report.summary.total();
    assert_eq!(t.errors.get("too_many_redirects"), Some(&1), "{t:?}");
    // The stop is on B (hop 5 asked on B redirects to hop 6).
    assert_eq!(
        report.summary.hosts[&b].errors.get("too_many_redirects"),
        Some(&1)
    );
}
