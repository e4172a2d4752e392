//! Dataset writers (work in progress).
use nianbao_extract::Report;
use std::path::Path;

/// Options for the CSV dataset.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Write a UTF-8 byte-order mark so that Excel opens the files correctly.
    pub bom: bool,
}

/// Error writing the dataset.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// File system error.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Write `reports.csv`, `cells.csv`, `checks.csv` and `codebook.csv` into `out_dir`.
pub fn write_dataset(reports: &[Report], out_dir: &Path, opts: &ExportOptions) -> Result<(), ExportError> {
    let _ = (reports, out_dir, opts);
    Ok(())
}
