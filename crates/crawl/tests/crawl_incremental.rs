//! Re-runs are incremental: a second run against an unchanged site makes only conditional
//! requests (all answered 304) and adds nothing; after one new report appears, exactly that
//! report is fetched and added.

mod common;

use common::*;
use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_run_is_conditional_and_incremental() {
    let log = Log::default();
    let count = Arc::new(Mutex::new(5usize));
    let (host, _srv) = start("127.0.0.1", trs_column(count.clone(), 3), &log).await;
    let dir = tempfile::tempdir().expect("tmp");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let toml = column_config(std::slice::from_ref(&host), &data, &out, 50);

    // Run 1: everything new.
    let r1 = crawl(nianbao_crawl::Config::from_toml(&toml, "t").expect("cfg")).await;
    assert_eq!(r1.summary.total().new_reports, 5);
    assert_eq!(read_csv(&out.join("reports.csv")).len(), 5);
    let csv1 = std::fs::read(out.join("reports.csv")).expect("csv");
    let hits1 = log.hits().len();

    // Run 2: unchanged site -> only conditional requests, all 304, nothing new.
    log.clear();
    let r2 = crawl(nianbao_crawl::Config::from_toml(&toml, "t").expect("cfg")).await;
    let hits = log.hits();
    println!(
        "run 1: {hits1} requests; run 2: {} requests\n{}",
        hits.len(),
        r2.summary
    );
    assert_eq!(hits.len(), hits1, "same URLs revisited");
    assert!(
        hits.iter().all(|h| h.if_none_match.is_some()),
        "every request conditional: {hits:?}"
    );
    let t = r2.summary.total();
    assert_eq!(t.not_modified as usize, hits.len(), "every answer a 304");
    assert_eq!((t.new_reports, t.changed_reports), (0, 0));
    let archive = nianbao_archive::Archive::open_read_only(&data).expect("archive");
    let ok_in_run2 = archive
        .index()
        .records_of_run(r2.summary.run_id)
        .expect("rows")
        .iter()
        .filter(|r| r.outcome == "ok")
        .count();
    assert_eq!(ok_in_run2, 0, "no new records");
    drop(archive);
    assert_eq!(
        std::fs::read(out.join("reports.csv")).expect("csv"),
        csv1,
        "dataset unchanged"
    );

    // Run 3: one new report on the site -> exactly that one is added.
    *count.lock().expect("lock") = 6;
    log.clear();
    let r3 = crawl(nianbao_crawl::Config::from_toml(&toml, "t").expect("cfg")).await;
    println!("{}", r3.summary);
    assert_eq!(r3.summary.total().new_reports, 1);
    let archive = nianbao_archive::Archive::open_read_only(&data).expect("archive");
    let new_reports: Vec<String> = archive
        .index()
        .records_of_run(r3.summary.run_id)
        .expect("rows")
        .into_iter()
        .filter(|r| r.role == "report" && r.outcome == "ok")
        .map(|r| r.url)
        .collect();
    assert_eq!(
        new_reports,
        vec![format!("http://{host}/nb/202501/t20250101_5.htm")]
    );
    let report_gets_200 = log
        .hits()
        .iter()
        .filter(|h| h.target.contains("t20250101_") && h.if_none_match.is_none())
        .count();
    assert_eq!(
        report_gets_200, 1,
        "only the new report fetched unconditionally"
    );
    assert_eq!(read_csv(&out.join("reports.csv")).len(), 6);
}
