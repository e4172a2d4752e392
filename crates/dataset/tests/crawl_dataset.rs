//! A crawl of a local site (`nianbao_crawl::serve` on 127.0.0.1) built from the real 平潭
//! report pages of `../shared/corpus` (as bundled in `data/demo/sites/trs`), then the dataset
//! step: provenance columns pointing at the archived record, coverage of a listed year that
//! answers 404, versions of a report the site corrected, `diff`, and Parquet read back with
//! the arrow crate's reader.

use nianbao_crawl::serve::{self, Reply};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn demo(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/demo/sites/trs/zwgk/zfxxgk/zfxxgknb")
            .join(rel),
    )
    .expect("demo page")
}

const P2023: &str = "202403/t20240308_87885.htm";
const P2021: &str = "202202/t20220208_80613.htm";
const P2022: &str = "202303/t20230310_1.htm";

/// A TRS 年报 column listing 2023, 2022 (answers 404) and 2021; `page2023` can be changed
/// between crawls (a correction).
fn site(page2023: Arc<Mutex<Vec<u8>>>) -> serve::Handler {
    let p2021 = demo(P2021);
    serve::handler(move |req| {
        let item = |href: &str, title: &str| {
            format!(r#"<li><a href="./{href}" title="{title}">{title}</a></li>"#)
        };
        match req.path() {
            "/nb/" | "/nb/index.html" => Reply::new(
                200,
                "text/html; charset=utf-8",
                format!(
                    r#"<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><ul>{}{}{}</ul></body></html>"#,
                    item(P2023, "平潭综合实验区2023年度政府信息公开工作年度报告"),
                    item(P2022, "平潭综合实验区2022年度政府信息公开工作年度报告"),
                    item(P2021, "平潭综合实验区2021年度政府信息公开工作年度报告"),
                ),
            ),
            p if p == format!("/nb/{P2023}") => {
                // An ETag, so that the next crawl revisits the page with a conditional request.
                let body = page2023.lock().map(|b| b.clone()).unwrap_or_default();
                let etag = format!("\"{}\"", &nianbao_archive::warc::sha256_hex(&body)[..16]);
                if req.header("if-none-match") == Some(etag.as_str()) {
                    Reply::Full {
                        status: 304,
                        headers: vec![("ETag".into(), etag)],
                        body: vec![],
                        drip: None,
                    }
                } else {
                    Reply::new(200, "text/html", body).header("ETag", &etag)
                }
            }
            p if p == format!("/nb/{P2021}") => Reply::new(200, "text/html", p2021.clone()),
            _ => Reply::not_found(),
        }
    })
}

fn config(addr: &str, data: &Path, out: &Path) -> nianbao_crawl::Config {
    let toml = format!(
        r#"
[[sources]]
name = "pingtan"
start = ["http://{addr}/nb/"]
[crawl]
allow_private_addresses = true
[politeness]
delay_ms = 20
timeout_s = 5.0
retries = 0
backoff_ms = 10
[storage]
data = "{}"
out = "{}"
"#,
        data.display(),
        out.display()
    );
    nianbao_crawl::Config::from_toml(&toml, "test").expect("config")
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
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

struct Run {
    _dir: tempfile::TempDir,
    data: PathBuf,
    out: PathBuf,
    page2023: Arc<Mutex<Vec<u8>>>,
    addr: String,
    _server: tokio::task::JoinHandle<()>,
}

async fn start() -> Run {
    let page2023 = Arc::new(Mutex::new(demo(P2023)));
    let (addr, server) = serve::spawn("127.0.0.1:0", site(page2023.clone()))
        .await
        .expect("bind");
    let dir = tempfile::tempdir().expect("tmp");
    Run {
        data: dir.path().join("data"),
        out: dir.path().join("out"),
        _dir: dir,
        page2023,
        addr: addr.to_string(),
        _server: server,
    }
}

async fn crawl(run: &Run) {
    nianbao_crawl::run(config(&run.addr, &run.data, &run.out))
        .await
        .expect("crawl");
    nianbao_dataset::refresh(&run.data, &run.out, false).expect("dataset");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawled_rows_point_at_their_archive_record_and_coverage_names_the_404() {
    let run = start().await;
    crawl(&run).await;
    let rows = read_csv(&run.out.join("reports.csv"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        for col in [
            "url",
            "fetched_at",
            "sha256",
            "warc_file",
            "warc_offset",
            "first_seen",
        ] {
            assert!(!r[col].is_empty(), "{col} empty in {r:?}");
        }
        assert_eq!(r["source_name"], "pingtan");
        assert_eq!(r["version"], "1");
        // The record at that offset is the response for that URL with those bytes.
        let rec = nianbao_archive::warc::read_record_at(
            &run.data.join("warc").join(&r["warc_file"]),
            r["warc_offset"].parse().expect("offset"),
        )
        .expect("record");
        assert_eq!(rec.kind(), "response");
        assert_eq!(rec.header("WARC-Target-URI"), Some(r["url"].as_str()));
        let http = nianbao_archive::HttpResponse::parse(&rec.block).expect("http");
        assert_eq!(nianbao_archive::warc::sha256_hex(&http.body), r["sha256"]);
        let prov: serde_json::Value = serde_json::from_str(&r["provenance"]).expect("json");
        assert_eq!(prov["warc_file"], r["warc_file"].as_str());
        assert_eq!(prov["fetched_at"], r["fetched_at"].as_str());
    }
    let by_year = |y: &str| rows.iter().find(|r| r["year"] == y).expect(y);
    assert_eq!(by_year("2023")["published_date"], "2024-03-08");
    assert!(by_year("2023")["url"].ends_with(P2023));

    // coverage: 2021 and 2023 found, 2022 listed but 404.
    let cov = read_csv(&run.out.join("coverage.csv"));
    let years: Vec<(&str, &str, &str)> = cov
        .iter()
        .map(|c| {
            (
                c["year"].as_str(),
                c["found"].as_str(),
                c["reason"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        years,
        vec![
            ("2021", "true", ""),
            ("2022", "false", "listed_404"),
            ("2023", "true", "")
        ],
        "{cov:?}"
    );
    let y2022 = &cov[1];
    assert!(y2022["url"].ends_with(P2022));
    assert!(y2022["report_id"].is_empty());
    assert_eq!(y2022["agency"], cov[0]["agency"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrected_report_is_version_2_and_diff_names_the_cell() {
    let run = start().await;
    crawl(&run).await;
    let first = read_csv(&run.out.join("reports.csv"));
    // The site corrects one value of the 2023 report: 自然人 new applications 80 → 79.
    {
        let mut page = run.page2023.lock().expect("lock");
        let text = String::from_utf8(page.clone()).expect("utf8");
        let at = text.find(">80<").expect("the value 80");
        *page = format!("{}>79<{}", &text[..at], &text[at + 4..]).into_bytes();
    }
    crawl(&run).await;
    let rows = read_csv(&run.out.join("reports.csv"));
    assert_eq!(rows.len(), 2, "still one row per report");
    let r2023 = rows.iter().find(|r| r["year"] == "2023").expect("2023");
    let r2021 = rows.iter().find(|r| r["year"] == "2021").expect("2021");
    assert_eq!(r2023["t3.new_received.natural_person"], "79");
    assert_eq!(r2023["version"], "2");
    assert_eq!(r2021["version"], "1");
    let old = first
        .iter()
        .find(|r| r["year"] == "2023")
        .expect("2023 before");
    assert_eq!(old["t3.new_received.natural_person"], "80");
    assert_eq!(r2023["report_id"], old["report_id"], "same report, same id");
    assert!(
        r2023["first_seen"] > old["first_seen"],
        "version 2 first seen later"
    );

    let versions = read_csv(&run.out.join("versions.csv"));
    let v: Vec<&HashMap<String, String>> = versions
        .iter()
        .filter(|v| v["report_id"] == r2023["report_id"])
        .collect();
    assert_eq!(v.len(), 2, "{versions:?}");
    assert_eq!(
        (v[0]["version"].as_str(), v[0]["latest"].as_str()),
        ("1", "false")
    );
    assert_eq!(
        (v[1]["version"].as_str(), v[1]["latest"].as_str()),
        ("2", "true")
    );
    assert_eq!(v[1]["cells_changed"], "1");
    assert_eq!(v[0]["sha256"], old["sha256"]);
    assert_eq!(v[1]["sha256"], r2023["sha256"]);

    for target in [r2023["report_id"].as_str(), r2023["url"].as_str()] {
        let d = nianbao_dataset::diff(&[&run.data], &run.out, target, None, None).expect("diff");
        assert_eq!(d.changes.len(), 1, "{d}");
        assert_eq!(d.changes[0].key, "t3.new_received.natural_person");
        assert_eq!(d.changes[0].old, Some(nianbao_extract::Value::Int(80)));
        assert_eq!(d.changes[0].new, Some(nianbao_extract::Value::Int(79)));
        assert_eq!(d.from.first_seen, v[0]["first_seen"]);
        assert_eq!(d.to.first_seen, v[1]["first_seen"]);
        let text = d.to_string();
        assert!(
            text.contains("t3.new_received.natural_person: 80 → 79"),
            "{text}"
        );
        assert!(text.contains(&v[0]["last_seen"]) && text.contains(&v[1]["last_seen"]));
    }
}
