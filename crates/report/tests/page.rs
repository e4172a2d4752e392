//! The page written from a hand-made dataset in the contract format of issue 8 (identity and
//! provenance columns, X1 checks, coverage.csv, a crawl summary): every section and chart is
//! there, the numbers are the ones the rows give, the page is well-formed and self-contained.

mod support;

use nianbao_report::{
    read_crawl_summary, render, write_report, ReportError, ReportOptions, CHARTS,
};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dataset")
}

fn full_page() -> String {
    let summary = read_crawl_summary(&fixture().join("last-summary.json")).expect("summary");
    let opts = ReportOptions {
        crawl_summary: Some(summary),
        generated_at: Some("2026-12-01T03:00:00Z".into()),
    };
    render(&fixture(), &opts).expect("render").0
}

fn details_of<'a>(c: &'a support::Checked, summary_start: &str) -> &'a str {
    c.details
        .iter()
        .find(|(_, t)| t.trim_start().starts_with(summary_start))
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no list starting with {summary_start}"))
}

#[test]
fn every_chart_of_a_full_dataset_is_drawn() {
    let page = full_page();
    let c = support::check_page(&page);
    for chart in CHARTS {
        assert!(
            c.charts.iter().any(|x| x == chart),
            "chart {chart} missing: {:?}",
            c.charts
        );
    }
    for section in [
        "overview",
        "coverage",
        "timeliness",
        "quality",
        "crawl",
        "inputs",
    ] {
        assert!(c.ids.contains(section), "section {section}");
    }
    assert!(
        !c.text.contains("不在此文件夹"),
        "no input is reported absent"
    );
}

#[test]
fn coverage_cells_carry_the_counts_of_coverage_csv() {
    let c = support::check_page(&full_page());
    // 福建省 2022: 平潭 found, the provincial government blocked → 1 of 2.
    assert!(
        c.tooltips
            .iter()
            .any(|t| t.starts_with("福建省 2022: 1 / 2")),
        "{:?}",
        c.tooltips
    );
    assert!(c
        .tooltips
        .iter()
        .any(|t| t.starts_with("福建省 2023: 2 / 2")));
    // 江苏省 2023: 沭阳 404, 淮安 not listed → 0 of 2.
    assert!(c
        .tooltips
        .iter()
        .any(|t| t.starts_with("江苏省 2023: 0 / 2")));
    // Departments: 梅河口市商务局 2 of 3 years, 上海办公厅 1 of 1, 上海科委 1 of 2 → 4 of 6.
    assert!(c
        .tooltips
        .iter()
        .any(|t| t.starts_with("部门 department: 66.7% (4/6)")));
    let missing = details_of(&c, "部门 department 缺失 missing");
    assert!(
        missing.contains("image_only") && missing.contains("fetch_error"),
        "{missing}"
    );
}

#[test]
fn late_and_missing_are_listed_with_their_reasons() {
    let c = support::check_page(&full_page());
    let late = details_of(&c, "逾期 Late");
    // 平潭 2023 published 15 April (government, 31 March) and 梅河口市商务局 2021 published
    // 15 February (department, 31 January); 平潭 2022 on 30 March is on time.
    assert!(
        late.contains("a1000000000000f3") && late.contains("+15 days"),
        "{late}"
    );
    assert!(late.contains("c3000000000000b2"), "{late}");
    assert!(!late.contains("a1000000000000f2"), "{late}");
    let missing = details_of(&c, "缺失 Missing");
    for reason in [
        "listed_404",
        "not_listed",
        "blocked",
        "image_only",
        "fetch_error",
    ] {
        assert!(missing.contains(reason), "{reason} in {missing}");
    }
    // The April bin of the government chart holds exactly the one late report.
    assert!(c
        .tooltips
        .iter()
        .any(|t| t == "1–15 Apr: 0 按时 on time, 1 逾期 late"));
    assert!(c
        .tooltips
        .iter()
        .any(|t| t == "16–31 Mar: 2 按时 on time, 0 逾期 late"));
    // Department chart: 16 Feb–end has 梅河口 2021 (late).
    assert!(c
        .tooltips
        .iter()
        .any(|t| t == "1–15 Feb: 0 按时 on time, 1 逾期 late"));
}

#[test]
fn quality_figures_come_from_the_rows() {
    let page = full_page();
    let c = support::check_page(&page);
    let x1 = details_of(&c, "X1 不成立 fails");
    assert!(
        x1.contains("a1000000000000f3") && x1.contains("carried over 0 ≠ 2"),
        "{x1}"
    );
    assert!(
        !x1.contains("c3000000000000b2"),
        "a holding X1 is not listed"
    );
    // gb2021 2023: 福建省 holds, 平潭 fails, the 街道 fails → 1 of 3.
    assert!(
        c.tooltips
            .iter()
            .any(|t| t.starts_with("gb2021 2023: 1 / 3")),
        "{:?}",
        c.tooltips
    );
    let flags = details_of(&c, "单元格标记 cell flag derived");
    assert!(flags.contains("a1000000000000f1") && flags.contains("e5000000000000d1"));
    let errors = details_of(&c, "错误 error: cannot parse PDF document");
    assert!(errors.contains("0800000000000002") && errors.contains("bad xref table"));
    assert!(c.text.contains("t3_row_order"));
    // 10 of the 12 rows have an agency_id (the 街道 and the unreadable PDF have none).
    assert!(page.contains("title=\"已识别 identified: 10 — reports.csv: agency_id not empty\">10<"));
    assert!(c.text.contains("/ 12 (83.3%)"));
    let unmatched = details_of(&c, "身份标记 identity flag unmatched");
    assert!(unmatched.contains("0700000000000001"));
    assert!(
        c.tooltips.iter().any(|t| t == "alias: 3 reports"),
        "flag kinds, not details"
    );
}

