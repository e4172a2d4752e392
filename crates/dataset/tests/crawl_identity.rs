//! Agency identity on a crawl of the report columns of two agencies (local sites on
//! 127.0.0.1): every row carries `division_code` and `division_level`.
//!
//! - 平潭综合实验区 (the real 2021 and 2023 pages of `../shared/corpus`, as bundled in
//!   `data/demo/sites/trs`): a special zone without a code of its own, 350128 by alias.
//! - 沭阳县: the corpus has no 沭阳 report, so its site serves two real county-department
//!   reports whose texts name no agency (`data/samples/018.txt` and `016.txt`, unchanged) as
//!   table pages under synthetic titles and the site's `SiteIDCode` 3213220037: one titled
//!   `沭阳县统计局…` (matched by name), one `县司法局…` (a name without a place: the
//!   division comes from the `[[sources]]` entry's `division_code`).
//!
//! Plus the sample 梅河口市商务局 2020 (`data/samples/seed.txt`) written by `extract --out`:
//! a `department` of the `county`-level government 220581.

use nianbao_crawl::serve::{self, Reply};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo(rel: &str) -> Vec<u8> {
    std::fs::read(
        root()
            .join("data/demo/sites/trs/zwgk/zfxxgk/zfxxgknb")
            .join(rel),
    )
    .expect("demo page")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A text report as an article page (as `data/demo/make_demo.py` renders them): lines with
/// `|` become table rows; the page carries the site's `SiteIDCode`.
fn table_page(title: &str, date: &str, text: &str, site_id: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    let flush = |out: &mut Vec<String>, rows: &mut Vec<String>| {
        if !rows.is_empty() {
            out.push(format!("<table border=\"1\">{}</table>", rows.concat()));
            rows.clear();
        }
    };
    for line in text.lines() {
        if line.contains('|') {
            let mut cells: Vec<&str> = line.split('|').map(str::trim).collect();
            while cells.last() == Some(&"") {
                cells.pop();
            }
            let tds: String = cells
                .iter()
                .map(|c| format!("<td>{}</td>", esc(c)))
                .collect();
            rows.push(format!("<tr>{tds}</tr>"));
        } else {
            flush(&mut out, &mut rows);
            if !line.trim().is_empty() {
                out.push(format!("<p>{}</p>", esc(line)));
            }
        }
    }
    flush(&mut out, &mut rows);
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{t}</title>
<meta name="SiteIDCode" content="{site_id}">
<meta name="ArticleTitle" content="{t}"><meta name="PubDate" content="{date}">
<meta name="ColumnName" content="政府信息公开年报"></head><body>
<div class="article_content"><h1>{t}</h1><div class="TRS_Editor">{}</div></div></body></html>"#,
        out.join("\n"),
        t = esc(title)
    )
    .into_bytes()
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(root().join("data/samples").join(name)).expect("sample")
}

const SY_STATS: &str = "沭阳县统计局2019年政府信息公开工作年度报告";
const SY_JUSTICE: &str = "县司法局2019年政府信息公开工作年度报告";

