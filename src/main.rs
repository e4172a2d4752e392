//! `nianbao`: the command-line front end. Argument parsing and wiring only; the work is done
//! by the crates under `crates/`.

mod cmd_crawl;
mod cmd_export;
mod cmd_extract;
mod cmd_report;
mod cmd_verify;
mod inputs;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Turn Chinese government Open Government Information annual reports
/// (政府信息公开工作年度报告) into verified datasets.
#[derive(Parser)]
#[command(name = "nianbao", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    /// Check an archive: re-read every WARC record, compare digests with the index, find
    /// (or with --repair truncate) torn tails.
    Verify(cmd_verify::VerifyArgs),
    /// Write report.html: the dataset's coverage, timeliness, quality and last crawl.
    Report(cmd_report::ReportArgs),
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,nianbao_crawl=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => cmd_extract::run(args),
        Command::Crawl(args) => cmd_crawl::run(args),
        Command::Export(args) => cmd_export::run(args),
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
