//! `nianbao crawl`: select the sources, crawl them, archive everything, refresh the dataset
//! when the run brought something, write the run summary, and exit with a code a cron job
//! can act on (see [`nianbao_crawl::summary::exit`] and the README).

use nianbao_crawl::select::{Selection, Shard};
use nianbao_crawl::summary::{archive_has_reports, exit, rfc3339, Summary};
use nianbao_crawl::{Config, CrawlError};
use std::path::PathBuf;
use std::time::SystemTime;

/// Arguments of `nianbao crawl`.
#[derive(clap::Args, Debug, Clone)]
pub struct CrawlArgs {
    /// Configuration file (sources, registry selection, limits, politeness, storage).
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
    /// Write a UTF-8 BOM into the CSV files (for Excel); same as `[storage] bom = true`.
    #[arg(long)]
    pub bom: bool,
    /// Dataset formats to write after the crawl: csv, parquet, jsonl (default csv).
    #[arg(long = "formats", value_enum, value_delimiter = ',')]
    pub formats: Vec<crate::cmd_export::FormatArg>,
    /// Column names in the dataset files.
    #[arg(long, value_enum, default_value_t = crate::cmd_export::NamesArg::Long)]
    pub names: crate::cmd_export::NamesArg,
    /// Crawl only this source (name, division code or start URL; repeatable). A registry
    /// name also selects its de-duplicated variants `NAME [...]`.
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Crawl only sources of this province (name like 福建 or code like 35; repeatable).
    #[arg(long = "province", value_name = "PROVINCE")]
    pub provinces: Vec<String>,
    /// Crawl only sources of this level: province, prefecture, county, department, other
    /// (repeatable).
    #[arg(long = "level", value_name = "LEVEL")]
    pub levels: Vec<String>,
    /// Crawl only the hosts of shard I of N (0 <= I < N; FNV-1a of the host, see the
    /// README). Each shard needs its own --data; no dataset is written (merge the shards
    /// with `nianbao export --data A --data B ...`).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Revisit only the sources not checked successfully within `[crawl] due_after_days`.
    #[arg(long)]
    pub due: bool,
    /// Do not rewrite the dataset after the crawl (archive only).
    #[arg(long)]
    pub no_dataset: bool,
    /// Print nothing but errors (set by the global `--quiet`).
    #[arg(skip)]
    pub quiet: bool,
    /// No progress bar (set by `--quiet` and `--log-format json`).
    #[arg(skip)]
    pub no_progress: bool,
    /// Read quarantined documents again (those that crashed a parser or hit a limit).
    #[arg(long)]
    pub retry_poisoned: bool,
    /// Also write report.html into the output directory (see `nianbao report`).
    #[arg(long)]
    pub report: bool,
}

fn fail(code: i32, msg: impl std::fmt::Display) -> anyhow::Result<i32> {
    eprintln!("error: {msg}");
    Ok(code)
}