fn listing(items: &[(&str, &str)]) -> Reply {
    let li: String = items
        .iter()
        .map(|(href, title)| format!(r#"<li><a href="{href}" title="{title}">{title}</a></li>"#))
        .collect();
    Reply::new(
        200,
        "text/html; charset=utf-8",
        format!(
            r#"<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><ul>{li}</ul></body></html>"#
        ),
    )
}

fn pingtan() -> serve::Handler {
    let (p23, p21) = (
        demo("202403/t20240308_87885.htm"),
        demo("202202/t20220208_80613.htm"),
    );
    serve::handler(move |req| match req.path() {
        "/nb/" => listing(&[
            (
                "./2023.htm",
                "平潭综合实验区2023年度政府信息公开工作年度报告",
            ),
            (
                "./2021.htm",
                "平潭综合实验区2021年度政府信息公开工作年度报告",
            ),
        ]),
        "/nb/2023.htm" => Reply::new(200, "text/html", p23.clone()),
        "/nb/2021.htm" => Reply::new(200, "text/html", p21.clone()),
        _ => Reply::not_found(),
    })
}

fn shuyang() -> serve::Handler {
    let stats = table_page(SY_STATS, "2020-01-20", &sample("018.txt"), "3213220037");
    let justice = table_page(SY_JUSTICE, "2020-01-21", &sample("016.txt"), "3213220037");
    serve::handler(move |req| match req.path() {
        "/nb/" => listing(&[("./tj.htm", SY_STATS), ("./sf.htm", SY_JUSTICE)]),
        "/nb/tj.htm" => Reply::new(200, "text/html", stats.clone()),
        "/nb/sf.htm" => Reply::new(200, "text/html", justice.clone()),
        _ => Reply::not_found(),
    })
}

/// A mirror re-posting the 平潭 2023 page byte for byte under another host and path.
fn mirror() -> serve::Handler {
    let p23 = demo("202403/t20240308_87885.htm");
    serve::handler(move |req| match req.path() {
        "/m/" => listing(&[(
            "./pt2023.html",
            "平潭综合实验区2023年度政府信息公开工作年度报告",
        )]),
        "/m/pt2023.html" => Reply::new(200, "text/html", p23.clone()),
        _ => Reply::not_found(),
    })
}

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rdr =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agencies_crawled_every_row_has_its_division() {
    let (pt, pt_server) = serve::spawn("127.0.0.1:0", pingtan()).await.expect("bind");
    let (sy, sy_server) = serve::spawn("127.0.0.1:0", shuyang()).await.expect("bind");
    let (mi, mi_server) = serve::spawn("127.0.0.1:0", mirror()).await.expect("bind");
    let dir = tempfile::tempdir().expect("tmp");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let toml = format!(
        r#"
[[sources]]
name = "pingtan"
start = ["http://{pt}/nb/"]
[[sources]]
name = "shuyang"
start = ["http://{sy}/nb/"]
division_code = "321322"
[[sources]]
name = "mirror"
start = ["http://{mi}/m/"]
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
    let cfg = nianbao_crawl::Config::from_toml(&toml, "test").expect("config");
    // As `nianbao crawl` does: each source's division_code by source name.
    let opts = nianbao_dataset::Options {
        source_divisions: cfg
            .sources
            .iter()
            .filter_map(|s| Some((s.name.clone(), s.division_code.clone()?)))
            .collect(),
        ..Default::default()
    };
    nianbao_crawl::run(cfg).await.expect("crawl");
    nianbao_dataset::refresh_with(&data, &out, &opts).expect("dataset");
    pt_server.abort();
    sy_server.abort();
    mi_server.abort();

    let rows = read_csv(&out.join("reports.csv"));
    assert_eq!(rows.len(), 4, "{rows:?}");
    for r in &rows {
        assert!(!r["division_code"].is_empty(), "no division in {r:?}");
        assert_eq!(r["division_level"], "county", "{r:?}");
        assert!(!r["agency_id"].is_empty(), "{r:?}");
    }
    let by_title = |t: &str| {
        rows.iter()
            .find(|r| r["title"].contains(t))
            .unwrap_or_else(|| panic!("{t} in {rows:?}"))
    };
    for y in ["平潭综合实验区2021", "平潭综合实验区2023"] {
        let r = by_title(y);
        assert_eq!(r["division_code"], "350128", "{r:?}");
        assert_eq!(r["province"], "福建省");
        assert_eq!(r["agency_kind"], "government");
        assert!(r["identity_flags"].contains("division_alias"), "{r:?}");
        assert!(
            ["pingtan", "mirror"].contains(&r["source_name"].as_str()),
            "{r:?}"
        );
    }
    assert_eq!(by_title("平潭综合实验区2021")["source_name"], "pingtan");
    // The mirror's copy is the same report (same agency, year and cells): no row of its own,
    // kept as an alternative in the provenance of the one 2023 row.
    let r23 = by_title("平潭综合实验区2023");
    let urls = [r23["url"].as_str(), r23["provenance"].as_str()].concat();
    assert!(urls.contains(&format!("http://{pt}/nb/2023.htm")), "{urls}");
    assert!(
        urls.contains(&format!("http://{mi}/m/pt2023.html")),
        "{urls}"
    );
    let stats = by_title(SY_STATS);
    assert_eq!(stats["division_code"], "321322", "{stats:?}");
    assert_eq!(stats["division_name"], "沭阳县");
    assert_eq!(stats["prefecture"], "宿迁市");
    assert_eq!(stats["agency_kind"], "department");
    assert_eq!(stats["source_name"], "shuyang");
    let justice = by_title(SY_JUSTICE);
    assert_eq!(justice["division_code"], "321322", "{justice:?}");
    assert_eq!(justice["agency_kind"], "department");
    assert!(
        justice["identity_flags"].contains("division_from_source"),
        "{justice:?}"
    );
    assert_ne!(stats["agency_id"], justice["agency_id"]);

    // coverage carries the same identity; 平潭's gap year 2022 is known and not listed
    let cov = read_csv(&out.join("coverage.csv"));
    assert_eq!(cov.len(), 5, "{cov:?}");
    let gap = cov.iter().find(|c| c["year"] == "2022").expect("2022");
    assert_eq!(
        (gap["found"].as_str(), gap["reason"].as_str()),
        ("false", "not_listed")
    );
    assert!(
        cov.iter().all(|c| !c["division_code"].is_empty()),
        "{cov:?}"
    );
}

#[test]
fn meihekou_commerce_bureau_is_a_department_of_county_220581() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    let mut b = nianbao_dataset::Builder::new(&out, &Default::default(), false).expect("builder");
    let path = root().join("data/samples/seed.txt");
    let bytes = std::fs::read(&path).expect("seed");
    let hint = nianbao_ingest::InputHint::file(path.display().to_string());
    let result = nianbao_ingest::extract_bytes(&bytes, &hint).map_err(|e| e.to_string());
    b.add_file("seed.txt", None, result).expect("add");
    b.finish().expect("finish");
    let rows = read_csv(&out.join("reports.csv"));
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["agency"], "梅河口市商务局");
    assert_eq!(r["year"], "2020");
    assert_eq!(r["division_code"], "220581");
    assert_eq!(r["division_level"], "county");
    assert_eq!(r["agency_kind"], "department");
    assert_eq!(r["province"], "吉林省");
    assert_eq!(r["prefecture"], "通化市");
    assert_eq!(r["agency_id"], "220581-商务局");
}
