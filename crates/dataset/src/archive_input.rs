//! Archived report pages and attachments → `nianbao_ingest::extract_bytes` →
//! `nianbao_export::write_dataset`. The dataset is always rebuilt from the archive alone
//! (latest successful copy of every report and attachment URL, in URL order), so
//! `nianbao crawl` and `nianbao export` produce the same bytes.

use nianbao_archive::{Archive, ArchiveError};
use nianbao_extract::Report;
use nianbao_ingest::InputHint;
use std::path::Path;

/// Errors of the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Reading the archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// Writing the dataset failed.
    #[error("writing dataset: {0}")]
    Export(#[from] nianbao_export::ExportError),
    /// The output directory could not be created.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// What a dataset build did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetStats {
    /// Archived inputs read (report pages and attachments).
    pub inputs: usize,
    /// Reports written.
    pub reports: usize,
    /// Inputs that could not be read (the report row then carries `error`).
    pub errors: usize,
    /// Quarantined documents `(url, reason)`: newly poisoned or skipped as poisoned.
    pub quarantined: Vec<(String, String)>,
}

/// Reports plus the `(record id, extraction status)` of every input.
pub type Extracted = (Vec<Report>, Vec<(i64, String)>);

/// How archived inputs are read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Where PDF and Office documents are parsed: the `nianbao` binary passes a child
    /// process, so that an abort inside a parser costs one document, not the run.
    pub isolation: nianbao_sandbox::Isolation,
    /// Read quarantined documents again (`--retry-poisoned`) instead of skipping them.
    pub retry_poisoned: bool,
}

/// An archived document whose reading crashed a parser, exhausted a limit or timed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poisoned {
    /// Index row of the response.
    pub record_id: i64,
    /// URL.
    pub url: String,
    /// SHA-256 of the payload (the quarantine key).
    pub sha256: String,
    /// Why.
    pub reason: String,
    /// False when it was already quarantined and skipped this time.
    pub new: bool,
}

/// What reading the archive gave.
#[derive(Debug, Clone, Default)]
pub struct ArchiveReading {
    /// Reports (error rows included).
    pub reports: Vec<Report>,
    /// `(record id, extraction status)` of every input.
    pub statuses: Vec<(i64, String)>,
    /// Documents quarantined (newly, or skipped because they already were).
    pub poisoned: Vec<Poisoned>,
    /// Quarantined documents read successfully on a retry (to release).
    pub recovered: Vec<String>,
}

/// Extract every archived report. Returns the reports and `(record id, status)` pairs.
pub fn extract_archive(archive: &Archive) -> Result<Extracted, ArchiveError> {
    let r = read_archive(archive, &ReadOptions::default())?;
    Ok((r.reports, r.statuses))
}

