//! `nianbao export`: rebuild the dataset from one or several web archives (no network).

use std::path::PathBuf;

/// A file format of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// CSV files (and `reports.do` for Stata) at the top of `--out`.
    Csv,
    /// Parquet files in `--out/parquet/`.
    Parquet,
    /// JSON Lines files in `--out/jsonl/`.
    Jsonl,
}

/// Column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum NamesArg {
    /// The column keys (`t3.new_received.total`).
    #[default]
    Long,
    /// Stata/SAS names, ≤ 32 characters (`t3_newrec_tot`; see codebook.csv `short_name`).
    Short,
}

/// How to split the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitArg {
    /// One file set per report year (`OUT/2023/…`).
    Year,
}

/// Dataset options shared by `export`, `crawl` and `extract --out`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DatasetArgs {
    /// Write a UTF-8 BOM into the CSV files (for Excel).
    #[arg(long)]
    pub bom: bool,
    /// Formats to write: csv, parquet, jsonl (repeat or comma-separate; default csv).
    #[arg(long = "formats", value_enum, value_delimiter = ',')]
    pub formats: Vec<FormatArg>,
    /// Column names in the files.
    #[arg(long, value_enum, default_value_t = NamesArg::Long)]
    pub names: NamesArg,
    /// Keep only reports on these years (repeat or comma-separate).
    #[arg(long = "year", value_delimiter = ',')]
    pub years: Vec<i32>,
    /// Keep only agencies of these provinces (as in the `province` column, e.g. 福建省).
    #[arg(long = "province", value_delimiter = ',')]
    pub provinces: Vec<String>,
    /// Keep only divisions of these levels: province, prefecture, county, township.
    #[arg(long = "level", value_delimiter = ',')]
    pub levels: Vec<String>,
    /// Write one file set per year.
    #[arg(long, value_enum)]
    pub split: Option<SplitArg>,
    /// Read quarantined documents again (those that crashed a parser or hit a limit).
    #[arg(long)]
    pub retry_poisoned: bool,
}

impl DatasetArgs {
    /// The dataset options (`bom` and each source's `division_code` also from the
    /// configuration). Archived PDF and Office documents are parsed in a memory-capped child
    /// process (this binary), so that an abort inside a parser costs one document.
    pub fn options(&self, cfg: &nianbao_crawl::Config) -> anyhow::Result<nianbao_dataset::Options> {
        use anyhow::Context;
        let child = nianbao_dataset::ChildConfig::current_exe()
            .context("cannot find the nianbao executable for the parser process")?;
        Ok(nianbao_dataset::Options {
            isolation: nianbao_dataset::Isolation::Child(child),
            retry_poisoned: self.retry_poisoned,
            bom: self.bom || cfg.storage.bom,
            formats: self
                .formats
                .iter()
                .map(|f| match f {
                    FormatArg::Csv => nianbao_dataset::FormatKind::Csv,
                    FormatArg::Parquet => nianbao_dataset::FormatKind::Parquet,
                    FormatArg::Jsonl => nianbao_dataset::FormatKind::Jsonl,
                })
                .collect(),
            names: match self.names {
                NamesArg::Short => nianbao_dataset::Names::Short,
                NamesArg::Long => nianbao_dataset::Names::Long,
            },
            years: self.years.clone(),
            provinces: self.provinces.clone(),
            levels: self.levels.clone(),
            split_year: self.split == Some(SplitArg::Year),
            source_divisions: cfg
                .sources
                .iter()
                .filter_map(|s| Some((s.name.clone(), s.division_code.clone()?)))
                .collect(),
        })
    }
}

/// Arguments of `nianbao export`.
#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// Data directory holding the archive (default: `[storage] data` of the config, else
    /// `data/crawl`). Repeat it to build one dataset from several archives (e.g. shards): for
    /// every URL every fetch across them in time order, as if one archive held their records.
    #[arg(long)]
    pub data: Vec<PathBuf>,
    /// Output directory (default: `[storage] out` of the config, else `out`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Configuration file to take the defaults from, if it exists.
    #[arg(long, default_value = "config.toml")]
    pub config: PathBuf,
    /// Same as --formats.
    #[arg(long = "format", value_enum, value_delimiter = ',')]
    pub format: Vec<FormatArg>,
    /// Dataset options.
    #[command(flatten)]
    pub dataset: DatasetArgs,
    /// Also write report.html into the output directory (see `nianbao report`).
    #[arg(long)]
    pub report: bool,
}

/// Rebuild the dataset files from the archive(s).
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
    let mut dataset = args.dataset;
    dataset.formats.extend(args.format);
    let opts = dataset.options(&cfg)?;
    let built = nianbao_dataset::export_many(&data, &out, &opts);
    nianbao_sandbox::shutdown();
    match built {
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
