//! `nianbao diff`: which cells changed between two versions of a report.

use std::path::PathBuf;

/// Arguments of `nianbao diff`.
#[derive(clap::Args, Debug, Clone)]
pub struct DiffArgs {
    /// A report id (reports.csv `report_id`) or the URL of one of its versions.
    pub report: String,
    /// Archive(s) holding the versions (default: `[storage] data` of the config).
    #[arg(long)]
    pub data: Vec<PathBuf>,
    /// Dataset folder whose versions.csv lists the versions (default: `[storage] out`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Older version (default: the one before `--to`).
    #[arg(long)]
    pub from: Option<i64>,
    /// Newer version (default: the latest).
    #[arg(long)]
    pub to: Option<i64>,
    /// Configuration file to take the defaults from, if it exists.
    #[arg(long, default_value = "config.toml")]
    pub config: PathBuf,
}

/// Print the changed cells. Exit 0 (also when nothing changed), 1 when the report or its
/// versions cannot be found or read.
pub fn run(args: DiffArgs) -> anyhow::Result<i32> {
    let cfg = if args.config.exists() {
        match nianbao_crawl::Config::load(&args.config) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(2);
            }
        }
    } else {
        nianbao_crawl::Config::default()
    };
    let data = if args.data.is_empty() {
        vec![cfg.storage.data.clone()]
    } else {
        args.data
    };
    let out = args.out.unwrap_or(cfg.storage.out.clone());
    match nianbao_dataset::diff(&data, &out, &args.report, args.from, args.to) {
        Ok(d) => {
            print!("{d}");
            Ok(0)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(1)
        }
    }
}
