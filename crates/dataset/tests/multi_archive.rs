//! `export` over several archives gives the dataset of one archive holding all their records.
//! The archives are written with the archive crate itself; the bodies are real report pages
//! and a real PDF attachment of the offline demo sites (built from `../shared/corpus`).

use nianbao_archive::{Archive, Exchange, HttpResponse};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

fn demo(rel: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo/sites")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// One fetch: URL, role, referrer, body, content type, seconds after a fixed epoch.
#[derive(Clone)]
struct Fetch {
    url: &'static str,
    role: &'static str,
    referrer: Option<&'static str>,
    body: Vec<u8>,
    ct: &'static str,
    at: u64,
}

fn store(dir: &Path, fetches: &[&Fetch]) {
    let mut a = Archive::open(dir).expect("open archive");
    for f in fetches {
        let ex = Exchange {
            url: f.url.into(),
            host: "h".into(),
            method: "GET".into(),
            role: f.role.into(),
            referrer: f.referrer.map(str::to_string),
            run_id: 1,
            fetched_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600 + f.at)),
            outcome: "ok".into(),
            response: Some(HttpResponse {
                status: 200,
                reason: "OK".into(),
                headers: vec![("Content-Type".into(), f.ct.into())],
                body: f.body.clone(),
            }),
            ..Default::default()
        };
        a.store(&ex, None, &[]).expect("store");
    }
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `reports.csv` with the columns that name a place inside one archive (WARC file and
/// offset) removed: those differ between a shard and a combined archive by construction.
fn reports_without_warc_location(dir: &Path) -> Vec<Vec<String>> {
    let text = read(dir, "reports.csv");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = vec![headers.clone()];
    for rec in rdr.records() {
        let rec = rec.expect("row");
        let mut row = Vec::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            match h.as_str() {
                "warc_file" | "warc_offset" => row.push(String::new()),
                "provenance" if !v.is_empty() => {
                    let mut j: serde_json::Value = serde_json::from_str(v).expect("json");
                    strip_warc(&mut j);
                    row.push(j.to_string());
                }
                _ => row.push(v.to_string()),
            }
        }
        rows.push(row);
    }
    rows
}

fn strip_warc(j: &mut serde_json::Value) {
    match j {
        serde_json::Value::Object(m) => {
            m.remove("warc_file");
            m.remove("warc_offset");
            m.values_mut().for_each(strip_warc);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_warc),
        _ => {}
    }
}

#[test]
fn several_archives_export_like_one_archive_holding_all_records() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = |n: &str| -> PathBuf { tmp.path().join(n) };
    let html = "text/html; charset=utf-8";
    // 平潭 2023 (real page), later replaced on the same URL by 平潭 2021: a newer fetch.
    let pingtan_2023 = Fetch {
        url: "http://a.test/nb/1.htm",
        role: "report",
        referrer: None,
        body: demo("trs/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm"),
        ct: html,
        at: 0,
    };
    let pingtan_2021 = Fetch {
        at: 100,
        body: demo("trs/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm"),
        ..pingtan_2023.clone()
    };
    // A GBK Hanweb article whose report is a PDF attachment, page and PDF in different shards.
    let page = Fetch {
        url: "http://b.test/art/2024/1/22/art_4180_1001.html",
        role: "report",
        referrer: None,
        body: demo("hanweb/art/2024/1/22/art_4180_1001.html"),
        ct: "text/html",
        at: 10,
    };
    let pdf = Fetch {
        url: "http://b.test/module/download/downfile.jsp?filename=P020240122101.pdf&classid=0",
        role: "attachment",
        referrer: Some("http://b.test/art/2024/1/22/art_4180_1001.html"),
        body: demo("hanweb/files/P020240122101.pdf"),
        ct: "application/pdf",
        at: 20,
    };
    let longgang = Fetch {
        url: "http://c.test/post_11956962.html",
        role: "report",
        referrer: None,
        body: demo("gkmlpt/xxgk/xxgknb/qzfgzbm/content/post_11956962.html"),
        ct: html,
        at: 30,
    };
    store(&d("a"), &[&pingtan_2023, &page]);
    store(&d("b"), &[&pdf, &longgang, &pingtan_2021]);
    store(
        &d("all"),
        &[&pingtan_2023, &page, &pdf, &longgang, &pingtan_2021],
    );

    let one = nianbao_dataset::export(&d("all"), &d("out_all"), false).expect("one archive");
    let ab = nianbao_dataset::export_many(&[d("a"), d("b")], &d("out_ab"), false).expect("a+b");
    let ba = nianbao_dataset::export_many(&[d("b"), d("a")], &d("out_ba"), false).expect("b+a");
    assert_eq!(one, ab);
    assert_eq!(one, ba);
    // three reports: 平潭 (latest fetch = 2021 content), the PDF (page merged in), 龙岗
    assert_eq!(one.reports, 3, "{one:?}");

    for name in ["cells.csv", "checks.csv", "codebook.csv"] {
        assert_eq!(
            read(&d("out_all"), name),
            read(&d("out_ab"), name),
            "{name}"
        );
        assert_eq!(read(&d("out_ab"), name), read(&d("out_ba"), name), "{name}");
    }
    let all = reports_without_warc_location(&d("out_all"));
    assert_eq!(all, reports_without_warc_location(&d("out_ab")));
    assert_eq!(all, reports_without_warc_location(&d("out_ba")));
    // Argument order does not matter at all, not even for the WARC location.
    assert_eq!(
        read(&d("out_ab"), "reports.csv"),
        read(&d("out_ba"), "reports.csv")
    );

    // The newer fetch of the shared URL won: the 平潭 row is the 2021 report.
    let text = read(&d("out_ab"), "reports.csv");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let h = rdr.headers().expect("h").clone();
    let col = |name: &str| h.iter().position(|x| x == name).expect(name);
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("row")).collect();
    let pt = rows
        .iter()
        .find(|r| &r[col("source")] == "http://a.test/nb/1.htm")
        .expect("平潭 row");
    assert_eq!(&pt[col("year")], "2021");
    // The attachment in shard b was merged with its page in shard a: one row, page kept as
    // the alternative.
    let att = rows
        .iter()
        .find(|r| r[col("source")].contains("P020240122101.pdf"))
        .expect("pdf row");
    assert!(att[col("provenance")].contains("art_4180_1001.html"));
    assert!(!rows
        .iter()
        .any(|r| &r[col("source")] == "http://b.test/art/2024/1/22/art_4180_1001.html"));
}
