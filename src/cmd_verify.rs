//! `nianbao verify`: re-read every archived record and check it against its digests and the
//! index; report (or with `--repair`, truncate) torn tails.

use std::path::PathBuf;

/// Arguments of `nianbao verify`.
#[derive(clap::Args, Debug, Clone)]
pub struct VerifyArgs {
    /// Data directory holding the archive (default: `[storage] data` of the config).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Truncate torn tails (bytes after the last committed record). Takes the archive's
    /// writer lock, so it refuses to run during a crawl.
    #[arg(long)]
    pub repair: bool,
    /// Configuration file to take the default data directory from, if it exists.
    #[arg(long, default_value = "config.toml")]
    pub config: PathBuf,
}

/// Exit code 0 when the archive is intact (after repairs), 1 when problems remain or the
/// archive cannot be read, 2 for a bad configuration.
pub fn run(args: VerifyArgs) -> anyhow::Result<i32> {
    let data = match args.data {
        Some(d) => d,
        None if args.config.exists() => match nianbao_crawl::Config::load(&args.config) {
            Ok(c) => c.storage.data,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(2);
            }
        },
        None => nianbao_crawl::Config::default().storage.data,
    };
    match nianbao_archive::verify(&data, args.repair) {
        Ok(report) => {
            println!("{report}");
            Ok(if report.ok() { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("error: {}: {e}", data.display());
            Ok(1)
        }
    }
}
