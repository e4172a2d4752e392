//! nianbao-dataset: archive or files → reports → dataset.
//!
//! The crawler only fetches and archives; this crate reads the archive (or files), runs every
//! input through `nianbao_ingest`, and writes the dataset through `nianbao_export`. `nianbao
//! crawl` calls it after a crawl and `nianbao export` calls it on its own, so both produce
//! the same bytes from the same archive.

#![warn(missing_docs)]

mod archive_input;

pub use archive_input::{
    export, export_many, export_many_with, extract_archive, read_archives, refresh, refresh_with,
    write_dataset, ArchiveReading, DatasetStats, Extracted, PipelineError, Poisoned, ReadOptions,
    Statuses,
};
pub use nianbao_sandbox::{ChildConfig, Isolation};
