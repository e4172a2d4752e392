//! # nianbao-export: the dataset researchers open
//!
//! Four UTF-8 CSV files (optionally with a BOM so Excel detects UTF-8):
//!
//! * `reports.csv`: one row per report: metadata, then every key of both national formats as
//!   a column (keys.tsv order), empty where the key does not apply or the value is missing,
//!   and a `flags` column (JSON `{key: [flags]}`) for derived, repaired or ambiguous values.
//! * `cells.csv`: the long form: report id, key, value, raw text, flags.
//! * `checks.csv`: every identity check: report id, id, scope, holds, detail.
//! * `codebook.csv`: key, table, Chinese label path, English description, unit, formats.
//!
//! Missing values are empty, never 0. Rows are sorted by source and ids are a hash of the
//! source, so the same reports always give byte-identical files. Files are written to a
//! temporary name and renamed, so an interrupted export never leaves a half-written dataset.

use nianbao_extract::{Report, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

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
    /// CSV encoding error.
    #[error("writing {path}: {source}")]
    Csv {
        /// The file.
        path: String,
        /// The cause.
        source: csv::Error,
    },
}

/// Metadata columns of `reports.csv`, before the cell columns.
pub const REPORT_COLUMNS: [&str; 13] = [
    "report_id",
    "source",
    "title",
    "agency",
    "year",
    "format",
    "charset",
    "report_flags",
    "checks_failed",
    "error",
    "extras",
    "flags",
    "provenance",
];

fn quality(r: &Report) -> (usize, std::cmp::Reverse<usize>) {
    let found = r.cells.values().filter(|v| v.is_some()).count();
    let failed = r.checks.iter().filter(|c| !c.holds).count();
    (found, std::cmp::Reverse(failed))
}

fn summary(r: &Report) -> serde_json::Value {
    serde_json::json!({
        "source": r.source,
        "format": r.format.as_str(),
        "cells_found": r.cells.values().filter(|v| v.is_some()).count(),
        "checks_failed": r.checks.iter().filter(|c| !c.holds).count(),
    })
}

/// When the same report exists as a page and as an attachment of that page, keep the better
/// reading (more cells, then fewer failed identities) and record the other under
/// `provenance.alternatives`, so the dataset has one row per report.
pub fn merge_alternatives(reports: Vec<Report>) -> Vec<Report> {
    let mut reports: Vec<Option<Report>> = reports.into_iter().map(Some).collect();
    for i in 0..reports.len() {
        let attachments = match &reports[i] {
            Some(r) if !r.attachments.is_empty() => r.attachments.clone(),
            _ => continue,
        };
        for j in 0..reports.len() {
            if i == j {
                continue;
            }
            let is_attachment = reports[j]
                .as_ref()
                .is_some_and(|a| a.error.is_none() && attachments.contains(&a.source));
            if !is_attachment {
                continue;
            }
            let (Some(page), Some(att)) = (reports[i].take(), reports[j].take()) else {
                continue;
            };
            let (mut keep, other, keep_at) = if quality(&att) >= quality(&page) {
                (att, page, j)
            } else {
                (page, att, i)
            };
            // An attachment rarely names its agency in a findable title; the page does.
            if keep.agency.is_none() && other.agency.is_some() {
                keep.agency = other.agency.clone();
                keep.report_flags.push("agency_from_page".into());
            }
            if keep.title.is_none() {
                keep.title = other.title.clone();
            }
            let mut prov = keep
                .provenance
                .take()
                .unwrap_or_else(|| serde_json::json!({}));
            if let Some(obj) = prov.as_object_mut() {
                let alts = obj
                    .entry("alternatives")
                    .or_insert_with(|| serde_json::json!([]));
                if let Some(a) = alts.as_array_mut() {
                    a.push(summary(&other));
                }
            }
            keep.provenance = Some(prov);
            reports[keep_at] = Some(keep);
            if keep_at == j {
                break;
            }
        }
    }
    reports.into_iter().flatten().collect()
}

