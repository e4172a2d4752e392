//! # nianbao-report: the dataset on one page
//!
//! [`write_report`] reads a dataset folder (written by `nianbao extract --out`, `export` or
//! `crawl`) and writes `report.html`: coverage (province × year, by level), timeliness
//! (publication dates against the legal deadlines, the late and the missing), quality
//! (identities by year and format, common flags, the cross-year check, extraction errors)
//! and the last crawl.
//!
//! Design:
//!
//! * **One streaming pass.** `coverage.csv`, `reports.csv` and `checks.csv` are each read
//!   once, row by row into one reused record; each section keeps counters and, for every
//!   number, the first few rows behind it ([`html::Rows`]). Every map is bounded
//!   ([`tally::Capped`], a year range), so memory does not grow with the number of reports
//!   and the page stays a readable size.
//! * **Every number points to its rows.** A count links to a collapsible `<details>` list of
//!   its first rows (report ids, agencies, source URLs) with the filter that selects all of
//!   them in the CSV; counts with nothing listed carry that filter as a tooltip.
//! * **Self-contained.** Inline CSS and inline SVG, no script, no external resource; links
//!   to sources are plain `<a>` to http(s) addresses only. The markup is XHTML-compatible so
//!   a strict XML parser can check it.
//! * **Charts as plain SVG** ([`svg`]): a shaded grid, horizontal bars and stacked columns
//!   carry a `<title>` tooltip and a link on every mark, use the page's fonts and print
//!   rules, and scale to a phone's width through their `viewBox`. A plotting crate
//!   (`plotters` 0.3.7, last released 2024-09) would add a dependency tree for three chart
//!   shapes and cannot attach a tooltip or a link to a mark.
//! * **Partial folders work.** A section whose input is absent says so (an `extract --out`
//!   folder has no `coverage.csv`, no identity columns, no crawl summary).
//!
//! ```no_run
//! let opts = nianbao_report::ReportOptions::default();
//! let stats = nianbao_report::write_report("out".as_ref(), "out".as_ref(), &opts)?;
//! println!("{} reports → {}", stats.reports, stats.path.display());
//! # Ok::<(), nianbao_report::ReportError>(())
//! ```

#![warn(missing_docs)]

mod coverage;
mod crawl;
pub mod date;
pub mod html;
mod input;
mod quality;
mod records;
pub mod svg;
pub mod tally;
mod timeliness;

use html::{esc, num, pct, Page};
use input::Table;
use records::{CheckCols, CoverageCols, ReportCols};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file name of the page.
pub const PAGE: &str = "report.html";

/// The chart ids (`data-chart` attributes) a full dataset produces.
pub const CHARTS: [&str; 13] = [
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
];

/// Options of the page.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The last crawl's summary (the JSON of `nianbao crawl --json`), if any.
    pub crawl_summary: Option<serde_json::Value>,
    /// The timestamp printed on the page; `None` prints the current time.
    pub generated_at: Option<String>,
}

/// What was read and written.
#[derive(Debug, Clone)]
pub struct ReportStats {
    /// Rows of `reports.csv`.
    pub reports: u64,
    /// Rows of `coverage.csv` (0 when absent).
    pub coverage_rows: u64,
    /// Rows of `checks.csv` (0 when absent).
    pub check_rows: u64,
    /// Size of the page in bytes.
    pub bytes: usize,
    /// Where the page was written (empty for [`render`]).
    pub path: PathBuf,
}