fn unix(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn crawl_error_code(e: &CrawlError) -> i32 {
    match e {
        CrawlError::Config(_) => exit::CONFIG,
        CrawlError::Archive(nianbao_archive::ArchiveError::Locked(_)) => exit::LOCKED,
        _ => exit::FATAL,
    }
}

/// Run the crawl; returns the exit code (table in the README).
pub fn run(args: CrawlArgs) -> anyhow::Result<i32> {
    let started = SystemTime::now();
    let mut cfg = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => return fail(exit::CONFIG, e),
    };
    if let Some(d) = &args.data {
        cfg.storage.data = d.clone();
    }
    if let Some(o) = &args.out {
        cfg.storage.out = o.clone();
    }
    cfg.storage.bom |= args.bom;
    cfg.quiet = args.no_progress || args.json;
    let selection = Selection {
        sources: args.sources.clone(),
        provinces: args.provinces.clone(),
        levels: args.levels.clone(),
        shard: args.shard,
    };
    let resolved = match cfg.resolve(&selection) {
        Ok(r) => r,
        Err(e) => return fail(exit::CONFIG, e),
    };
    tracing::info!(
        registry = resolved.from_registry,
        selected = resolved.selected,
        in_shard = resolved.in_shard,
        "sources"
    );
    if args.due {
        let checked = match nianbao_archive::Archive::open(&cfg.storage.data)
            .and_then(|a| a.index().sources_checked())
        {
            Ok(c) => c,
            Err(e @ nianbao_archive::ArchiveError::Locked(_)) => return fail(exit::LOCKED, e),
            Err(e) => return fail(exit::FATAL, e),
        };
        let skipped = nianbao_crawl::select::keep_due(
            &mut cfg.sources,
            &checked,
            unix(started),
            cfg.crawl.due_after_days,
        );
        tracing::info!(
            skipped,
            due = cfg.sources.len(),
            after_days = cfg.crawl.due_after_days,
            "--due"
        );
    }
    let shard = args.shard.map(|s| s.to_string());
    if cfg.sources.is_empty() && (args.due || args.shard.is_some()) {
        // Nothing due, or no host of this shard: a successful run that did nothing.
        let summary = Summary {
            started_at: rfc3339(started),
            finished_at: rfc3339(SystemTime::now()),
            shard,
            ..Default::default()
        };
        if args.json {
            println!("{}", serde_json::to_string_pretty(&summary)?);
        } else if !args.quiet {
            println!("nothing to crawl: no source is due or in this shard");
        }
        return Ok(exit::OK);
    }
    if let Err(e) = cfg.validate() {
        return fail(exit::CONFIG, e);
    }
    let (data, out) = (cfg.storage.data.clone(), cfg.storage.out.clone());
    // The crawl's own --province/--level select sources; the dataset after it is not filtered.
    let opts = match (crate::cmd_export::DatasetArgs {
        bom: args.bom,
        formats: args.formats.clone(),
        names: args.names,
        retry_poisoned: args.retry_poisoned,
        ..Default::default()
    }
    .options(&cfg))
    {
        Ok(o) => o,
        Err(e) => return fail(exit::FATAL, format!("{e:#}")),
    };
    let max_failed = cfg.crawl.max_failed_host_share;
    let report = match nianbao_crawl::run_blocking(cfg) {
        Ok(r) => r,
        Err(e) => return fail(crawl_error_code(&e), e),
    };
    let mut summary = report.summary;
    summary.resumed = report.resumed;
    summary.shard = shard;
    let mut code = summary.verdict(max_failed);

    // A failed or empty run never replaces a good dataset: rewrite it only when some host
    // answered and the archive holds reports.
    if args.no_dataset || args.shard.is_some() {
        tracing::info!("dataset not rewritten (--no-dataset or --shard)");
    } else if code == exit::NOTHING_FETCHED {
        tracing::warn!(out = %out.display(), "no host answered: the dataset was left as it was");
    } else {
        match archive_has_reports(&data) {
            Ok(false) => {
                tracing::warn!("the archive holds no report yet: no dataset written")
            }
            Ok(true) => match refresh(&data, &out, &opts) {
                Ok(stats) => {
                    summary.dataset_written = true;
                    summary.dataset_reports = stats.reports;
                    summary.quarantined = stats.quarantined.into_iter().collect();
                }
                Err(e) => {
                    eprintln!("error: dataset: {e}");
                    code = exit::FATAL;
                }
            },
            Err(e) => {
                eprintln!("error: {e}");
                code = exit::FATAL;
            }
        }
    }
    let finished = SystemTime::now();
    summary.started_at = rfc3339(started);
    summary.finished_at = rfc3339(finished);
    summary.duration_s = (finished
        .duration_since(started)
        .unwrap_or_default()
        .as_secs_f64()
        * 10.0)
        .round()
        / 10.0;
    summary.exit_code = code;

    // `--due` bookkeeping: a source counts as checked when one of its pages answered.
    let checked: Vec<String> = summary
        .sources
        .iter()
        .filter(|(_, s)| s.answered > 0)
        .map(|(n, _)| n.clone())
        .collect();
    let marked = nianbao_archive::Archive::open(&data).and_then(|mut a| {
        a.index_mut().mark_sources_checked(
            &checked,
            summary.run_id,
            unix(finished),
            &summary.finished_at,
        )
    });
    if let Err(e) = marked {
        eprintln!("error: recording the source checks: {e}");
        summary.exit_code = exit::FATAL;
    }
    if let Err(e) = summary.write_files(&data) {
        eprintln!("error: writing the run summary to {}: {e}", data.display());
        summary.exit_code = exit::FATAL;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else if !args.quiet {
        println!("{summary}");
        if summary.dataset_written {
            println!("dataset: {}", out.join("reports.csv").display());
        }
    }
    if args.report && summary.dataset_written {
        // The page reads the summary just written to <data>/runs/last-summary.json.
        let fallback = serde_json::to_value(&summary).ok();
        let rc = crate::cmd_report::after(&out, &data, fallback);
        if rc != exit::OK && summary.exit_code == exit::OK {
            summary.exit_code = rc;
        }
    }
    if summary.exit_code != exit::OK && args.quiet {
        eprintln!(
            "nianbao crawl: exit code {} ({} of {} hosts failed)",
            summary.exit_code,
            summary.failed_hosts.len(),
            summary.hosts.len()
        );
    }
    Ok(summary.exit_code)
}

/// Rewrite the dataset, then close the parser workers it started.
fn refresh(
    data: &std::path::Path,
    out: &std::path::Path,
    opts: &nianbao_dataset::Options,
) -> Result<nianbao_dataset::DatasetStats, nianbao_dataset::DatasetError> {
    let built = nianbao_dataset::refresh_with(data, out, opts);
    nianbao_sandbox::shutdown();
    built
}
