//! The hostile-site test (sites.md checklist): TRS and Hanweb listings with pagination, a
//! JSON list API, GBK pages with and without declared charset, robots.txt with Disallow and
//! Crawl-delay, 500s that recover, a host that times out, connection resets, a slow body,
//! a redirect loop, an out-of-scope redirect, an oversized body, WAF challenges, attachments.
//! Four hosts on 127.0.0.1-4. Then `export` with every server stopped must reproduce the
//! dataset byte for byte.

mod common;

use common::*;
use nianbao_crawl::serve::{handler, Reply};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn gbk_without_declaration() -> Vec<u8> {
    let page = String::from_utf8(demo_file(
        "gkmlpt/xxgk/xxgknb/qzfgzbm/content/post_11956962.html",
    ))
    .expect("utf8");
    let page = page.replace(
        r#"<meta http-equiv="Content-Type" content="text/html; charset=utf-8">"#,
        "",
    );
    assert!(!page.to_ascii_lowercase().contains("charset"));
    let (bytes, _, _) = encoding_rs::GBK.encode(&page);
    bytes.into_owned()
}

/// Hanweb host whose jpage proxy answers only POST (GET: 405), as some do.
fn post_only_proxy(inner: nianbao_crawl::serve::Handler) -> nianbao_crawl::serve::Handler {
    Arc::new(move |req: nianbao_crawl::serve::Request| {
        if req.path().ends_with("dataproxy.jsp") && req.method != "POST" {
            return Box::pin(async {
                Reply::new(405, "text/html", "<h1>405 Method Not Allowed</h1>")
            });
        }
        inner(req)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_sites() {
    let log = Log::default();
    let (la, a) = bind("127.0.0.1").await;
    let (lb, b) = bind("127.0.0.2").await;
    let (lc, c) = bind("127.0.0.3").await;
    let (ld, d) = bind("127.0.0.4").await;

    // Host A: TRS portal with every kind of trouble.
    let flaky = Arc::new(AtomicUsize::new(0));
    let longgang = demo_file("gkmlpt/xxgk/xxgknb/qzfgzbm/content/post_11956962.html");
    let gbk = gbk_without_declaration();
    let d2 = d.clone();
    let busy = Arc::new(AtomicUsize::new(0));
    let (lg, fl, bz) = (longgang.clone(), flaky.clone(), busy.clone());
    let host_a = handler(move |req| {
        let item = |href: &str, title: &str| {
            format!(r#"<dd><a href="{href}" title="{title}">{title}</a></dd>"#)
        };
        match req.path() {
            "/robots.txt" => Reply::new(200, "text/plain", "User-agent: *\nDisallow: /secret/\nCrawl-delay: 0.15\n"),
            "/zfxxgknb/" | "/zfxxgknb/index.html" => {
                let items = [
                    item("./202403/t20240308_87885.htm", "平潭综合实验区2023年度政府信息公开工作年度报告"),
                    item("./201504/t1.htm", "关于2014年政府信息公开工作要点落实情况的函"),
                    item("/secret/t2022.htm", "2022年度政府信息公开工作年度报告（内部）"),
                    item("http://www.example.gov.cn/2022/report.htm", "某县2022年政府信息公开工作年度报告"),
                    item("./flaky.htm", "某区2020年政府信息公开工作年度报告"),
                    item("./loop1.htm", "某区2019年政府信息公开工作年度报告"),
                    item("./big.htm", "某区2018年政府信息公开工作年度报告"),
                    item("./waf.htm", "某区2017年政府信息公开工作年度报告"),
                    item("./jsl.htm", "某区2016年政府信息公开工作年度报告"),
                    item("./gbk.htm", "某区2015年政府信息公开工作年度报告"),
                    item(&format!("http://{d2}/hang.htm"), "某区2014年政府信息公开工作年度报告"),
                    item(&format!("http://{d2}/reset.htm"), "某区2013年政府信息公开工作年度报告"),
                    item(&format!("http://{d2}/slow.htm"), "某区2012年政府信息公开工作年度报告"),
                    item("./moved.htm", "某区2011年政府信息公开工作年度报告"),
                    item("./busy.htm", "某区2010年政府信息公开工作年度报告"),
                ]
                .join("\n");
                html(&format!(
                    r#"<html><head><meta charset="utf-8"></head><body><a href="/zwgk/zfgzbg/">政府工作报告</a><dl>{items}</dl>
<script>createPageHTML(2, 0, "index", "html");</script></body></html>"#
                ))
            }
            "/zfxxgknb/index_1.html" => html(&format!(
                r#"<html><head><meta charset="utf-8"></head><body><dl>{}</dl><script>createPageHTML(2, 1, "index", "html");</script></body></html>"#,
                item("./202202/t20220208_80613.htm", "平潭综合实验区2021年度政府信息公开工作年度报告")
            )),
            "/zfxxgknb/202403/t20240308_87885.htm" => Reply::new(200, "text/html", demo_file("trs/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm")),
            "/zfxxgknb/202202/t20220208_80613.htm" => Reply::new(200, "text/html", demo_file("trs/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm")),
            "/zfxxgknb/flaky.htm" => {
                if fl.fetch_add(1, Ordering::SeqCst) < 2 {
                    Reply::new(500, "text/html", "<h1>500 Internal Server Error</h1>")
                } else {
                    Reply::new(200, "text/html", lg.clone())
                }
            }
            "/zfxxgknb/busy.htm" => {
                if bz.fetch_add(1, Ordering::SeqCst) == 0 {
                    Reply::new(429, "text/html", "<h1>Too Many Requests</h1>").header("Retry-After", "1")
                } else {
                    Reply::new(200, "text/html", lg.clone())
                }
            }
            "/zfxxgknb/loop1.htm" => Reply::new(302, "text/html", "").header("Location", "/zfxxgknb/loop2.htm"),
            "/zfxxgknb/loop2.htm" => Reply::new(302, "text/html", "").header("Location", "/zfxxgknb/loop1.htm"),
            "/zfxxgknb/moved.htm" => Reply::new(301, "text/html", "").header("Location", "http://127.0.0.9:9/elsewhere.htm"),
            "/zfxxgknb/big.htm" => Reply::new(200, "text/html", vec![b'x'; 1024 * 1024]),
            "/zfxxgknb/waf.htm" => Reply::new(412, "text/html", "<html><head><meta http-equiv=\"Content-Type\"></head><body><script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=123;</script><script src=\"/x.js\"></script></body></html>")
                .header("Set-Cookie", "FSSBBIl1UgzbN7NO=5abc; Path=/"),
            "/zfxxgknb/jsl.htm" => Reply::new(521, "text/html", "<script>document.cookie=('_')+('_jsl_clearance_s=')+(1)</script>")
                .header("Set-Cookie", "__jsluid_h=0123; path=/; HttpOnly"),
            "/zfxxgknb/gbk.htm" => Reply::new(200, "text/html", gbk.clone()),
            _ => Reply::not_found(),
        }
    });
    // Host D: a host that times out, resets connections and drips a body slowly.
    let lg = longgang.clone();
    let host_d = handler(move |req| match req.path() {
        "/hang.htm" => Reply::Hang,
        "/reset.htm" => Reply::Reset,
        "/slow.htm" => Reply::Full {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: lg.clone(),
            drip: Some((lg.len() / 8 + 1, Duration::from_millis(40))),
        },
        _ => Reply::not_found(),
    });
    let mut sites = HashMap::new();
    sites.insert("gkmlpt".to_string(), c.clone());
    sites.insert("hanweb".to_string(), b.clone());
    let servers = vec![
        serve_on(la, host_a, &log),
        serve_on(
            lb,
            post_only_proxy(demo_site("hanweb", sites.clone())),
            &log,
        ),
        serve_on(lc, demo_site("gkmlpt", sites.clone()), &log),
        serve_on(ld, host_d, &log),
    ];

    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let out = dir.path().join("out");
    let toml = format!(
        r#"
[[sources]]
name = "hostile"
start = ["http://{a}/zfxxgknb/", "http://{b}/col/col4180/index.html", "http://{c}/gkmlpt/index"]
allow = ["{a}", "{b}", "{c}", "{d}"]
[crawl]
allow_private_addresses = true
[politeness]
delay_ms = 100
timeout_s = 1.0
connect_timeout_s = 1.0
retries = 2
backoff_ms = 50
max_body_mb = 0.5
[storage]
data = "{data}"
out = "{out}"
"#,
        data = data.display(),
        out = out.display()
    );
    let cfg = nianbao_crawl::Config::from_toml(&toml, "test").expect("config");
    let t0 = std::time::Instant::now();
    let report = crawl(cfg).await;
    let took = t0.elapsed();
    println!("{}\ncrawl took {took:?}", report.summary);

    // Every reachable report is in the dataset with correct cells. The same report served at
    // several URLs is one row, the other URLs are its alternatives (provenance).
    let rows = read_csv(&out.join("reports.csv"));
    let by_suffix = |s: &str| {
        rows.iter()
            .find(|r| r["source"].ends_with(s))
            .or_else(|| {
                rows.iter()
                    .find(|r| r["provenance"].contains(&format!("{s}\"")))
            })
            .unwrap_or_else(|| panic!("no row for {s}"))
    };
    assert_eq!(
        by_suffix("t20240308_87885.htm")["t3.new_received.total"],
        "81"
    );
    assert_eq!(
        by_suffix("t20220208_80613.htm")["t3.new_received.total"],
        "70"
    );
    assert_eq!(by_suffix("/flaky.htm")["t3.new_received.total"], "66");
    assert_eq!(by_suffix("/gbk.htm")["t3.new_received.total"], "66");
    assert_eq!(by_suffix("/slow.htm")["t3.new_received.total"], "66");
    assert_eq!(by_suffix("/busy.htm")["t3.new_received.total"], "66");
    assert_eq!(
        by_suffix("art_4180_301.html")["t3.new_received.total"],
        "859"
    );
    assert_eq!(
        by_suffix("post_11956962.html")["t3.new_received.total"],
        "66"
    );
    // The two Hanweb pages only link their report as a PDF: page and attachment are one row,
    // the attachment's (more cells), with the page recorded as an alternative.
    for page in ["art_4180_2001.html", "art_4180_1001.html"] {
        assert!(
            !rows.iter().any(|r| r["source"].ends_with(page)),
            "{page} merged into its attachment"
        );
    }
    by_suffix("post_9001.html");
    assert!(
        rows.iter()
            .filter(|r| r["source"].contains("downfile.jsp"))
            .count()
            == 2,
        "both PDF attachments"
    );
    // 11 readings; the 龙岗 report at five URLs (flaky, gbk, slow, busy, post_11956962) is
    // one row with four alternatives.
    assert_eq!(
        rows.len(),
        7,
        "{:?}",
        rows.iter().map(|r| &r["source"]).collect::<Vec<_>>()
    );

    // Every failure is in the summary with its kind.
    let ha = &report.summary.hosts[&a];
    let hd = &report.summary.hosts[&d];
    assert_eq!(ha.errors.get("redirect_loop"), Some(&1), "{ha:?}");
    assert_eq!(ha.errors.get("redirect_out_of_scope"), Some(&1), "{ha:?}");
    assert_eq!(ha.errors.get("too_large"), Some(&1), "{ha:?}");
    assert_eq!(ha.blocked.get("ruishu"), Some(&1), "{ha:?}");
    assert_eq!(ha.blocked.get("jiasule"), Some(&1), "{ha:?}");
    assert_eq!(ha.robots_denied, 1);
    assert!(ha.retries >= 3, "500, 500, 429 retried: {ha:?}");
    assert_eq!(ha.crawl_delay_s, Some(0.15));
    assert_eq!(hd.errors.get("timeout"), Some(&1), "{hd:?}");
    assert_eq!(hd.errors.get("connection_reset"), Some(&1), "{hd:?}");
    let total = report.summary.total();
    assert!(total.out_of_scope >= 1);
    assert!(
        !report.summary.hosts.contains_key("www.example.gov.cn")
            || report.summary.hosts["www.example.gov.cn"].fetched == 0
    );

    // No request hit a disallowed path; per-host delay respected (server-side timestamps).
    let hits = log.hits();
    assert!(
        !hits.iter().any(|h| h.target.starts_with("/secret/")),
        "robots.txt Disallow violated"
    );
    let gap_a = min_gap_ms(&hits, &a, 1).expect("gaps a");
    println!("min gap host A (crawl-delay 150 ms): {gap_a:.1} ms");
    assert!(gap_a >= 145.0, "host A gap {gap_a}");
    for h in [&b, &c, &d] {
        let g = min_gap_ms(&hits, h, 0).expect("gaps");
        println!("min gap {h} (delay 100 ms): {g:.1} ms");
        assert!(g >= 95.0, "host {h} gap {g}");
    }

    // The Hanweb proxy refused GET (405, recorded) and was asked again as a form POST.
    let hb = &report.summary.hosts[&b];
    assert_eq!(hb.errors.get("http_405"), Some(&1), "{hb:?}");
    let post = hits
        .iter()
        .find(|h| h.method == "POST")
        .expect("a POST to the proxy");
    assert!(
        post.target.contains("dataproxy.jsp")
            && String::from_utf8_lossy(&post.body).contains("startrecord=3")
    );

    // Retry-After: 1 honoured (server-side gap between the 429 and the retry).
    let busy_hits: Vec<_> = hits
        .iter()
        .filter(|h| h.target.ends_with("/busy.htm"))
        .map(|h| h.at)
        .collect();
    assert_eq!(busy_hits.len(), 2);
    let ra_gap = (busy_hits[1] - busy_hits[0]).as_secs_f64();
    println!("Retry-After 1 s: retry came after {ra_gap:.3} s");
    assert!(ra_gap >= 0.99);

    // The WARC files pass `warcio check` (digests) when warcio is installed.
    let warcs: Vec<_> = std::fs::read_dir(data.join("warc"))
        .expect("warc dir")
        .map(|e| e.expect("entry").path())
        .collect();
    match std::process::Command::new("warcio")
        .arg("check")
        .args(&warcs)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "warcio check failed: {}",
            String::from_utf8_lossy(&o.stdout)
        ),
        Err(_) => println!("warcio not installed; skipped `warcio check`"),
    }
    for w in &warcs {
        let (recs, end) = nianbao_archive::warc::read_all(w).expect("read");
        assert_eq!(end, std::fs::metadata(w).expect("meta").len());
        assert!(
            recs.iter().any(|(_, _, r)| r.kind() == "metadata"),
            "failed fetches recorded as metadata records"
        );
    }

    // The GBK page without any declaration was detected as GBK.
    let archive = nianbao_archive::Archive::open_read_only(&data).expect("archive");
    let gbk_row = archive
        .index()
        .all_records()
        .expect("rows")
        .into_iter()
        .find(|r| r.url.ends_with("/gbk.htm"))
        .expect("gbk row");
    assert_eq!(gbk_row.charset.as_deref(), Some("GBK"));
    drop(archive);

    // Network gone: export rebuilds the dataset byte for byte from the archive.
    for s in servers {
        s.abort();
    }
    let out2 = dir.path().join("out2");
    nianbao_dataset::export(&data, &out2, false).expect("export");
    for f in ["reports.csv", "cells.csv", "checks.csv", "codebook.csv"] {
        let x = std::fs::read(out.join(f)).expect("crawl csv");
        let y = std::fs::read(out2.join(f)).expect("export csv");
        assert!(x == y, "{f} differs between crawl and export");
    }
    assert!(took < Duration::from_secs(60));
}