/// Error writing the page.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder has no `reports.csv`.
    #[error("{path}: not a dataset folder (no reports.csv); write one with `nianbao extract --out`, `export` or `crawl`")]
    NotADataset {
        /// The folder.
        path: String,
    },
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Unreadable CSV.
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: String,
        /// The cause.
        source: csv::Error,
    },
    /// Unreadable crawl summary.
    #[error("{path}: not a crawl summary: {reason}")]
    Summary {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Read a crawl summary JSON file.
pub fn read_crawl_summary(path: &Path) -> Result<serde_json::Value, ReportError> {
    let bytes = std::fs::read(path).map_err(|source| ReportError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let v: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| ReportError::Summary {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    if !v.is_object() {
        return Err(ReportError::Summary {
            path: path.display().to_string(),
            reason: "the JSON is not an object".into(),
        });
    }
    Ok(v)
}

struct FileNote {
    name: &'static str,
    rows: Option<u64>,
    note: String,
}

/// Build the page for the dataset in `dataset` (one pass over its CSV files).
pub fn render(dataset: &Path, opts: &ReportOptions) -> Result<(String, ReportStats), ReportError> {
    let mut reports_t =
        Table::open(dataset, "reports.csv")?.ok_or_else(|| ReportError::NotADataset {
            path: dataset.display().to_string(),
        })?;
    let mut cov = coverage::Coverage::new();
    let mut tim = timeliness::Timeliness::new();
    let mut qual = quality::Quality::new();
    let mut files = Vec::new();

    let mut coverage_rows = 0;
    match Table::open(dataset, "coverage.csv")? {
        Some(mut t) => {
            let cols = CoverageCols::new(&t);
            while t.next_row()? {
                let r = cols.row(&t);
                cov.add_coverage(&r);
                tim.add_coverage(&r);
            }
            coverage_rows = t.rows;
            files.push(FileNote {
                name: "coverage.csv",
                rows: Some(t.rows),
                note: String::new(),
            });
        }
        None => files.push(FileNote {
            name: "coverage.csv",
            rows: None,
            note: "不在此文件夹 absent: coverage and the missing reports need it".into(),
        }),
    }

    let cols = ReportCols::new(&reports_t);
    while reports_t.next_row()? {
        let r = cols.row(&reports_t);
        qual.add_report(&r, cols.has_identity);
        cov.add_report(&r, cols.has_identity);
        tim.add_report(&r, cols.has_identity && cols.has_provenance);
    }
    let mut missing_cols: Vec<&str> = [
        "agency_id",
        "division_code",
        "division_level",
        "agency_kind",
        "province",
        "url",
        "published_date",
    ]
    .into_iter()
    .filter(|c| reports_t.col(c).is_none())
    .collect();
    missing_cols.truncate(7);
    files.push(FileNote {
        name: "reports.csv",
        rows: Some(reports_t.rows),
        note: if missing_cols.is_empty() {
            format!("{} columns", reports_t.headers().len())
        } else {
            format!(
                "{} columns; without {} (identity and provenance columns of a dataset from `nianbao export`)",
                reports_t.headers().len(),
                missing_cols.join(", ")
            )
        },
    });

    let mut check_rows = 0;
    match Table::open(dataset, "checks.csv")? {
        Some(mut t) => {
            qual.saw_checks_file();
            let cols = CheckCols::new(&t);
            while t.next_row()? {
                qual.add_check(&cols.row(&t));
            }
            check_rows = t.rows;
            files.push(FileNote {
                name: "checks.csv",
                rows: Some(t.rows),
                note: String::new(),
            });
        }
        None => files.push(FileNote {
            name: "checks.csv",
            rows: None,
            note: "不在此文件夹 absent".into(),
        }),
    }
    let crawl = opts
        .crawl_summary
        .as_ref()
        .and_then(crawl::CrawlView::from_json);

    let mut page = Page::new();
    let generated = opts.generated_at.clone().unwrap_or_else(date::now_rfc3339);
    let name = dataset
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| dataset.display().to_string());
    let _ = write!(
        page.buf,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>年报数据集报告 {} · nianbao dataset report</title><style>{}</style></head><body>",
        esc(&name),
        html::CSS
    );
    let _ = write!(
        page.buf,
        "<header><h1>年报数据集报告 <span class=\"en\">Dataset report</span></h1><p class=\"meta\">数据 Dataset: <code>{}</code> · 生成 Generated {} · nianbao {}</p><nav><a href=\"#overview\">概览 Overview</a><a href=\"#coverage\">覆盖 Coverage</a><a href=\"#timeliness\">时效 Timeliness</a><a href=\"#quality\">质量 Quality</a><a href=\"#crawl\">抓取 Last crawl</a><a href=\"#inputs\">输入 Inputs</a></nav></header><main>",
        esc(&dataset.display().to_string()),
        esc(&generated),
        env!("CARGO_PKG_VERSION")
    );

    // Overview.
    let (n, checked, hold) = qual.totals();
    page.raw("<section id=\"overview\"><h2>概览 <span class=\"en\">Overview</span></h2><div class=\"cards\">");
    let all = page.count_link(
        qual.reports(),
        "全部报告 all reports",
        "reports.csv: every row",
    );
    let mut cards: Vec<(String, &str, &str)> = vec![(all, "报告", "reports")];
    if cov.has_denominator() {
        let (known, found) = cov.totals();
        cards.push((
            format!("<a href=\"#coverage\">{}</a>", pct(found, known)),
            "覆盖",
            "agency-years with a report",
        ));
    }
    if let Some((late, missing)) = tim.late_missing() {
        cards.push((
            format!("<a href=\"#timeliness\">{}</a>", num(late)),
            "逾期",
            "late",
        ));
        if cov.has_denominator() {
            cards.push((
                format!("<a href=\"#timeliness\">{}</a>", num(missing)),
                "缺失",
                "missing",
            ));
        }
    }
    cards.push((
        format!("<a href=\"#quality\">{}</a>", pct(hold, checked)),
        "恒等式全部成立",
        "identities all hold",
    ));
    cards.push((
        format!("<a href=\"#quality\">{}</a>", num(qual.errors())),
        "抽取错误",
        "extraction errors",
    ));
    if let Some(when) = crawl.as_ref().and_then(|c| c.when()) {
        cards.push((
            format!("<a href=\"#crawl\">{}</a>", esc(&when)),
            "最近抓取",
            "last crawl",
        ));
    }
    for (v, zh, en) in cards {
        let small = if v.len() > 40 {
            " style=\"font-size:1em\""
        } else {
            ""
        };
        let _ = write!(
            page.buf,
            "<div class=\"card\"><span class=\"v\"{small}>{v}</span><span class=\"k\">{zh} {en}</span></div>"
        );
    }
    page.raw("</div>");
    page.flush_rows();
    page.raw("</section>");

    cov.render(&mut page);
    tim.render(&mut page);
    qual.render(&mut page);
    crawl::CrawlView::render(crawl.as_ref(), &mut page);

    page.raw("<section id=\"inputs\"><h2>输入 <span class=\"en\">Inputs</span></h2><div class=\"tbl\"><table><thead><tr><th>文件 File</th><th class=\"n\">行 Rows</th><th>说明 Note</th></tr></thead><tbody>");
    for f in &files {
        let _ = write!(
            page.buf,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td>{}</td></tr>",
            f.name,
            f.rows.map(num).unwrap_or_else(|| "–".into()),
            esc(&f.note)
        );
    }
    let _ = write!(
        page.buf,
        "<tr><td>crawl summary</td><td class=\"n\">{}</td><td>{}</td></tr></tbody></table></div></section>",
        if crawl.is_some() { "1" } else { "–" },
        if crawl.is_some() { "" } else { "不可用 not available" }
    );
    page.raw("</main><footer>由 nianbao 生成，数据集文件见同一文件夹 · Written by nianbao from the CSV files of the same folder; every count links to the rows behind it.</footer></body></html>\n");

    let stats = ReportStats {
        reports: n,
        coverage_rows,
        check_rows,
        bytes: page.buf.len(),
        path: PathBuf::new(),
    };
    Ok((page.buf, stats))
}

/// Build the page for `dataset` and write it to `out_dir/report.html` (through a temporary
/// file and a rename, so a reader never sees half a page).
pub fn write_report(
    dataset: &Path,
    out_dir: &Path,
    opts: &ReportOptions,
) -> Result<ReportStats, ReportError> {
    let (page, mut stats) = render(dataset, opts)?;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ReportError::Io { path, source }
    };
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let path = out_dir.join(PAGE);
    let tmp = out_dir.join(format!(".{PAGE}.tmp"));
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(page.as_bytes()).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    stats.path = path;
    Ok(stats)
}