/// A stable id for a report: FNV-1a of its source, as 16 hex digits.
pub fn report_id(source: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in source.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn value_text(v: Option<Value>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

struct Out {
    path: PathBuf,
    tmp: PathBuf,
    w: csv::Writer<std::io::BufWriter<std::fs::File>>,
}

impl Out {
    fn create(dir: &Path, name: &str, bom: bool) -> Result<Out, ExportError> {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        let io = |source| ExportError::Io {
            path: tmp.display().to_string(),
            source,
        };
        let f = std::fs::File::create(&tmp).map_err(io)?;
        let mut bw = std::io::BufWriter::new(f);
        if bom {
            bw.write_all("\u{feff}".as_bytes())
                .map_err(|source| ExportError::Io {
                    path: tmp.display().to_string(),
                    source,
                })?;
        }
        Ok(Out {
            path,
            tmp,
            w: csv::Writer::from_writer(bw),
        })
    }

    fn row<I, T>(&mut self, rec: I) -> Result<(), ExportError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.w.write_record(rec).map_err(|source| ExportError::Csv {
            path: self.path.display().to_string(),
            source,
        })
    }

    fn finish(self) -> Result<(), ExportError> {
        let Out { path, tmp, w } = self;
        let io = |source| ExportError::Io {
            path: path.display().to_string(),
            source,
        };
        let bw = w.into_inner().map_err(|e| io(e.into_error()))?;
        let f = bw.into_inner().map_err(|e| io(e.into_error()))?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }
}

/// Write `reports.csv`, `cells.csv`, `checks.csv` and `codebook.csv` into `out_dir`.
pub fn write_dataset(
    reports: &[Report],
    out_dir: &Path,
    opts: &ExportOptions,
) -> Result<(), ExportError> {
    std::fs::create_dir_all(out_dir).map_err(|source| ExportError::Io {
        path: out_dir.display().to_string(),
        source,
    })?;
    let infos = nianbao_templates::key_infos();
    let mut sorted: Vec<&Report> = reports.iter().collect();
    sorted.sort_by(|a, b| a.source.cmp(&b.source));

    let mut rep = Out::create(out_dir, "reports.csv", opts.bom)?;
    let header: Vec<&str> = REPORT_COLUMNS
        .iter()
        .copied()
        .chain(infos.iter().map(|i| i.key.as_str()))
        .collect();
    rep.row(&header)?;
    let mut cells = Out::create(out_dir, "cells.csv", opts.bom)?;
    cells.row(["report_id", "key", "value", "raw", "flags"])?;
    let mut checks = Out::create(out_dir, "checks.csv", opts.bom)?;
    checks.row(["report_id", "id", "scope", "holds", "detail"])?;

    for r in sorted {
        let id = report_id(&r.source);
        let failed = r.checks.iter().filter(|c| !c.holds).count();
        let json = |v: String| v;
        // Text fields go through the formula guard; numbers (year, counts, values) do not.
        let text = |s: &str| nianbao_text::neutralise_formula(s).into_owned();
        let mut row: Vec<String> = vec![
            id.clone(),
            text(&r.source),
            text(r.title.as_deref().unwrap_or_default()),
            text(r.agency.as_deref().unwrap_or_default()),
            r.year.map(|y| y.to_string()).unwrap_or_default(),
            r.format.as_str().to_string(),
            text(
                r.charset
                    .as_ref()
                    .map(|c| c.name.as_str())
                    .unwrap_or_default(),
            ),
            text(&r.report_flags.join(";")),
            if r.checks.is_empty() {
                String::new()
            } else {
                failed.to_string()
            },
            text(r.error.as_deref().unwrap_or_default()),
            if r.extras.is_empty() {
                String::new()
            } else {
                json(serde_json::to_string(&r.extras).unwrap_or_default())
            },
            if r.flags.is_empty() {
                String::new()
            } else {
                json(serde_json::to_string(&r.flags).unwrap_or_default())
            },
            // Which file the row came from: page and attachment URLs, SHA-256, table pages,
            // alternatives (JSON).
            r.provenance
                .as_ref()
                .map(|p| serde_json::to_string(p).unwrap_or_default())
                .unwrap_or_default(),
        ];
        for info in &infos {
            row.push(
                r.cells
                    .get(&info.key)
                    .copied()
                    .flatten()
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            );
        }
        rep.row(&row)?;
        for (key, v) in &r.cells {
            let flags = r.flags.get(key).map(|f| f.join(";")).unwrap_or_default();
            let raw = r.raw.get(key).cloned().unwrap_or_default();
            cells.row([
                id.as_str(),
                text(key).as_str(),
                value_text(*v).as_str(),
                text(&raw).as_str(),
                text(&flags).as_str(),
            ])?;
        }
        for c in &r.checks {
            checks.row([
                id.as_str(),
                text(&c.id).as_str(),
                text(&c.scope).as_str(),
                if c.holds { "true" } else { "false" },
                text(&c.detail).as_str(),
            ])?;
        }
    }
    rep.finish()?;
    cells.finish()?;
    checks.finish()?;

    let mut book = Out::create(out_dir, "codebook.csv", opts.bom)?;
    book.row([
        "key",
        "table",
        "label_path",
        "description",
        "unit",
        "formats",
    ])?;
    for i in &infos {
        let table = match i.key.split('.').next() {
            Some("t2") => "二、主动公开政府信息情况",
            Some("t3") => "三、收到和处理政府信息公开申请情况",
            Some("t4") => "四、政府信息公开行政复议、行政诉讼情况",
            _ => "",
        };
        let unit = if i.key.ends_with("amount_wan") {
            "万元 (decimal)"
        } else if i.key.ends_with(".change") {
            "count (signed)"
        } else {
            "count"
        };
        book.row([
            i.key.as_str(),
            table,
            i.label_path.as_str(),
            nianbao_templates::describe(&i.key).as_str(),
            unit,
            i.formats.as_str(),
        ])?;
    }
    book.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_and_attachment_become_one_row_with_an_alternative() {
        let mut page = nianbao_extract::extract_text(
            "2023年某区人民政府政府信息公开工作年度报告\n全文见附件",
            "http://a/p.html",
        );
        page.attachments.push("http://a/r.pdf".into());
        let text = "第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 0 | 0 | 0\n";
        let att = nianbao_extract::extract_text(text, "http://a/r.pdf");
        let merged = merge_alternatives(vec![page, att]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].source, "http://a/r.pdf");
        let alts = &merged[0].provenance.as_ref().expect("provenance")["alternatives"];
        assert_eq!(alts[0]["source"], "http://a/p.html");
    }

    #[test]
    fn dataset_is_written_with_empty_for_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "2021年某局政府信息公开工作年度报告\n第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 0 | / | 3\n";
        let r = nianbao_extract::extract_text(text, "a.txt");
        write_dataset(&[r], dir.path(), &ExportOptions { bom: true }).expect("write");
        let reports = std::fs::read_to_string(dir.path().join("reports.csv")).expect("read");
        assert!(reports.starts_with('\u{feff}'));
        let mut rdr = csv::Reader::from_reader(reports.trim_start_matches('\u{feff}').as_bytes());
        let headers = rdr.headers().expect("headers").clone();
        let rec = rdr.records().next().expect("row").expect("record");
        let col = |k: &str| {
            headers
                .iter()
                .position(|h| h == k)
                .and_then(|i| rec.get(i))
                .unwrap_or("?")
                .to_string()
        };
        assert_eq!(col("t2.a20_1.rule.issued"), "0");
        assert_eq!(col("t2.a20_1.rule.repealed"), "");
        assert_eq!(col("t2.a20_1.rule.in_force"), "3");
        assert_eq!(col("format"), "gb2021");
        assert!(col("flags").contains("missing_marker"));
        let book = std::fs::read_to_string(dir.path().join("codebook.csv")).expect("read");
        assert_eq!(book.lines().count(), 227);
        assert!(!dir.path().join(".reports.csv.tmp").exists());
    }

    #[test]
    fn formula_prefixes_are_neutralised_in_every_text_field_and_numbers_stay() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "2021年某局政府信息公开工作年度报告\n第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 0 | / | 3\n";
        let mut reports = Vec::new();
        for (i, p) in ["=", "+", "-", "@", "\t", "\r"].iter().enumerate() {
            let mut r = nianbao_extract::extract_text(text, &format!("{p}a{i}.txt"));
            r.title = Some(format!("{p}HYPERLINK(\"http://x\",\"y\")"));
            r.agency = Some(format!("{p}1+1"));
            r.error = Some(format!("{p}cmd|' /C calc'!A0"));
            r.report_flags = vec![format!("{p}flag")];
            let key = "t2.a20_1.rule.in_force".to_string();
            r.cells.insert(key.clone(), Some(Value::Int(-3)));
            r.raw.insert(key, format!("{p}3"));
            r.checks = vec![nianbao_extract::Check {
                id: format!("{p}I1"),
                scope: format!("{p}s"),
                holds: false,
                detail: format!("{p}3 + 0 = 3"),
            }];
            reports.push(r);
        }
        write_dataset(&reports, dir.path(), &ExportOptions { bom: false }).expect("write");
        for (file, numeric) in [
            (
                "reports.csv",
                &["year", "checks_failed", "t2.a20_1.rule.in_force"][..],
            ),
            ("cells.csv", &["value"][..]),
            ("checks.csv", &[][..]),
        ] {
            let mut rdr = csv::Reader::from_path(dir.path().join(file)).expect("open");
            let headers = rdr.headers().expect("headers").clone();
            let mut seen = 0;
            for rec in rdr.records() {
                let rec = rec.expect("record");
                for (h, f) in headers.iter().zip(rec.iter()) {
                    if numeric.contains(&h) {
                        continue;
                    }
                    assert!(!nianbao_text::is_formula_like(f), "{file} {h}: {f:?}");
                    seen += usize::from(f.starts_with('\''));
                }
            }
            assert!(seen >= 6, "{file}: {seen} neutralised fields");
        }
        let cells = std::fs::read_to_string(dir.path().join("cells.csv")).expect("read");
        assert!(cells.contains(",t2.a20_1.rule.in_force,-3,'=3,"), "{cells}");
    }
}
