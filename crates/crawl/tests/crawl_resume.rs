//! kill -9 in the middle of a crawl, restart: no lost records, no refetch of completed
//! URLs, and the same dataset as an uninterrupted run.

mod common;

use common::*;
use nianbao_archive::{warc, Archive};
use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn worker(config: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nianbao-crawl-worker"));
    c.arg(config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

fn committed(data: &Path) -> (Vec<nianbao_archive::RecordRow>, HashSet<String>) {
    let Ok(a) = Archive::open_read_only(data) else {
        return (vec![], HashSet::new());
    };
    let rows = a.index().all_records().unwrap_or_default();
    let mut done = HashSet::new();
    if let Ok(mut st) = a
        .index()
        .connection()
        .prepare("SELECT url FROM frontier WHERE state != 'pending'")
    {
        if let Ok(it) = st.query_map([], |r| r.get::<_, String>(0)) {
            done = it.filter_map(Result::ok).collect();
        }
    }
    (rows, done)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_minus_nine_and_resume() {
    let log = Log::default();
    let mut hosts = Vec::new();
    for ip in ["127.0.0.1", "127.0.0.2"] {
        let (h, _srv) = start(ip, trs_column(Arc::new(Mutex::new(12)), 4), &log).await;
        hosts.push(h);
    }
    let dir = tempfile::tempdir().expect("tmp");

    // Reference: an uninterrupted run.
    let (ref_data, ref_out) = (dir.path().join("ref-data"), dir.path().join("ref-out"));
    let ref_cfg = dir.path().join("ref.toml");
    std::fs::write(&ref_cfg, column_config(&hosts, &ref_data, &ref_out, 60)).expect("cfg");
    let st = worker(&ref_cfg).status().expect("run worker");
    assert!(st.success());
    nianbao_dataset::refresh(&ref_data, &ref_out, false).expect("reference dataset");
    log.clear();

    // Interrupted run: SIGKILL twice at different points, then let it finish.
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let cfg = dir.path().join("kill.toml");
    std::fs::write(&cfg, column_config(&hosts, &data, &out, 60)).expect("cfg");
    let mut before_rows = Vec::new();
    for threshold in [7usize, 19] {
        let mut child = worker(&cfg).spawn().expect("spawn");
        let t0 = Instant::now();
        loop {
            let (rows, _) = committed(&data);
            if rows.len() >= threshold {
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "crawler made no progress"
            );
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        child.kill().expect("SIGKILL"); // std: SIGKILL on Unix
        let killed = child.wait().expect("wait");
        let killed_at = Instant::now();
        let (rows, done_before) = committed(&data);
        println!(
            "killed after {} committed records, {} URLs done",
            rows.len(),
            done_before.len()
        );
        assert!(!killed.success(), "killed before the end");
        before_rows = rows;
        // Next process (killed again or finishing) must not refetch what was done.
        let next = worker(&cfg).spawn().expect("restart");
        let mut next = next;
        if threshold == 19 {
            assert!(next.wait().expect("wait").success());
        } else {
            // let it run a bit, then the loop kills the *next* spawn; stop this one now
            let t1 = Instant::now();
            loop {
                if committed(&data).0.len() >= before_rows.len() + 5
                    || t1.elapsed() > Duration::from_secs(20)
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            next.kill().expect("SIGKILL");
            let _ = next.wait();
        }
        for h in log.hits().into_iter().filter(|h| h.at > killed_at) {
            let url = format!("http://{}{}", h.host, h.target);
            assert!(!done_before.contains(&url), "refetched completed URL {url}");
        }
    }
    // The loop's last process finished the run (asserted above); build its dataset.
    nianbao_dataset::refresh(&data, &out, false).expect("dataset");

    // No lost records: every committed row is still there and readable.
    let a = Archive::open_read_only(&data).expect("archive");
    let rows = a.index().all_records().expect("rows");
    for b in &before_rows {
        let r = rows.iter().find(|r| r.id == b.id).expect("row kept");
        assert_eq!(
            (&r.url, &r.warc_file, r.warc_offset),
            (&b.url, &b.warc_file, b.warc_offset)
        );
        if r.status.is_some() {
            a.read_response(r).expect("record readable");
        }
    }
    assert_eq!(
        a.index().run_count().expect("runs"),
        1,
        "the killed run was resumed, not restarted"
    );
    // WARC files are whole: every byte belongs to a complete gzip member.
    for e in std::fs::read_dir(a.warc_dir()).expect("warc dir") {
        let p = e.expect("entry").path();
        let (recs, end) = warc::read_all(&p).expect("read warc");
        assert_eq!(
            end,
            std::fs::metadata(&p).expect("meta").len(),
            "torn tail in {}",
            p.display()
        );
        assert!(!recs.is_empty());
    }
    // Each report fetched successfully exactly once over both processes.
    let mut seen = HashSet::new();
    for r in rows
        .iter()
        .filter(|r| r.role == "report" && r.outcome == "ok")
    {
        assert!(
            seen.insert(r.url.clone()),
            "report archived twice: {}",
            r.url
        );
    }
    assert_eq!(seen.len(), 24);

    // Same dataset as the uninterrupted run, but for when and where each report was stored.
    for f in ["cells.csv", "checks.csv"] {
        assert!(
            std::fs::read(out.join(f)).expect("csv")
                == std::fs::read(ref_out.join(f)).expect("ref csv"),
            "{f} differs"
        );
    }
    let fetch_facts = [
        "fetched_at",
        "first_seen",
        "warc_file",
        "warc_offset",
        "provenance",
    ];
    let strip = |rows: Vec<std::collections::HashMap<String, String>>| {
        rows.into_iter()
            .map(|mut r| {
                fetch_facts.iter().for_each(|k| {
                    r.remove(*k);
                });
                r
            })
            .collect::<Vec<_>>()
    };
    let (got, want) = (
        strip(read_csv(&out.join("reports.csv"))),
        strip(read_csv(&ref_out.join("reports.csv"))),
    );
    assert!(!got.is_empty());
    assert!(got == want, "reports.csv differs");
}