#[test]
fn the_last_crawl_is_shown_from_its_summary() {
    let c = support::check_page(&full_page());
    assert!(c.text.contains("2026-12-01 01:42:10 UTC"));
    assert!(c.text.contains("42m 10s"));
    assert!(c.tooltips.iter().any(|t| t.starts_with("timeout: 2")));
    assert!(c
        .tooltips
        .iter()
        .any(|t| t.starts_with("www.pingtan.gov.cn: 41 fetched, 1 new, 1 changed")));
    let new = details_of(&c, "新报告 new reports");
    assert!(new.contains("http://www.pingtan.gov.cn/zwgk/ndbg/2023.htm"));
}

#[test]
fn a_folder_with_only_reports_says_what_is_missing() {
    let dir = tempfile::tempdir().expect("tmp");
    // reports.csv alone, cut to the columns an older `extract --out` writes.
    let text = std::fs::read_to_string(fixture().join("reports.csv")).expect("read");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::Writer::from_path(dir.path().join("reports.csv")).expect("create");
    let keep = 13;
    let h = rdr.headers().expect("headers").clone();
    w.write_record(h.iter().take(keep)).expect("write");
    for rec in rdr.records() {
        w.write_record(rec.expect("record").iter().take(keep))
            .expect("write");
    }
    w.flush().expect("flush");
    drop(w);
    let stats = write_report(dir.path(), dir.path(), &ReportOptions::default()).expect("write");
    assert_eq!(stats.reports, 12);
    let page = std::fs::read_to_string(dir.path().join("report.html")).expect("page");
    let c = support::check_page(&page);
    assert!(c.text.contains("No coverage.csv in this folder"));
    assert!(c.text.contains("No checks.csv in this folder"));
    assert!(c.text.contains("No crawl summary"));
    assert!(c.charts.iter().any(|x| x == "quality-identities"));
    assert!(!c
        .charts
        .iter()
        .any(|x| x.starts_with("coverage") || x.starts_with("timeliness")));
    assert!(!dir.path().join(".report.html.tmp").exists());
}

#[test]
fn reports_with_identity_but_no_coverage_give_counts_without_shares() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::copy(
        fixture().join("reports.csv"),
        dir.path().join("reports.csv"),
    )
    .expect("copy");
    let (page, _) = render(dir.path(), &ReportOptions::default()).expect("render");
    let c = support::check_page(&page);
    assert!(c.text.contains("the figures below count reports only"));
    assert!(
        c.tooltips
            .iter()
            .any(|t| t.starts_with("福建省 2023: 2 份报告 reports")),
        "{:?}",
        c.tooltips
    );
    // Lateness from the reports' own dates and kinds.
    let late = details_of(&c, "逾期 Late");
    assert!(
        late.contains("a1000000000000f3") && late.contains("c3000000000000b2"),
        "{late}"
    );
}

#[test]
fn hostile_values_stay_text() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("reports.csv"),
        "report_id,source,title,agency,year,format,report_flags,checks_failed,error,flags,url\n\
         <b>x</b>,\"javascript:alert(1)\",\"</title><script>alert(1)</script>\",\"A&B <i>\",2023,gb2021,\"<img src=http://evil/x>\",1,,\"{\"\"k\"\":[\"\"<svg onload=1>\"\"]}\",javascript:alert(2)\n\
         r2,s,t,a,99999999999,,,,\"cannot read \u{1}/etc/passwd: denied\",not json,\n",
    )
    .expect("write");
    let (page, stats) = render(dir.path(), &ReportOptions::default()).expect("render");
    assert_eq!(stats.reports, 2);
    let c = support::check_page(&page);
    assert!(!page.contains("<script>") && !page.contains("<img"));
    assert!(
        !page.contains("href=\"javascript"),
        "a javascript: URL is never a link"
    );
    assert!(
        c.text.contains("</title><script>alert(1)</script>"),
        "shown as text"
    );
    assert!(c.text.contains("A&B <i>"));
}

#[test]
fn not_a_dataset_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    match render(dir.path(), &ReportOptions::default()) {
        Err(ReportError::NotADataset { .. }) => {}
        other => panic!("{:?}", other.map(|x| x.1)),
    }
    std::fs::write(dir.path().join("s.json"), "[1,2]").expect("write");
    assert!(read_crawl_summary(&dir.path().join("s.json")).is_err());
    std::fs::write(dir.path().join("s.json"), "{").expect("write");
    let e = read_crawl_summary(&dir.path().join("s.json")).expect_err("bad JSON");
    assert!(e.to_string().contains("not a crawl summary"), "{e}");
}
