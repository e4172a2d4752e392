//! `nianbao export`: rebuild the dataset from the web archive alone (no network).

use std::path::PathBuf;

/// Arguments of `nianbao export`.
#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// Data directory holding the archive (default: `[storage] data` of the config, else
    /// `data/crawl`). Repeat it to build one dataset from several archives (e.g. shards): for
    /// every URL the latest fetch across them, as if one archive held all their records.
    #[arg(long)]
    pub data: Vec<PathBuf>,
    /// Output directory (default: `[storage] out` of the config, else `out`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Configuration file to take the defaults from, if it exists.
    #[arg(long, default_value = "config.toml")]
    pub config: PathBuf,
    /// Write a UTF-8 BOM into the CSV files (for Excel).
    #[arg(long)]
    pub bom: bool,
    /// Read quarantined documents again (those that crashed a parser or hit a limit).
    #[arg(long)]
    pub retry_poisoned: bool,
    /// Also write report.html into the output directory (see `nianbao report`).
    #[arg(long)]
    pub report: bool,
}

/// How the dataset step reads archived documents: PDF and Office files in a memory-capped
/// child process (this binary), quarantined ones skipped unless `retry_poisoned`.
pub fn read_options(retry_poisoned: bool) -> anyhow::Result<nianbao_dataset::ReadOptions> {
    use anyhow::Context;
    let child = nianbao_dataset::ChildConfig::current_exe()
        .context("cannot find the nianbao executable for the parser process")?;
    Ok(nianbao_dataset::ReadOptions {
        isolation: nianbao_dataset::Isolation::Child(child),
        retry_poisoned,
    })
}

/// Rebuild reports.csv, cells.csv, checks.csv and codebook.csv from the archive.
pub fn run(args: ExportArgs) -> anyhow::Result<i32> {
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
    let opts = read_options(args.retry_poisoned)?;
    match nianbao_dataset::export_many_with(&data, &out, args.bom || cfg.storage.bom, &opts) {
        Ok(stats) => {
            println!(
                "exported {} reports from {} archived inputs ({} unreadable, {} quarantined) to {}",
                stats.reports,
                stats.inputs,
                stats.errors,
                stats.quarantined.len(),
                out.display()
            );
            for (url, why) in &stats.quarantined {
                println!("quarantined: {url}: {why}");
            }
            if args.report {
                // With several archives (shards) the first one's last crawl summary is shown.
                if let Some(first) = data.first() {
                    return Ok(crate::cmd_report::after(&out, first, None));
                }
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(1)
        }
    }
}
