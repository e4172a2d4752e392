//! `nianbao extract`: inputs in parallel through the ingest crate, then JSON to stdout or the
//! CSV dataset to a directory. One bad input never stops a batch: it becomes an error row and
//! the exit code (2) says that some inputs failed.

use crate::inputs::{collect, Input};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nianbao_extract::Report;
use nianbao_ingest::{extract_bytes, InputHint};
use rayon::prelude::*;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

/// Output format for stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// A JSON array with one object per report (the public contract, see the README).
    Json,
    /// One line per report: source, format, year, agency, cells found, failed checks.
    Summary,
}

/// Arguments of `nianbao extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Files, directories (walked recursively), URLs, or `-` for standard input.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// What to print on stdout (default: json, or summary when --out is given).
    #[arg(long, value_enum)]
    pub format: Option<OutFormat>,
    /// Write the dataset (reports.csv, cells.csv, checks.csv, codebook.csv) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Start CSV files with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    pub bom: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Configuration used when an input is a URL (politeness, user agent, archive dir); the
    /// built-in defaults apply when the file does not exist.
    #[arg(long, default_value = "config.toml")]
    pub config: PathBuf,
    /// Fetch URLs on private or local addresses (127.0.0.1, 10.x, ...), refused by default.
    #[arg(long)]
    pub allow_private: bool,
    /// Re-extract URLs from the newest copy in the archive, without network.
    #[arg(long)]
    pub from_archive: bool,
}

fn error_report(source: String, err: String) -> Report {
    Report {
        source,
        error: Some(err),
        ..Default::default()
    }
}

/// The reports of every URL input (page and attachments), extracted before the batch.
type Fetched = std::collections::HashMap<String, Result<Vec<Report>, String>>;

fn read_input(input: &Input) -> Result<(Vec<u8>, InputHint), String> {
    match input {
        Input::File(p) => std::fs::read(p)
            .map(|b| (b, InputHint::file(p.display().to_string())))
            .map_err(|e| format!("cannot read {}: {e}", p.display())),
        Input::Stdin => {
            let mut b = Vec::new();
            std::io::stdin()
                .read_to_end(&mut b)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            Ok((b, InputHint::file("-")))
        }
        Input::Url(u) => Err(format!("{u} was not fetched")),
    }
}

fn extract_one(input: &Input, fetched: &Fetched) -> (Vec<Report>, bool) {
    if let Input::Url(u) = input {
        return match fetched.get(u) {
            Some(Ok(r)) => (r.clone(), r.iter().all(|r| r.error.is_none())),
            Some(Err(e)) => (vec![error_report(input.name(), e.clone())], false),
            None => (
                vec![error_report(input.name(), format!("{u} was not fetched"))],
                false,
            ),
        };
    }
    match read_input(input) {
        Ok((bytes, hint)) => match extract_bytes(&bytes, &hint) {
            Ok(r) if !r.is_empty() => (r, true),
            Ok(_) => (
                vec![error_report(input.name(), "no report found".into())],
                false,
            ),
            Err(e) => (vec![error_report(input.name(), e.to_string())], false),
        },
        Err(e) => (vec![error_report(input.name(), e)], false),
    }
}

/// Run the command; returns the process exit code.
pub fn run(args: ExtractArgs) -> anyhow::Result<i32> {
    let (inputs, walk_errors) = collect(&args.inputs);
    for e in &walk_errors {
        eprintln!("nianbao: {e}");
    }
    if inputs.is_empty() {
        anyhow::bail!("no inputs found in {:?}", args.inputs);
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    }
    let mut cfg = if inputs.iter().any(|i| matches!(i, Input::Url(_))) && args.config.exists() {
        nianbao_crawl::Config::load(&args.config)
            .with_context(|| format!("bad configuration {}", args.config.display()))?
    } else {
        nianbao_crawl::Config::default()
    };
    cfg.crawl.allow_private_addresses |= args.allow_private;
    let fetched = crate::extract_url::extract_urls(&inputs, &cfg, args.from_archive)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let bar = ProgressBar::new(inputs.len() as u64);
    if std::io::stderr().is_terminal() && inputs.len() >= 20 {
        bar.set_style(ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} reports ({per_sec}, eta {eta})").unwrap_or_else(|_| ProgressStyle::default_bar()));
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let results: Vec<(Vec<Report>, bool)> = pool.install(|| {
        inputs
            .par_iter()
            .map(|i| {
                let r = extract_one(i, &fetched);
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    let failed = results.iter().filter(|(_, ok)| !ok).count() + walk_errors.len();
    let reports: Vec<Report> = results.into_iter().flat_map(|(r, _)| r).collect();
    for r in reports.iter().filter(|r| r.error.is_some()) {
        eprintln!(
            "nianbao: {}: {}",
            r.source,
            r.error.as_deref().unwrap_or("")
        );
    }
    if let Some(dir) = &args.out {
        nianbao_export::write_dataset(
            &reports,
            dir,
            &nianbao_export::ExportOptions { bom: args.bom },
        )
        .with_context(|| format!("cannot write the dataset to {}", dir.display()))?;
    }
    let format = args.format.unwrap_or(if args.out.is_some() {
        OutFormat::Summary
    } else {
        OutFormat::Json
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        OutFormat::Json => {
            serde_json::to_writer(&mut out, &reports).context("cannot write JSON")?;
            writeln!(out)?;
        }
        OutFormat::Summary => {
            for r in &reports {
                let found = r.cells.values().filter(|v| v.is_some()).count();
                let failed_checks = r.checks.iter().filter(|c| !c.holds).count();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}/{} cells\t{} failed checks{}{}",
                    r.source,
                    r.format.as_str(),
                    r.year.map(|y| y.to_string()).unwrap_or_else(|| "-".into()),
                    r.agency.as_deref().unwrap_or("-"),
                    found,
                    r.cells.len(),
                    failed_checks,
                    crate::extract_url::why_no_cells(r)
                        .map(|w| format!("\tno cells: {w}"))
                        .unwrap_or_default(),
                    r.error
                        .as_deref()
                        .map(|e| format!("\terror: {e}"))
                        .unwrap_or_default()
                )?;
            }
            if let Some(dir) = &args.out {
                writeln!(
                    out,
                    "{} reports ({} failed) written to {}",
                    reports.len(),
                    failed,
                    dir.display()
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if failed > 0 { 2 } else { 0 })
}
