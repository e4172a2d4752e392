//! A report page whose tables are a picture (图片版), served on 127.0.0.1: the crawler fetches
//! the picture as an attachment of the report page (page furniture such as icons is not
//! fetched), and the dataset holds the cells OCR read from it — every one equal to the dev
//! truth of the report the picture was made from (dev 006), the rest null and flagged.
//! Skipped, saying so, when no `tesseract` with the `chi_sim` model is installed.

mod common;

use common::*;
use nianbao_crawl::serve::{self, Reply};
use std::collections::HashMap;

fn tesseract_with_chi_sim() -> bool {
    std::process::Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == "chi_sim")
        })
}

const TITLE: &str = "上海市人民政府办公厅2019年政府信息公开工作年度报告";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_table_posted_as_an_image_is_crawled_to_cells() {
    if !tesseract_with_chi_sim() {
        println!("SKIPPED: no tesseract with the chi_sim model (apt-get install tesseract-ocr tesseract-ocr-chi-sim)");
        return;
    }
    let png = std::fs::read(repo().join("tests/fixtures/ocr/006-tables.png")).expect("png");
    let truth: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo().join("tests/fixtures/ocr/006.json")).expect("truth"),
    )
    .expect("json");
    let handler = serve::handler(move |req| match req.path() {
        "/robots.txt" => Reply::new(200, "text/plain", b"User-agent: *\n".to_vec()),
        "/nb/" | "/nb/index.html" => html(&format!(
            r#"<html><head><meta charset="utf-8"></head><body><ul>
            <li><a href="./202001/t20200131_1.htm" title="{TITLE}">{TITLE}</a></li></ul></body></html>"#
        )),
        "/nb/202001/t20200131_1.htm" => html(&format!(
            r#"<html><head><meta charset="utf-8"><title>{TITLE}</title>
            <meta name="ArticleTitle" content="{TITLE}"></head><body>
            <img src="/images/logo.png"><div class="article"><h1>{TITLE}</h1>
            <p>本报告由上海市人民政府办公厅编制。报告中所列数据的统计期限自2019年1月1日起至2019年12月31日止。</p>
            <p><img src="/u/nb/2019/tables.png" alt="收到和处理政府信息公开申请情况"></p>
            <p><img src="/images/icon_print.gif"></p></div></body></html>"#
        )),
        "/u/nb/2019/tables.png" => Reply::new(200, "image/png", png.clone()),
        _ => Reply::not_found(),
    });
    let log = Log::default();
    let (host, _srv) = start("127.0.0.1", handler, &log).await;
    let dir = tempfile::tempdir().expect("tmp");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let toml = column_config(std::slice::from_ref(&host), &data, &out, 10);
    let run = crawl(nianbao_crawl::Config::from_toml(&toml, "t").expect("cfg")).await;
    println!("{}", run.summary);

    let fetched: Vec<String> = log.hits().iter().map(|h| h.target.clone()).collect();
    assert!(
        fetched.iter().any(|t| t == "/u/nb/2019/tables.png"),
        "the table picture is fetched: {fetched:?}"
    );
    assert!(
        !fetched
            .iter()
            .any(|t| t.contains("icon") || t.contains("logo")),
        "page furniture is not fetched: {fetched:?}"
    );

    let image_url = format!("http://{host}/u/nb/2019/tables.png");
    let reports = read_csv(&out.join("reports.csv"));
    let report = reports
        .iter()
        .find(|r| r.get("source") == Some(&image_url))
        .unwrap_or_else(|| panic!("a report for the picture: {reports:?}"));
    let flags = report.get("report_flags").cloned().unwrap_or_default();
    assert!(flags.contains("ocr"), "{report:?}");
    let id = report.get("report_id").cloned().unwrap_or_default();
    let cells: HashMap<String, HashMap<String, String>> = read_csv(&out.join("cells.csv"))
        .into_iter()
        .filter(|c| c.get("report_id") == Some(&id))
        .map(|c| (c.get("key").cloned().unwrap_or_default(), c))
        .collect();
    let (mut exact, mut flagged, mut wrong) = (0, 0, Vec::new());
    let truth = truth["truth"].as_object().expect("truth");
    let in_picture = |k: &str| k.starts_with("t3.") || k.starts_with("t4.");
    for (k, v) in truth.iter().filter(|(k, _)| in_picture(k)) {
        let cell = cells.get(k);
        let value = cell
            .and_then(|c| c.get("value"))
            .cloned()
            .unwrap_or_default();
        if value.is_empty() {
            if cell.is_some_and(|c| !c.get("flags").cloned().unwrap_or_default().is_empty()) {
                flagged += 1;
            }
        } else if value.parse::<f64>().ok() == v.as_f64() {
            exact += 1;
        } else {
            wrong.push(format!("{k}: {value} (truth {v})"));
        }
    }
    let total = truth.keys().filter(|k| in_picture(k)).count();
    println!("picture of tables 三 and 四: {total} truth values, {exact} exact, {flagged} null and flagged, {} wrong", wrong.len());
    assert!(wrong.is_empty(), "no OCR value is wrong: {wrong:?}");
    assert_eq!(
        exact + flagged,
        total,
        "every other value is null and flagged"
    );
    assert!(
        exact >= 10,
        "OCR reads the confirmed values: {exact} of {total}"
    );
}
