//! `nianbao diff`: which cells changed between two versions of a report. The versions are the
//! ones `versions.csv` lists (so the numbers agree with the dataset); each is read back from the
//! archive record it names and extracted again.

use crate::write::changed_cells;
use crate::DatasetError;
use nianbao_archive::{Archive, RecordRow};
use nianbao_extract::{Report, Value};
use std::path::Path;

/// One version as listed in `versions.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionInfo {
    /// Version number.
    pub version: i64,
    /// URL.
    pub url: String,
    /// Part of the document.
    pub part: usize,
    /// First fetch of this version.
    pub first_seen: String,
    /// Last fetch of this version.
    pub last_seen: String,
    /// WARC file.
    pub warc_file: String,
    /// WARC offset.
    pub warc_offset: i64,
}

/// One changed cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellChange {
    /// Key.
    pub key: String,
    /// Value in the older version.
    pub old: Option<Value>,
    /// Value in the newer version.
    pub new: Option<Value>,
}

/// The difference between two versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// Report id.
    pub report_id: String,
    /// Older version.
    pub from: VersionInfo,
    /// Newer version.
    pub to: VersionInfo,
    /// Changed cells, in key order.
    pub changes: Vec<CellChange>,
}

fn versions_of(dataset: &Path, target: &str) -> Result<(String, Vec<VersionInfo>), DatasetError> {
    let path = dataset.join("versions.csv");
    let text = std::fs::read_to_string(&path).map_err(DatasetError::io_at(&path))?;
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let bad = |e: csv::Error| DatasetError::Output {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let headers = rdr.headers().map_err(bad)?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id), Some(ver), Some(url), Some(part), Some(fs), Some(ls), Some(wf), Some(wo)) = (
        col("report_id"),
        col("version"),
        col("url"),
        col("part"),
        col("first_seen"),
        col("last_seen"),
        col("warc_file"),
        col("warc_offset"),
    ) else {
        return Err(DatasetError::Output {
            path: path.display().to_string(),
            reason: "not a versions.csv of nianbao (columns missing)".into(),
        });
    };
    let mut rows: Vec<(String, VersionInfo)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(bad)?;
        let get = |i: usize| {
            rec.get(i)
                .unwrap_or("")
                .trim_start_matches('\'')
                .to_string()
        };
        rows.push((
            get(id),
            VersionInfo {
                version: get(ver).parse().unwrap_or(0),
                url: get(url),
                part: get(part).parse().unwrap_or(0),
                first_seen: get(fs),
                last_seen: get(ls),
                warc_file: get(wf),
                warc_offset: get(wo).parse().unwrap_or(0),
            },
        ));
    }
    let report = rows
        .iter()
        .find(|(rid, _)| rid == target)
        .or_else(|| rows.iter().rev().find(|(_, v)| v.url == target))
        .map(|(rid, _)| rid.clone())
        .ok_or_else(|| {
            DatasetError::NotFound(format!(
                "{target}: no such report id or URL in {}",
                path.display()
            ))
        })?;
    let mut vs: Vec<VersionInfo> = rows
        .into_iter()
        .filter(|(rid, _)| *rid == report)
        .map(|(_, v)| v)
        .collect();
    vs.sort_by_key(|v| v.version);
    Ok((report, vs))
}

fn read_version(archives: &[Archive], v: &VersionInfo) -> Result<Report, DatasetError> {
    for a in archives {
        if !a.warc_dir().join(&v.warc_file).is_file() {
            continue;
        }
        let meta: Option<(i64, Option<String>, Option<String>)> = a
            .index()
            .connection()
            .query_row(
                "SELECT id, content_type, referrer FROM records WHERE warc_file = ?1 AND warc_offset = ?2",
                rusqlite::params![v.warc_file, v.warc_offset],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .ok();
        let (id, content_type, referrer) = meta.unwrap_or((0, None, None));
        let row = RecordRow {
            id,
            url: v.url.clone(),
            warc_file: v.warc_file.clone(),
            warc_offset: v.warc_offset,
            ..Default::default()
        };
        let body = a.read_response(&row)?.http.body;
        let hint = nianbao_ingest::InputHint {
            source: v.url.clone(),
            content_type,
            referrer,
        };
        let reports = nianbao_ingest::extract_bytes(&body, &hint).map_err(|e| {
            DatasetError::NotFound(format!("version {} cannot be read: {e}", v.version))
        })?;
        return reports.into_iter().nth(v.part).ok_or_else(|| {
            DatasetError::NotFound(format!("version {} has no part {}", v.version, v.part))
        });
    }
    Err(DatasetError::NotFound(format!(
        "version {}: WARC file {} is in none of the archives given",
        v.version, v.warc_file
    )))
}

/// The cells that changed between versions `from` and `to` (default: the last two) of the
/// report `target` (a report id or a URL of one of its versions), per `versions.csv` in
/// `dataset`, read back from the archives in `data_dirs`.
pub fn diff<P: AsRef<Path>>(
    data_dirs: &[P],
    dataset: &Path,
    target: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Diff, DatasetError> {
    let (report_id, vs) = versions_of(dataset, target)?;
    let pick = |n: i64| {
        vs.iter()
            .find(|v| v.version == n)
            .cloned()
            .ok_or_else(|| DatasetError::NotFound(format!("{report_id} has no version {n}")))
    };
    let last = vs.last().map_or(0, |v| v.version);
    let to_v = pick(to.unwrap_or(last))?;
    let from_v = pick(from.unwrap_or(to_v.version - 1)).map_err(|_| {
        DatasetError::NotFound(format!(
            "{report_id} has {} version(s): nothing to compare",
            vs.len()
        ))
    })?;
    let archives = data_dirs
        .iter()
        .map(|d| Archive::open_read_only(d.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let old = read_version(&archives, &from_v)?;
    let new = read_version(&archives, &to_v)?;
    let changes = changed_cells(&old, &new)
        .into_iter()
        .map(|(key, old, new)| CellChange { key, old, new })
        .collect();
    Ok(Diff {
        report_id,
        from: from_v,
        to: to_v,
        changes,
    })
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = |x: &Option<Value>| x.map_or_else(|| "(empty)".to_string(), |v| v.to_string());
        writeln!(
            f,
            "report {}: version {} → version {}",
            self.report_id, self.from.version, self.to.version
        )?;
        for x in [&self.from, &self.to] {
            writeln!(
                f,
                "  version {}: {} (first fetched {}, last fetched {})",
                x.version, x.url, x.first_seen, x.last_seen
            )?;
        }
        writeln!(
            f,
            "{} cell{} changed",
            self.changes.len(),
            if self.changes.len() == 1 { "" } else { "s" }
        )?;
        for c in &self.changes {
            writeln!(f, "  {}: {} → {}", c.key, v(&c.old), v(&c.new))?;
        }
        Ok(())
    }
}