/// Extract every archived report, parsing documents as `opts` says and skipping quarantined
/// ones unless retrying them.
pub fn read_archive(archive: &Archive, opts: &ReadOptions) -> Result<ArchiveReading, ArchiveError> {
    let rows = archive
        .index()
        .latest_ok_by_role(&["report", "attachment"])?;
    let mut out = ArchiveReading::default();
    let (reports, statuses) = (&mut out.reports, &mut out.statuses);
    for row in &rows {
        let provenance = serde_json::json!({
            "url": row.url,
            "fetched_at": row.fetched_at,
            "sha256": row.payload_sha256,
            "warc_file": row.warc_file,
            "warc_offset": row.warc_offset,
            "referrer": row.referrer,
        });
        let error_row = |error: String| Report {
            source: row.url.clone(),
            error: Some(error),
            provenance: Some(provenance.clone()),
            ..Default::default()
        };
        let sha = row.payload_sha256.clone().unwrap_or_default();
        let was_quarantined = if sha.is_empty() {
            None
        } else {
            archive.index().quarantined(&sha)?
        };
        if let (Some(q), false) = (&was_quarantined, opts.retry_poisoned) {
            statuses.push((row.id, format!("quarantined: {}", q.reason)));
            reports.push(error_row(format!(
                "quarantined since {} (not read again; --retry-poisoned reads it): {}",
                q.first_seen, q.reason
            )));
            out.poisoned.push(Poisoned {
                record_id: row.id,
                url: row.url.clone(),
                sha256: sha,
                reason: q.reason.clone(),
                new: false,
            });
            continue;
        }
        let stored = match archive.read_response(row) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(url = %row.url, error = %e, "cannot read archived record");
                statuses.push((row.id, format!("error: {e}")));
                continue;
            }
        };
        let hint = InputHint {
            source: row.url.clone(),
            content_type: row.content_type.clone(),
            referrer: row.referrer.clone(),
        };
        let attachments: Vec<String> = rows
            .iter()
            .filter(|r| r.role == "attachment" && r.referrer.as_deref() == Some(&row.url))
            .map(|r| r.url.clone())
            .collect();
        match nianbao_sandbox::extract(&stored.http.body, &hint, &opts.isolation) {
            Ok(mut found) => {
                if was_quarantined.is_some() {
                    out.recovered.push(sha);
                }
                statuses.push((row.id, format!("ok:{}", found.len())));
                for r in &mut found {
                    if r.provenance.is_none() {
                        r.provenance = Some(provenance.clone());
                    }
                    for a in &attachments {
                        if !r.attachments.contains(a) {
                            r.attachments.push(a.clone());
                        }
                    }
                }
                reports.extend(found);
            }
            Err(e) => {
                statuses.push((row.id, format!("error: {e}")));
                reports.push(error_row(e.reason.clone()));
                if e.poison && !sha.is_empty() {
                    tracing::warn!(url = %row.url, reason = %e.reason, "document quarantined");
                    out.poisoned.push(Poisoned {
                        record_id: row.id,
                        url: row.url.clone(),
                        sha256: sha,
                        reason: e.reason,
                        new: true,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Rebuild the dataset in `out_dir` from the archive; when `record_status` is set (the
/// archive is writable) the extraction status of each input is stored in the index.
pub fn write_dataset(
    archive: &Archive,
    out_dir: &Path,
    bom: bool,
    record_status: bool,
) -> Result<DatasetStats, PipelineError> {
    write_dataset_with(
        archive,
        out_dir,
        bom,
        record_status,
        &ReadOptions::default(),
    )
}

/// [`write_dataset`] with read options; when the archive is writable, newly poisoned
/// documents are quarantined in its index and recovered ones released.
pub fn write_dataset_with(
    archive: &Archive,
    out_dir: &Path,
    bom: bool,
    record_status: bool,
    opts: &ReadOptions,
) -> Result<DatasetStats, PipelineError> {
    let reading = read_archive(archive, opts)?;
    let statuses = reading.statuses;
    // A page and its attachment holding the same report are one row (the better reading).
    let reports = nianbao_export::merge_alternatives(reading.reports);
    if record_status {
        for (id, st) in &statuses {
            archive.index().set_extraction(*id, st)?;
        }
        for p in reading.poisoned.iter().filter(|p| p.new) {
            archive
                .index()
                .quarantine(&p.sha256, &p.url, &p.reason, Some(p.record_id))?;
        }
        for sha in &reading.recovered {
            archive.index().release(sha)?;
        }
    }
    nianbao_export::write_dataset(&reports, out_dir, &nianbao_export::ExportOptions { bom })?;
    Ok(DatasetStats {
        inputs: statuses.len(),
        reports: reports.iter().filter(|r| r.error.is_none()).count(),
        errors: statuses
            .iter()
            .filter(|(_, s)| s.starts_with("error") || s.starts_with("quarantined"))
            .count(),
        quarantined: reading
            .poisoned
            .into_iter()
            .map(|p| (p.url, p.reason))
            .collect(),
    })
}

/// Rebuild the dataset from the archive in `data_dir` without network (`nianbao export`).
/// The archive is opened read-only and the extraction status is not recorded.
pub fn export(data_dir: &Path, out_dir: &Path, bom: bool) -> Result<DatasetStats, PipelineError> {
    export_with(data_dir, out_dir, bom, &ReadOptions::default())
}

/// [`export`] with read options.
pub fn export_with(
    data_dir: &Path,
    out_dir: &Path,
    bom: bool,
    opts: &ReadOptions,
) -> Result<DatasetStats, PipelineError> {
    let archive = Archive::open_read_only(data_dir)?;
    create_out(out_dir)?;
    write_dataset_with(&archive, out_dir, bom, false, opts)
}

/// Refresh the dataset after a crawl: like [`export`], but the archive is opened for writing
/// and the extraction status of every input is recorded in its index.
pub fn refresh(data_dir: &Path, out_dir: &Path, bom: bool) -> Result<DatasetStats, PipelineError> {
    refresh_with(data_dir, out_dir, bom, &ReadOptions::default())
}

/// [`refresh`] with read options (quarantine is recorded in the index).
pub fn refresh_with(
    data_dir: &Path,
    out_dir: &Path,
    bom: bool,
    opts: &ReadOptions,
) -> Result<DatasetStats, PipelineError> {
    let archive = Archive::open(data_dir)?;
    create_out(out_dir)?;
    write_dataset_with(&archive, out_dir, bom, true, opts)
}

fn create_out(out_dir: &Path) -> Result<(), PipelineError> {
    std::fs::create_dir_all(out_dir).map_err(|e| PipelineError::Io {
        path: out_dir.display().to_string(),
        source: e,
    })
}
