//! `nianbao crawl`: crawl the configured sources, archive everything, refresh the dataset.

use std::path::PathBuf;

/// Arguments of `nianbao crawl`.
#[derive(clap::Args, Debug, Clone)]
pub struct CrawlArgs {
    /// Configuration file (sources, limits, politeness, storage).
    #[arg(long, default_value = "config.toml")]
    pub config: PathBuf,
    /// Data directory (WARC archive + index); overrides `[storage] data`.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output directory of the dataset; overrides `[storage] out`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the run summary as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Read quarantined documents again (those that crashed a parser or hit a limit).
    #[arg(long)]
    pub retry_poisoned: bool,
    /// Also write report.html into the output directory (see `nianbao report`).
    #[arg(long)]
    pub report: bool,
}

/// Run the crawl. Exit code 0 when the run completed (per-URL failures are data, see the
/// summary), 2 for a bad configuration, 1 for other fatal errors (e.g. unwritable data dir).
pub fn run(args: CrawlArgs) -> anyhow::Result<i32> {
    let mut cfg = match nianbao_crawl::Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(2);
        }
    };
    if let Some(d) = args.data {
        cfg.storage.data = d;
    }
    if let Some(o) = args.out {
        cfg.storage.out = o;
    }
    if let Err(e) = cfg.validate() {
        eprintln!("error: {e}");
        return Ok(2);
    }
    let (data, out, bom) = (
        cfg.storage.data.clone(),
        cfg.storage.out.clone(),
        cfg.storage.bom,
    );
    match nianbao_crawl::run_blocking(cfg) {
        Ok(mut report) => {
            // The crawler only archives; the dataset is rebuilt from the archive.
            let opts = match crate::cmd_export::read_options(args.retry_poisoned) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(1);
                }
            };
            match nianbao_dataset::refresh_with(&data, &out, bom, &opts) {
                Ok(stats) => {
                    report.summary.dataset_reports = stats.reports;
                    report.summary.quarantined = stats.quarantined.into_iter().collect();
                }
                Err(e) => {
                    eprintln!("error: dataset: {e}");
                    return Ok(1);
                }
            }
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report.summary)?);
            } else {
                if report.resumed {
                    println!("(resumed an interrupted run)");
                }
                println!("{}", report.summary);
                println!("dataset: {}", out.join("reports.csv").display());
            }
            if args.report {
                let summary = serde_json::to_value(&report.summary).ok();
                return Ok(crate::cmd_report::after(&out, &data, summary));
            }
            Ok(0)
        }
        Err(nianbao_crawl::CrawlError::Config(e)) => {
            eprintln!("error: {e}");
            Ok(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(1)
        }
    }
}
