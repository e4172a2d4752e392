//! `nianbao extract`: inputs in parallel through the ingest crate, then JSON to stdout or the
//! CSV dataset to a directory. One bad input never stops a batch: it becomes an error row and
//! the exit code (2) says that some inputs failed.

use crate::inputs::{collect, Input};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nianbao_extract::Report;
use nianbao_ingest::InputHint;
use nianbao_sandbox::Isolation;
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
    /// Write the dataset (reports.csv, cells.csv, checks.csv, coverage.csv, versions.csv,
    /// codebook.csv, …) into DIR, through the same dataset step as `nianbao export`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Dataset options (with --out).
    #[command(flatten)]
    pub dataset: crate::cmd_export::DatasetArgs,
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

/// Reports of the URL inputs, read before the batch (a page with its attachments, see
/// `extract_url`).
type Fetched = std::collections::HashMap<String, Result<Vec<Report>, String>>;

fn read_input(input: &Input) -> Result<(Vec<u8>, InputHint), String> {
    match input {
        Input::File(p) => {
            crate::inputs::read_file(p).map(|b| (b, InputHint::file(p.display().to_string())))
        }
        // Bounded like a file: a stream that never ends is refused, not read into memory.
        Input::Stdin => crate::inputs::read_limited(
            std::io::stdin().lock(),
            "stdin",
            nianbao_text::Limits::DEFAULT.max_input_bytes,
        )
        .map(|b| (b, InputHint::file("-"))),
        Input::Url(u) => Err(format!("{u} was not fetched")),
        Input::Rejected { reason, .. } => Err(reason.clone()),
    }
}

/// One input read: its SHA-256 (when readable) and its reports, or why it failed.
struct Extracted {
    sha256: Option<String>,
    result: Result<Vec<Report>, String>,
}

fn extract_one(input: &Input, fetched: &Fetched, hash: bool, isolation: &Isolation) -> Extracted {
    if let Input::Url(u) = input {
        return Extracted {
            sha256: None,
            result: fetched
                .get(u)
                .cloned()
                .unwrap_or_else(|| Err(format!("{u} was not fetched"))),
        };
    }
    match read_input(input) {
        Ok((bytes, hint)) => Extracted {
            sha256: hash.then(|| nianbao_dataset::sha256_hex(&bytes)),
            result: match nianbao_sandbox::extract(&bytes, &hint, isolation) {
                Ok(r) if !r.is_empty() => Ok(r),
                Ok(_) => Err("no report found".into()),
                Err(e) => Err(e.reason),
            },
        },
        Err(e) => Extracted {
            sha256: None,
            result: Err(e),
        },
    }
}

/// Inputs extracted in parallel per chunk, then printed and added to the dataset in input
/// order, so memory holds one chunk of reports, not the whole batch.
const CHUNK: usize = 64;

/// Run the command; returns the process exit code.
pub fn run(args: ExtractArgs) -> anyhow::Result<i32> {
    let inputs = collect(&args.inputs);
    if inputs.is_empty() {
        anyhow::bail!("no inputs found in {:?}", args.inputs);
    }
    let mut dataset = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create output directory {}", dir.display()))?;
            Some(
                nianbao_dataset::Builder::new(
                    dir,
                    &args.dataset.options(&nianbao_crawl::Config::default())?,
                    false,
                )
                .with_context(|| format!("cannot write the dataset to {}", dir.display()))?,
            )
        }
        None => None,
    };
    let mut cfg = if inputs.iter().any(|i| matches!(i, Input::Url(_))) && args.config.exists() {
        nianbao_crawl::Config::load(&args.config)
            .with_context(|| format!("bad configuration {}", args.config.display()))?
    } else {
        nianbao_crawl::Config::default()
    };
    cfg.crawl.allow_private_addresses |= args.allow_private;
    let fetched: Fetched = crate::extract_url::extract_urls(&inputs, &cfg, args.from_archive)?;
    // PDF and Office files are parsed in a child process so that an abort inside a parser
    // (an allocation failure is not a panic) costs one document, not the batch.
    let isolation = if args.no_sandbox {
        Isolation::InProcess
    } else {
        nianbao_sandbox::ChildConfig::current_exe()
            .map(Isolation::Child)
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
    let format = args.format.unwrap_or(if args.out.is_some() {
        OutFormat::Summary
    } else {
        OutFormat::Json
    });
    let stdout = std::io::stdout();
    // A large buffer: the JSON of a batch is megabytes, written in fewer system calls.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut failed = 0usize;
    let mut count = 0usize;
    if format == OutFormat::Json {
        out.write_all(b"[")?;
    }
    let hash = dataset.is_some();
    for chunk in inputs.chunks(CHUNK) {
        let results: Vec<Extracted> = pool.install(|| {
            chunk
                .par_iter()
                .map(|i| {
                    let r = extract_one(i, &fetched, hash, &isolation);
                    bar.inc(1);
                    r
                })
                .collect()
        });
        for (input, x) in chunk.iter().zip(results) {
            let reports = match &x.result {
                Ok(_) => Vec::new(),
                Err(e) => vec![error_report(input.name(), e.clone())],
            };
            let reports: &[Report] = match &x.result {
                Ok(r) => r,
                Err(_) => {
                    failed += 1;
                    &reports
                }
            };
            for r in reports.iter().filter(|r| r.error.is_some()) {
                bar.suspend(|| {
                    eprintln!(
                        "nianbao: {}: {}",
                        r.source,
                        r.error.as_deref().unwrap_or("")
                    )
                });
            }
            match format {
                OutFormat::Json => {
                    for r in reports {
                        if count > 0 {
                            out.write_all(b",")?;
                        }
                        serde_json::to_writer(&mut out, r).context("cannot write JSON")?;
                        count += 1;
                    }
                }
                OutFormat::Summary => {
                    for r in reports {
                        summary_line(&mut out, r)?;
                        count += 1;
                    }
                }
            }
            if let Some(d) = dataset.as_mut() {
                d.add_file(&input.name(), x.sha256, x.result)
                    .context("cannot write the dataset")?;
            }
        }
    }
    bar.finish_and_clear();
    if format == OutFormat::Json {
        out.write_all(b"]\n")?;
    }
    if let (Some(d), Some(dir)) = (dataset, &args.out) {
        d.finish()
            .with_context(|| format!("cannot write the dataset to {}", dir.display()))?;
        if format == OutFormat::Summary {
            writeln!(
                out,
                "{count} reports ({failed} failed) written to {}",
                dir.display()
            )?;
        }
    }
    out.flush()?;
    // The parser workers exit and are waited for (their resource use counts as ours).
    nianbao_sandbox::shutdown();
    Ok(if failed > 0 { 2 } else { 0 })
}

fn summary_line(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
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
    )
}
