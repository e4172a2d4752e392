//! `nianbao extract`: inputs in parallel through the ingest crate, then JSON to stdout or the
//! CSV dataset to a directory. One bad input never stops a batch: it becomes an error row and
//! the exit code (2) says that some inputs failed.

use crate::inputs::{collect, Input};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nianbao_extract::Report;
use nianbao_ingest::InputHint;
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
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
    /// Parse PDF and Office files in this process instead of a memory-capped child process
    /// (saves a few ms per document; an abort inside a parser then ends the whole batch).
    #[arg(long)]
    pub no_sandbox: bool,
}

fn error_report(source: String, err: String) -> Report {
    Report {
        source,
        error: Some(err),
        ..Default::default()
    }
}

type Fetched = std::collections::HashMap<String, Result<(Vec<u8>, InputHint), String>>;

fn read_input(input: &Input, fetched: &Fetched) -> Result<(Vec<u8>, InputHint), String> {
    match input {
        Input::File(p) => {
            crate::inputs::read_file(p).map(|b| (b, InputHint::file(p.display().to_string())))
        }
        Input::Stdin => crate::inputs::read_limited(
            std::io::stdin().lock(),
            "stdin",
            nianbao_text::Limits::DEFAULT.max_input_bytes,
        )
        .map(|b| (b, InputHint::file("-"))),
        Input::Url(u) => fetched
            .get(u)
            .cloned()
            .unwrap_or_else(|| Err(format!("{u} was not fetched"))),
        Input::Rejected { reason, .. } => Err(reason.clone()),
    }
}

/// Fetch a page once, politely (robots.txt, user agent, timeouts), archive the response in
/// the configured archive, and return its body.
fn fetch_url(url: &str, cfg: &nianbao_crawl::Config) -> Result<(Vec<u8>, InputHint), String> {
    let rec = nianbao_crawl::fetch_once_blocking(url, &cfg.storage.data, cfg)
        .map_err(|e| format!("cannot fetch {url}: {e}"))?;
    if rec.outcome != "ok" {
        let kind = rec.error_kind.as_deref().unwrap_or("");
        let status = rec
            .status
            .map(|s| format!(" (HTTP {s})"))
            .unwrap_or_default();
        return Err(format!(
            "cannot fetch {url}: {} {kind}{status}",
            rec.outcome
        ));
    }
    Ok((
        rec.body,
        InputHint {
            source: rec.final_url,
            content_type: rec.content_type,
            referrer: None,
        },
    ))
}

fn extract_one(
    input: &Input,
    fetched: &Fetched,
    isolation: &nianbao_sandbox::Isolation,
) -> (Vec<Report>, bool) {
    match read_input(input, fetched) {
        Ok((bytes, hint)) => match nianbao_sandbox::extract(&bytes, &hint, isolation) {
            Ok(r) if !r.is_empty() => (r, true),
            Ok(_) => (
                vec![error_report(input.name(), "no report found".into())],
                false,
            ),
            Err(e) => (vec![error_report(input.name(), e.reason)], false),
        },
        Err(e) => (vec![error_report(input.name(), e)], false),
    }
}

/// Run the command; returns the process exit code.
pub fn run(args: ExtractArgs) -> anyhow::Result<i32> {
    let inputs = collect(&args.inputs);
    if inputs.is_empty() {
        anyhow::bail!("no inputs found in {:?}", args.inputs);
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    }
    let cfg = if inputs.iter().any(|i| matches!(i, Input::Url(_))) && args.config.exists() {
        nianbao_crawl::Config::load(&args.config)
            .with_context(|| format!("bad configuration {}", args.config.display()))?
    } else {
        nianbao_crawl::Config::default()
    };
    // URLs are fetched first, one after another: the archive takes one writer at a time and
    // politeness wants one connection per host anyway.
    let mut fetched: Fetched = Fetched::new();
    for i in &inputs {
        if let Input::Url(u) = i {
            fetched
                .entry(u.clone())
                .or_insert_with(|| fetch_url(u, &cfg));
        }
    }
    // PDF and Office files are parsed in a child process so that an abort inside a parser
    // (an allocation failure is not a panic) costs one document, not the batch.
    let isolation = if args.no_sandbox {
        nianbao_sandbox::Isolation::InProcess
    } else {
        nianbao_sandbox::ChildConfig::current_exe()
            .map(nianbao_sandbox::Isolation::Child)
            .context("cannot find the nianbao executable for the parser process")?
    };
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
                let r = extract_one(i, &fetched, &isolation);
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    let failed = results.iter().filter(|(_, ok)| !ok).count();
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
                    "{}\t{}\t{}\t{}\t{}/{} cells\t{} failed checks{}",
                    r.source,
                    r.format.as_str(),
                    r.year.map(|y| y.to_string()).unwrap_or_else(|| "-".into()),
                    r.agency.as_deref().unwrap_or("-"),
                    found,
                    r.cells.len(),
                    failed_checks,
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
