//! `nianbao`: the command-line front end. Argument parsing and wiring only; the work is done
//! by the crates under `crates/`.

mod cmd_crawl;
mod cmd_diff;
mod cmd_export;
mod cmd_extract;
mod cmd_report;
mod cmd_verify;
mod extract_url;
mod inputs;

use clap::{Parser, Subcommand};

// Extraction allocates many small strings and maps; mimalloc is faster at that than the
// system allocator (see the README's speed table).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

/// Turn Chinese government Open Government Information annual reports
/// (政府信息公开工作年度报告) into verified datasets.
#[derive(Parser)]
#[command(name = "nianbao", version, about, long_about = None)]
struct Cli {
    /// Only errors on stderr; no progress bar, no summary table.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// More log detail (-v: debug for nianbao, -vv: debug for everything, -vvv: trace).
    /// `RUST_LOG` overrides both.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Log format on stderr: `text` (coloured only on a terminal without `NO_COLOR`) or
    /// `json` (one object per line, for log collectors).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Extract the national tables from files, directories, URLs or stdin (`-`).
    Extract(cmd_extract::ExtractArgs),
    /// Crawl the configured sources: discover, fetch politely, archive (WARC + SQLite),
    /// extract, and refresh the dataset.
    Crawl(cmd_crawl::CrawlArgs),
    /// Rebuild the dataset from the archive alone, without network.
    Export(cmd_export::ExportArgs),
    /// Show which cells changed between two versions of a report.
    Diff(cmd_diff::DiffArgs),
    /// Check an archive: re-read every WARC record, compare digests with the index, find
    /// (or with --repair truncate) torn tails.
    Verify(cmd_verify::VerifyArgs),
    /// Write report.html: the dataset's coverage, timeliness, quality and last crawl.
    Report(cmd_report::ReportArgs),
}

/// Log filter for the flags (`RUST_LOG`, when set, wins).
fn log_filter(quiet: bool, verbose: u8) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn,nianbao_crawl=info,nianbao=info",
        (false, 1) => {
            "info,nianbao=debug,nianbao_crawl=debug,nianbao_archive=debug,nianbao_dataset=debug"
        }
        (false, 2) => "debug",
        _ => "trace",
    }
}

/// Colour only for a person at a terminal: not in files, pipes or journald, and never
/// when `NO_COLOR` is set to anything (https://no-color.org).
fn use_colour() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn init_logs(cli: &Cli) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(log_filter(cli.quiet, cli.verbose)));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Json => builder.json().with_ansi(false).init(),
        LogFormat::Text => builder.with_ansi(use_colour()).init(),
    }
}

fn main() -> ExitCode {
    // The parser child (see nianbao-sandbox): no logging, no argument parser, just the work.
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some(nianbao_sandbox::CHILD_SUBCOMMAND) {
        let code = match nianbao_sandbox::ChildArgs::parse(&argv[1..]) {
            Ok(a) => nianbao_sandbox::child_main(&a),
            Err(e) => {
                eprintln!("nianbao: {e}");
                2
            }
        };
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    let cli = Cli::parse();
    init_logs(&cli);
    // The national formats are data compiled into the binary; a broken file is a build
    // mistake that must stop the program before it writes empty cells.
    if let Err(e) = nianbao_extract::Extractor::bundled() {
        eprintln!("nianbao: error: {e}");
        return ExitCode::from(1);
    }
    let result = match cli.command {
        Command::Extract(args) => cmd_extract::run(args),
        Command::Crawl(mut args) => {
            args.quiet = cli.quiet;
            // A JSON log is for machines: no progress bar drawn over it.
            args.no_progress = cli.quiet || cli.log_format == LogFormat::Json;
            cmd_crawl::run(args)
        }
        Command::Export(args) => cmd_export::run(args),
        Command::Diff(args) => cmd_diff::run(args),
        Command::Verify(args) => cmd_verify::run(args),
        Command::Report(args) => cmd_report::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("nianbao: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
