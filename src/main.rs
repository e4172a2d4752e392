//! `nianbao`: the command-line front end. Argument parsing and wiring only; the work is done
//! by the crates under `crates/`.

mod cmd_extract;
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
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => cmd_extract::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("nianbao: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
