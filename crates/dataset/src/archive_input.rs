//! Archived report pages and attachments → `nianbao_sandbox::extract` (`nianbao_ingest` in
//! a child process for PDF and Office files) →
//! `nianbao_export::write_dataset`. The dataset is always rebuilt from the archive alone
//! (latest successful copy of every report and attachment URL, in URL order), so
//! `nianbao crawl` and `nianbao export` produce the same bytes.

use nianbao_archive::{Archive, ArchiveError, RecordRow};
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
    /// Which of the archives read holds it.
    pub archive: usize,
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

/// What reading the archives gave.
#[derive(Debug, Clone, Default)]
pub struct ArchiveReading {
    /// Reports (error rows included).
    pub reports: Vec<Report>,
    /// `(archive number, record id, extraction status)` of every input.
    pub statuses: Statuses,
    /// Documents quarantined (newly, or skipped because they already were).
    pub poisoned: Vec<Poisoned>,
    /// `(archive number, SHA-256)` of quarantined documents read successfully on a retry.
    pub recovered: Vec<(usize, String)>,
}

/// One archived input chosen for the dataset: which archive holds it and its index row.
struct Chosen {
    archive: usize,
    row: RecordRow,
}

/// The latest successful report and attachment record of every URL across `archives`, in
/// URL order. Within one archive the latest is the last stored; across archives the latest
/// fetch wins (then the later archive), which is what one archive holding all those records
/// would give.
fn choose_inputs(archives: &[&Archive]) -> Result<Vec<Chosen>, ArchiveError> {
    let mut by_url: std::collections::BTreeMap<String, Chosen> = Default::default();
    for (i, a) in archives.iter().enumerate() {
        for row in a.index().latest_ok_by_role(&["report", "attachment"])? {
            let newer = by_url.get(&row.url).is_none_or(|c| {
                (row.fetched_at.as_str(), i) > (c.row.fetched_at.as_str(), c.archive)
            });
            if newer {
                by_url.insert(row.url.clone(), Chosen { archive: i, row });
            }
        }
    }
    Ok(by_url.into_values().collect())
}

/// Extract every archived report. Returns the reports and `(record id, status)` pairs.
pub fn extract_archive(archive: &Archive) -> Result<Extracted, ArchiveError> {
    let r = read_archives(&[archive], &ReadOptions::default())?;
    Ok((
        r.reports,
        r.statuses.into_iter().map(|(_, id, st)| (id, st)).collect(),
    ))
}

/// `(archive number, record id, extraction status)` of every input.
pub type Statuses = Vec<(usize, i64, String)>;

/// Extract the reports of several archives as one, parsing documents as `opts` says and
/// skipping quarantined ones unless retrying them.
pub fn read_archives(
    archives: &[&Archive],
    opts: &ReadOptions,
) -> Result<ArchiveReading, ArchiveError> {
    let rows = choose_inputs(archives)?;
    let mut out = ArchiveReading::default();
    let (reports, statuses) = (&mut out.reports, &mut out.statuses);
    for Chosen { archive, row } in &rows {
        let index = archives[*archive].index();
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
            index.quarantined(&sha)?
        };
        if let (Some(q), false) = (&was_quarantined, opts.retry_poisoned) {
            statuses.push((*archive, row.id, format!("quarantined: {}", q.reason)));
            reports.push(error_row(format!(
                "quarantined since {} (not read again; --retry-poisoned reads it): {}",
                q.first_seen, q.reason
            )));
            out.poisoned.push(Poisoned {
                archive: *archive,
                record_id: row.id,
                url: row.url.clone(),
                sha256: sha,
                reason: q.reason.clone(),
                new: false,
            });
            continue;
        }
        let stored = match archives[*archive].read_response(row) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(url = %row.url, error = %e, "cannot read archived record");
                statuses.push((*archive, row.id, format!("error: {e}")));
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
            .map(|c| &c.row)
            .filter(|r| r.role == "attachment" && r.referrer.as_deref() == Some(&row.url))
            .map(|r| r.url.clone())
            .collect();
        match nianbao_sandbox::extract(&stored.http.body, &hint, &opts.isolation) {
            Ok(mut found) => {
                if was_quarantined.is_some() {
                    out.recovered.push((*archive, sha));
                }
                statuses.push((*archive, row.id, format!("ok:{}", found.len())));
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
                statuses.push((*archive, row.id, format!("error: {e}")));
                reports.push(error_row(e.reason.clone()));
                if e.poison && !sha.is_empty() {
                    tracing::warn!(url = %row.url, reason = %e.reason, "document quarantined");
                    out.poisoned.push(Poisoned {
                        archive: *archive,
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
    write_from(
        &[archive],
        out_dir,
        bom,
        record_status,
        &ReadOptions::default(),
    )
}

/// Read `archives` and write the dataset; when `record_status` is set (the archives are
/// writable) the extraction status is stored, newly poisoned documents are quarantined in
/// their archive's index and recovered ones released.
fn write_from(
    archives: &[&Archive],
    out_dir: &Path,
    bom: bool,
    record_status: bool,
    opts: &ReadOptions,
) -> Result<DatasetStats, PipelineError> {
    let reading = read_archives(archives, opts)?;
    let statuses = reading.statuses;
    // A page and its attachment holding the same report are one row (the better reading).
    let reports = nianbao_export::merge_alternatives(reading.reports);
    if record_status {
        for (a, id, st) in &statuses {
            archives[*a].index().set_extraction(*id, st)?;
        }
        for p in reading.poisoned.iter().filter(|p| p.new) {
            archives[p.archive].index().quarantine(
                &p.sha256,
                &p.url,
                &p.reason,
                Some(p.record_id),
            )?;
        }
        for (a, sha) in &reading.recovered {
            archives[*a].index().release(sha)?;
        }
    }
    nianbao_export::write_dataset(&reports, out_dir, &nianbao_export::ExportOptions { bom })?;
    Ok(DatasetStats {
        inputs: statuses.len(),
        reports: reports.iter().filter(|r| r.error.is_none()).count(),
        errors: statuses
            .iter()
            .filter(|(_, _, s)| s.starts_with("error") || s.starts_with("quarantined"))
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
    export_many(&[data_dir], out_dir, bom)
}

/// Build one dataset from several archives (e.g. the shards of a sharded crawl), read-only.
/// The result is the dataset of one archive holding all their records: for every URL the
/// latest fetch across the archives, rows in the same deterministic order.
pub fn export_many<P: AsRef<Path>>(
    data_dirs: &[P],
    out_dir: &Path,
    bom: bool,
) -> Result<DatasetStats, PipelineError> {
    export_many_with(data_dirs, out_dir, bom, &ReadOptions::default())
}

/// [`export_many`] with read options (the archives are read-only: nothing is quarantined,
/// but documents already quarantined are skipped unless retried).
pub fn export_many_with<P: AsRef<Path>>(
    data_dirs: &[P],
    out_dir: &Path,
    bom: bool,
    opts: &ReadOptions,
) -> Result<DatasetStats, PipelineError> {
    let archives = data_dirs
        .iter()
        .map(|d| Archive::open_read_only(d.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&Archive> = archives.iter().collect();
    create_out(out_dir)?;
    write_from(&refs, out_dir, bom, false, opts)
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
    write_from(&[&archive], out_dir, bom, true, opts)
}

fn create_out(out_dir: &Path) -> Result<(), PipelineError> {
    std::fs::create_dir_all(out_dir).map_err(|e| PipelineError::Io {
        path: out_dir.display().to_string(),
        source: e,
    })
}
