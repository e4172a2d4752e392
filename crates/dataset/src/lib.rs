//! # nianbao-dataset: archive or files → reports → dataset
//!
//! The crawler only fetches and archives; this crate reads one or several archives (or local
//! files), runs every input through `nianbao_ingest`, and writes the dataset researchers open:
//!
//! | file | content |
//! |---|---|
//! | `reports` | one row per report: metadata, agency identity, provenance, every cell key |
//! | `cells` | the long form: report id, key, value, raw text, flags |
//! | `checks` | identities I1-I4 per report and the cross-year check X1 |
//! | `coverage` | one row per agency and year known: found or why not, deadline, late |
//! | `versions` | every version of every report (a site's corrections) |
//! | `codebook` | every column of every file, flags and check ids, in Chinese and English, with Stata/SAS short names |
//!
//! in CSV (plus `reports.do` for Stata), Parquet (`parquet/`) and JSON Lines (`jsonl/`), all
//! through one writer seam ([`sink`]). Extracted reports wait in a temporary SQLite store
//! ([`spill`]), so memory does not grow with the number of reports. One writer at a time
//! holds the output folder and a new dataset replaces the old one in one step ([`publish`]).
//! `nianbao crawl` calls [`refresh`] after a crawl, `nianbao export` calls [`export_many`],
//! `nianbao extract --out` uses a [`Builder`] on files: the same step, the same bytes.

#![warn(missing_docs)]

mod build;
pub mod columns;
mod coverage;
pub mod csv_out;
mod diff;
mod error;
pub mod identity;
pub mod jsonl_out;
pub mod keys;
pub mod names;
mod output;
pub mod parquet_out;
pub mod publish;
pub mod sink;
mod spill;
mod stata;
mod write;

pub use build::Builder;
pub use columns::Names;
pub use coverage::deadline;
pub use diff::{diff, CellChange, Diff, VersionInfo};
pub use error::DatasetError;
pub use nianbao_sandbox::{ChildConfig, Isolation};

use nianbao_archive::Archive;
use std::collections::BTreeMap;
use std::path::Path;

/// Former name of [`DatasetError`].
pub type PipelineError = DatasetError;

/// A file format of the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FormatKind {
    /// `*.csv` at the top of the folder (and `reports.do`).
    Csv,
    /// `parquet/*.parquet`.
    Parquet,
    /// `jsonl/*.jsonl`.
    Jsonl,
}

/// How to write the dataset.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Start CSV files with a UTF-8 byte-order mark (Excel).
    pub bom: bool,
    /// Formats to write (empty: CSV only).
    pub formats: Vec<FormatKind>,
    /// Column names: keys or Stata/SAS short names.
    pub names: Names,
    /// Keep only these report years (empty: all).
    pub years: Vec<i32>,
    /// Keep only these provinces (empty: all).
    pub provinces: Vec<String>,
    /// Keep only these division levels (empty: all).
    pub levels: Vec<String>,
    /// One file set per year (`OUT/2023/…`).
    pub split_year: bool,
    /// `division_code` of each crawl source, by source name (from the configuration).
    pub source_divisions: BTreeMap<String, String>,
    /// Where archived PDF and Office documents are parsed: the `nianbao` binary passes a
    /// child process, so that an abort inside a parser costs one document, not the run.
    pub isolation: Isolation,
    /// Read quarantined documents again (`--retry-poisoned`) instead of skipping them.
    pub retry_poisoned: bool,
}

/// What a dataset build did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetStats {
    /// Inputs read (archived fetches with distinct content, or files).
    pub inputs: usize,
    /// Report rows written (without the error rows).
    pub reports: usize,
    /// Inputs that could not be read (the report row then carries `error`), quarantined
    /// ones included.
    pub errors: usize,
    /// Quarantined documents `(url, reason)`: newly poisoned, or skipped as poisoned.
    pub quarantined: Vec<(String, String)>,
}

fn build_from(
    archives: &[&Archive],
    out_dir: &Path,
    opts: &Options,
    record_status: bool,
) -> Result<DatasetStats, DatasetError> {
    let mut b = Builder::new(out_dir, opts, true)?;
    b.load_archives(archives)?;
    b.extract_archives(archives, record_status)?;
    b.listed_failures(archives)?;
    b.finish()
}

/// Rebuild the dataset from the archive in `data_dir` without network (`nianbao export`).
pub fn export(data_dir: &Path, out_dir: &Path, bom: bool) -> Result<DatasetStats, DatasetError> {
    export_many(
        &[data_dir],
        out_dir,
        &Options {
            bom,
            ..Default::default()
        },
    )
}

/// Build one dataset from several archives (e.g. the shards of a sharded crawl), opened
/// read-only. The result is the dataset of one archive holding all their records: for every
/// URL every fetch across the archives in time order, rows in the same deterministic order.
pub fn export_many<P: AsRef<Path>>(
    data_dirs: &[P],
    out_dir: &Path,
    opts: &Options,
) -> Result<DatasetStats, DatasetError> {
    let archives = data_dirs
        .iter()
        .map(|d| Archive::open_read_only(d.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&Archive> = archives.iter().collect();
    build_from(&refs, out_dir, opts, false)
}

/// Refresh the dataset after a crawl: like [`export`], but the archive is opened for writing
/// and the extraction status of every input is recorded in its index.
pub fn refresh(data_dir: &Path, out_dir: &Path, bom: bool) -> Result<DatasetStats, DatasetError> {
    refresh_with(
        data_dir,
        out_dir,
        &Options {
            bom,
            ..Default::default()
        },
    )
}

/// [`refresh`] with all options.
pub fn refresh_with(
    data_dir: &Path,
    out_dir: &Path,
    opts: &Options,
) -> Result<DatasetStats, DatasetError> {
    let archive = Archive::open(data_dir)?;
    build_from(&[&archive], out_dir, opts, true)
}

/// Hex SHA-256 of bytes (the digest used in the `sha256` column).
pub fn sha256_hex(bytes: &[u8]) -> String {
    nianbao_archive::warc::sha256_hex(bytes)
}
