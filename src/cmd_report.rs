//! `nianbao report`: the dataset's coverage, timeliness and quality as one HTML page; also
//! called by `crawl --report` and `export --report`.

use std::path::{Path, PathBuf};

/// Arguments of `nianbao report`.
#[derive(clap::Args, Debug, Clone)]
pub struct ReportArgs {
    /// Dataset folder (written by `extract --out`, `export` or `crawl`).
    pub dataset: PathBuf,
    /// Where to write report.html (default: the dataset folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Crawl summary JSON (`nianbao crawl --json`) to show as the last crawl.
    #[arg(long, value_name = "FILE")]
    pub crawl_summary: Option<PathBuf>,
    /// Crawl data directory: its `runs/last-summary.json` is shown as the last crawl.
    #[arg(long, value_name = "DIR", conflicts_with = "crawl_summary")]
    pub data: Option<PathBuf>,
}

fn summary_file(data: &Path) -> PathBuf {
    data.join("runs").join("last-summary.json")
}

/// Write the page and say where; `to_stderr` keeps stdout for a command's own output (the
/// JSON of `crawl --json`).
fn write(
    dataset: &Path,
    out: &Path,
    summary: Option<serde_json::Value>,
    to_stderr: bool,
) -> anyhow::Result<()> {
    let opts = nianbao_report::ReportOptions {
        crawl_summary: summary,
        generated_at: None,
    };
    let stats = nianbao_report::write_report(dataset, out, &opts)?;
    let line = format!(
        "report: {} ({} reports, {} coverage rows, {} checks; {} KB)",
        stats.path.display(),
        stats.reports,
        stats.coverage_rows,
        stats.check_rows,
        stats.bytes / 1024
    );
    if to_stderr {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
    Ok(())
}

/// Write the page. Exit code 0 when written, 1 when the folder is not a dataset, a file
/// cannot be read or the page cannot be written.
pub fn run(args: ReportArgs) -> anyhow::Result<i32> {
    let summary = match (&args.crawl_summary, &args.data) {
        (Some(f), _) => Some(nianbao_report::read_crawl_summary(f)?),
        (None, Some(d)) => {
            let f = summary_file(d);
            if f.exists() {
                Some(nianbao_report::read_crawl_summary(&f)?)
            } else {
                eprintln!(
                    "note: {} not found; the page has no crawl section",
                    f.display()
                );
                None
            }
        }
        (None, None) => None,
    };
    let out = args.out.clone().unwrap_or_else(|| args.dataset.clone());
    write(&args.dataset, &out, summary, false)?;
    Ok(0)
}

/// The page after `crawl --report` or `export --report`: written into the dataset folder
/// `out`, with the crawl summary of `<data>/runs/last-summary.json`, else `fallback` (the
/// summary the crawl just computed). Returns the exit code (0, or 1 with the error printed:
/// the dataset itself is already safely written).
pub fn after(out: &Path, data: &Path, fallback: Option<serde_json::Value>) -> i32 {
    let f = summary_file(data);
    let summary = if f.exists() {
        match nianbao_report::read_crawl_summary(&f) {
            Ok(v) => Some(v),
            Err(e) => {
                eprintln!("warning: {e}");
                fallback
            }
        }
    } else {
        fallback
    };
    match write(out, out, summary, true) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: report page: {e:#} (the dataset was written)");
            1
        }
    }
}
