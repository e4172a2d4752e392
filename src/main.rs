//! `nianbao`: the command-line front end. Argument parsing and wiring only; the work is done
//! by the crates under `crates/`.

mod cmd_crawl;
mod cmd_export;
mod cmd_extract;
mod cmd_report;
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
    /// Write report.html: the dataset's coverage, timeliness, quality and last crawl.
    Report(cmd_report::ReportArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,nianbao_crawl=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // The national formats are data compiled into the binary; a broken file is a build
    // mistake that must stop the program before it writes empty cells.
    if let Err(e) = nianbao_extract::Extractor::bundled() {
        eprintln!("nianbao: error: {e}");
        return ExitCode::from(1);
    }
    let result = match cli.command {
        Command::Extract(args) => cmd_extract::run(args),
        Command::Crawl(args) => cmd_crawl::run(args),
        Command::Export(args) => cmd_export::run(args),
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
