//! End to end through the binary: `nianbao report` on the dataset of the bundled samples and
//! on the hand-made contract dataset, and `crawl --report` / `export --report` on the offline
//! demo. Each page is parsed strictly (well-formed, self-contained, every in-page link has a
//! target) and its charts are counted.

#[path = "../crates/report/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn nianbao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn page(dir: &Path) -> support::Checked {
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html written");
    support::check_page(&html)
}

#[test]
fn page_of_the_bundled_samples() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, out) = (tmp.path().join("ds"), tmp.path().join("page"));
    let st = nianbao()
        .arg("extract")
        .arg(root().join("data/samples"))
        .arg("--out")
        .arg(&data)
        .output()
        .expect("extract");
    assert_eq!(st.status.code(), Some(0));
    let st = nianbao()
        .arg("report")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("report");
    assert_eq!(
        st.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(String::from_utf8_lossy(&st.stdout).contains("12 reports"));
    let c = page(&out);
    for chart in ["quality-identities", "quality-cell-flags"] {
        assert!(
            c.charts.iter().any(|x| x == chart),
            "{chart}: {:?}",
            c.charts
        );
    }
    // The 12 reports are listed behind the overview's count, by agency.
    let all = &c
        .details
        .iter()
        .find(|(_, t)| t.contains("全部报告 all reports"))
        .expect("list of all reports")
        .1;
    for agency in ["梅河口市商务局", "平潭综合实验区", "上海市科委"] {
        assert!(all.contains(agency), "{agency}");
    }
    // Sections without their input say so (whether or not the dataset has identity
    // columns yet, there is no crawl summary for an extract folder).
    assert!(c.text.contains("No crawl summary"));
}

#[test]
fn page_of_the_contract_dataset_has_every_chart() {
    let tmp = tempfile::tempdir().expect("tmp");
    let fixture = root().join("crates/report/tests/fixtures/dataset");
    let st = nianbao()
        .arg("report")
        .arg(&fixture)
        .arg("--out")
        .arg(tmp.path())
        .arg("--crawl-summary")
        .arg(fixture.join("last-summary.json"))
        .output()
        .expect("report");
    assert_eq!(
        st.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let c = page(tmp.path());
    for chart in nianbao_report_charts() {
        assert!(
            c.charts.iter().any(|x| x == chart),
            "{chart}: {:?}",
            c.charts
        );
    }
}

fn nianbao_report_charts() -> [&'static str; 13] {
    // Kept in step with nianbao_report::CHARTS (the binary's tests do not link the crate).
    [
        "coverage-province-year",
        "coverage-level-year",
        "coverage-levels",
        "timeliness-government",
        "timeliness-department",
        "timeliness-missing-reasons",
        "quality-identities",
        "quality-identity-flags",
        "quality-cell-flags",
        "quality-report-flags",
        "quality-errors",
        "crawl-failures",
        "crawl-hosts",
    ]
}

#[test]
fn not_a_dataset_fails_clearly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let st = nianbao()
        .arg("report")
        .arg(tmp.path())
        .output()
        .expect("report");
    assert_eq!(st.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&st.stderr).contains("not a dataset folder"));
    assert!(!tmp.path().join("report.html").exists());
}

#[test]
fn demo_crawl_and_export_write_the_page_when_asked() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, out, out2) = (
        tmp.path().join("data"),
        tmp.path().join("out"),
        tmp.path().join("out2"),
    );
    let st = nianbao()
        .current_dir(root())
        .args([
            "crawl",
            "--config",
            "data/demo/demo.toml",
            "--json",
            "--report",
            "--data",
        ])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("crawl");
    assert_eq!(
        st.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    // stdout stays the summary JSON; the report line goes to stderr.
    let summary: serde_json::Value = serde_json::from_slice(&st.stdout).expect("JSON on stdout");
    assert!(summary["hosts"].as_object().is_some_and(|h| !h.is_empty()));
    assert!(String::from_utf8_lossy(&st.stderr).contains("report.html"));
    let c = page(&out);
    for chart in ["quality-identities", "crawl-hosts"] {
        assert!(
            c.charts.iter().any(|x| x == chart),
            "{chart}: {:?}",
            c.charts
        );
    }
    assert!(
        !c.text.contains("No crawl summary"),
        "the crawl section is filled"
    );
    for host in summary["hosts"].as_object().expect("hosts").keys() {
        assert!(c.text.contains(host.as_str()), "host {host} on the page");
    }

    let st = nianbao()
        .args(["export", "--report", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out2)
        .output()
        .expect("export");
    assert_eq!(
        st.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let c2 = page(&out2);
    assert!(c2.charts.iter().any(|x| x == "quality-identities"));
    // Same reports, same quality figures as after the crawl.
    let n = |c: &support::Checked| {
        c.details
            .iter()
            .find(|(_, t)| t.contains("全部报告 all reports"))
            .map(|(_, t)| t.clone())
    };
    assert_eq!(n(&c), n(&c2));
}
