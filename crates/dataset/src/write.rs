//! Step 5: rows read back from the spill store one page at a time, in source order, and
//! written as reports, cells, checks (with the cross-year check X1) and versions.

use crate::identity::Identity;
use crate::keys::{cell_value, X1_COLUMNS};
use crate::output::Outputs;
use crate::sink::Field;
use crate::spill::Spill;
use crate::{DatasetError, DatasetStats, Options};
use nianbao_extract::{Report, Value};
use rusqlite::{params, OptionalExtension};

struct Row {
    rid: i64,
    report_id: String,
    version: Option<i64>,
    first_seen: Option<String>,
    alts: Option<String>,
    body: Vec<u8>,
    ident: Option<String>,
    agency: Option<String>,
    year: Option<i64>,
    published: Option<String>,
    pid: i64,
    page: Option<i64>,
    keep_alts: Option<String>,
    akey: Option<String>,
    x1: Option<String>,
    error: bool,
    image_only: bool,
    source: String,
    part: i64,
}

/// What the archive knows about a payload.
#[derive(Default)]
pub(crate) struct Fetch {
    pub url: Option<String>,
    pub sha: Option<String>,
    pub last_at: Option<String>,
    pub warc_file: Option<String>,
    pub warc_offset: Option<i64>,
    pub source_name: Option<String>,
    pub referrer: Option<String>,
}

pub(crate) fn fetch_of(spill: &Spill, pid: i64) -> Result<Fetch, DatasetError> {
    Ok(spill
        .sq(spill
            .conn
            .query_row(
                "SELECT url, sha, last_at, warc_file, warc_offset, source_name, referrer \
                 FROM payloads WHERE pid = ?1",
                params![pid],
                |r| {
                    Ok(Fetch {
                        url: r.get(0)?,
                        sha: r.get(1)?,
                        last_at: r.get(2)?,
                        warc_file: r.get(3)?,
                        warc_offset: r.get(4)?,
                        source_name: r.get(5)?,
                        referrer: r.get(6)?,
                    })
                },
            )
            .optional())?
        .unwrap_or_default())
}

pub(crate) fn report_of(spill: &Spill, rid: i64) -> Result<Option<Report>, DatasetError> {
    let body: Option<Vec<u8>> = spill.sq(spill
        .conn
        .query_row(
            "SELECT body FROM reports WHERE rid = ?1",
            params![rid],
            |r| r.get(0),
        )
        .optional())?;
    body.map(|b| decode(spill, &b)).transpose()
}

fn decode(spill: &Spill, body: &[u8]) -> Result<Report, DatasetError> {
    serde_json::from_slice(body).map_err(|e| DatasetError::Spill {
        path: spill.path().display().to_string(),
        cause: format!("stored report unreadable: {e}"),
    })
}

/// Whether a row passes `--year`, `--province`, `--level`.
pub(crate) fn selected(opts: &Options, year: Option<i64>, ident: &Identity) -> bool {
    (opts.years.is_empty() || year.is_some_and(|y| opts.years.iter().any(|w| i64::from(*w) == y)))
        && (opts.provinces.is_empty()
            || ident
                .province
                .as_ref()
                .is_some_and(|p| opts.provinces.iter().any(|q| q == p)))
        && (opts.levels.is_empty()
            || ident
                .division_level
                .as_ref()
                .is_some_and(|l| opts.levels.iter().any(|q| q == l)))
}

fn alternatives(spill: &Spill, rids: &[i64]) -> Result<Vec<serde_json::Value>, DatasetError> {
    let mut out = Vec::new();
    for rid in rids {
        let row: Option<(String, String, i64, i64, i64)> = spill.sq(spill
            .conn
            .query_row(
                "SELECT source, format, found, failed, pid FROM reports WHERE rid = ?1",
                params![rid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional())?;
        let Some((source, format, found, failed, pid)) = row else {
            continue;
        };
        let mut v = serde_json::json!({
            "source": source,
            "format": format,
            "cells_found": found,
            "checks_failed": failed,
        });
        let f = fetch_of(spill, pid)?;
        if let Some(obj) = v.as_object_mut() {
            if let Some(sha) = f.sha {
                obj.insert("sha256".into(), sha.into());
            }
            if let Some(at) = f.last_at {
                obj.insert("fetched_at".into(), at.into());
            }
        }
        out.push(v);
    }
    Ok(out)
}

fn ids(json: &Option<String>) -> Vec<i64> {
    json.as_deref()
        .and_then(|s| serde_json::from_str::<Vec<i64>>(s).ok())
        .unwrap_or_default()
}

fn value_field(v: Option<Value>) -> Field<'static> {
    match v {
        None => Field::Null,
        Some(Value::Int(i)) => Field::Int(i),
        Some(Value::Dec(d)) => Field::Dec(d),
    }
}

fn json_field<T: serde::Serialize>(v: &T, empty: bool) -> Field<'static> {
    if empty {
        Field::Null
    } else {
        Field::owned(serde_json::to_string(v).unwrap_or_default())
    }
}

fn x1_side(x1: &serde_json::Value, side: &str, col: &str) -> Option<f64> {
    x1.get(side)?.get(col)?.as_f64()
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// X1 for one row: its 上年结转 against 结转下年度 of the same agency's report of the year
/// before, per applicant column, for every such report.
fn x1_checks(spill: &Spill, row: &Row) -> Result<Vec<[Field<'static>; 4]>, DatasetError> {
    let (Some(akey), Some(year), Some(x1)) = (&row.akey, row.year, &row.x1) else {
        return Ok(Vec::new());
    };
    let this: serde_json::Value = serde_json::from_str(x1).unwrap_or_default();
    let prevs: Vec<(String, String)> = {
        let mut st = spill.sq(spill.conn.prepare_cached(
            "SELECT r.report_id, p.x1 FROM rows r JOIN reports p ON p.rid = r.rid \
             WHERE r.akey = ?1 AND r.year = ?2 AND p.x1 IS NOT NULL ORDER BY r.source, r.part",
        ))?;
        let rows =
            spill.sq(st.query_map(params![akey, year - 1], |r| Ok((r.get(0)?, r.get(1)?))))?;
        rows.collect::<Result<_, _>>()
            .map_err(|e| DatasetError::spill(spill.path(), e))?
    };
    let mut out = Vec::new();
    for (prev_id, prev_x1) in prevs {
        let prev: serde_json::Value = serde_json::from_str(&prev_x1).unwrap_or_default();
        for col in X1_COLUMNS {
            let (Some(over), Some(fwd)) = (x1_side(&this, "over", col), x1_side(&prev, "fwd", col))
            else {
                continue;
            };
            out.push([
                Field::owned("X1".into()),
                Field::owned(format!("{col};{prev_id};{}", row.report_id)),
                Field::Bool((over - fwd).abs() < 1e-9),
                Field::owned(format!(
                    "{year} 上年结转 {} = {} 结转下年度 {}",
                    fmt_num(over),
                    year - 1,
                    fmt_num(fwd)
                )),
            ]);
        }
    }
    Ok(out)
}

/// Write every row: `reports`, `cells`, `checks`; record coverage of found reports.
pub(crate) fn rows(
    spill: &Spill,
    outs: &mut Outputs,
    opts: &Options,
    stats: &mut DatasetStats,
) -> Result<(), DatasetError> {
    let mut after: Option<(String, i64, i64)> = None;
    loop {
        let page: Vec<Row> = {
            let mut st = spill.sq(spill.conn.prepare_cached(
                "SELECT r.rid, r.report_id, r.version, r.first_seen, r.alts, p.body, p.ident, p.agency, \
                 p.year, p.published, p.pid, k.page, k.alts, r.akey, p.x1, p.error, p.image_only, \
                 r.source, r.part \
                 FROM rows r JOIN reports p ON p.rid = r.rid LEFT JOIN keeps k ON k.rid = r.rid \
                 WHERE (?1 IS NULL OR (r.source, r.part, r.rid) > (?1, ?2, ?3)) \
                 ORDER BY r.source, r.part, r.rid LIMIT 256",
            ))?;
            let (a, b, c) = after
                .clone()
                .map_or((None, None, None), |(a, b, c)| (Some(a), Some(b), Some(c)));
            let rows = spill.sq(st.query_map(params![a, b, c], |r| {
                Ok(Row {
                    rid: r.get(0)?,
                    report_id: r.get(1)?,
                    version: r.get(2)?,
                    first_seen: r.get(3)?,
                    alts: r.get(4)?,
                    body: r.get(5)?,
                    ident: r.get(6)?,
                    agency: r.get(7)?,
                    year: r.get(8)?,
                    published: r.get(9)?,
                    pid: r.get(10)?,
                    page: r.get(11)?,
                    keep_alts: r.get(12)?,
                    akey: r.get(13)?,
                    x1: r.get(14)?,
                    error: r.get(15)?,
                    image_only: r.get(16)?,
                    source: r.get(17)?,
                    part: r.get(18)?,
                })
            }))?;
            rows.collect::<Result<_, _>>()
                .map_err(|e| DatasetError::spill(spill.path(), e))?
        };
        let Some(last) = page.last() else { break };
        after = Some((last.source.clone(), last.part, last.rid));
        for row in page {
            write_row(spill, outs, opts, stats, row)?;
        }
    }
    Ok(())
}

fn write_row(
    spill: &Spill,
    outs: &mut Outputs,
    opts: &Options,
    stats: &mut DatasetStats,
    row: Row,
) -> Result<(), DatasetError> {
    let ident = row
        .ident
        .as_deref()
        .map(Identity::from_json)
        .unwrap_or_default();
    if !selected(opts, row.year, &ident) {
        return Ok(());
    }
    let mut r = decode(spill, &row.body)?;
    // Agency, title and date of a report kept from an attachment come from its page.
    if let Some(page_rid) = row.page {
        if let Some(page) = report_of(spill, page_rid)? {
            if r.agency.is_none() && page.agency.is_some() {
                r.agency = page.agency.clone();
                r.report_flags
                    .push(nianbao_extract::ReportFlag::AgencyFromPage);
            }
            if r.title.is_none() {
                r.title = page.title.clone();
            }
        }
    }
    if r.agency.is_none() {
        r.agency = row.agency.clone();
    }
    if r.year.is_none() {
        r.year = row.year.and_then(|y| i32::try_from(y).ok());
    }
    let fetch = fetch_of(spill, row.pid)?;
    let mut alt_ids = ids(&row.keep_alts);
    alt_ids.extend(ids(&row.alts));
    let alts = alternatives(spill, &alt_ids)?;
    let mut prov = match r.provenance.take() {
        Some(serde_json::Value::Object(m)) => m,
        Some(other) => {
            let mut m = serde_json::Map::new();
            m.insert("reader".into(), other);
            m
        }
        None => serde_json::Map::new(),
    };
    // The archive's facts always win: they say which stored bytes the row was read from.
    if let Some(u) = &fetch.url {
        prov.insert("url".into(), u.clone().into());
        prov.insert(
            "fetched_at".into(),
            fetch
                .last_at
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
        prov.insert(
            "sha256".into(),
            fetch
                .sha
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
        prov.insert(
            "warc_file".into(),
            fetch
                .warc_file
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
        prov.insert(
            "warc_offset".into(),
            fetch
                .warc_offset
                .map_or(serde_json::Value::Null, Into::into),
        );
        prov.insert(
            "referrer".into(),
            fetch
                .referrer
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
    }
    if !alts.is_empty() {
        let list = prov
            .entry("alternatives")
            .or_insert_with(|| serde_json::json!([]));
        if let Some(a) = list.as_array_mut() {
            a.extend(alts);
        }
    }
    let sha = fetch.sha.clone().or_else(|| {
        prov.get("sha256")
            .and_then(|s| s.as_str())
            .map(str::to_string)
    });
    let failed = r.checks.iter().filter(|c| !c.holds).count();
    let mut fields: Vec<Field<'_>> = vec![
        Field::text(&row.report_id),
        Field::text(&r.source),
        Field::opt(r.title.as_deref()),
        Field::opt(r.agency.as_deref()),
        Field::int(r.year.map(i64::from)),
        Field::text(r.format.as_str()),
        Field::opt(r.charset.as_ref().map(|c| c.name.as_str())),
        Field::owned(
            r.report_flags
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ),
        if r.checks.is_empty() {
            Field::Null
        } else {
            Field::Int(failed as i64)
        },
        Field::opt(r.error.as_deref()),
        json_field(&r.extras, r.extras.is_empty()),
        json_field(&r.flags, r.flags.is_empty()),
        json_field(&prov, prov.is_empty()),
        // identity
        Field::opt(ident.agency_id.as_deref()),
        Field::opt(ident.division_code.as_deref()),
        Field::opt(ident.division_name.as_deref()),
        Field::opt(ident.division_level.as_deref()),
        Field::opt(ident.agency_kind.as_deref()),
        Field::opt(ident.province.as_deref()),
        Field::opt(ident.prefecture.as_deref()),
        Field::owned(ident.flags.join(";")),
        // provenance
        Field::opt(fetch.url.as_deref()),
        Field::opt(fetch.source_name.as_deref()),
        Field::opt(row.published.as_deref()),
        Field::opt(fetch.last_at.as_deref()),
        Field::opt(sha.as_deref()),
        Field::opt(fetch.warc_file.as_deref()),
        Field::int(fetch.warc_offset),
        Field::int(row.version),
        Field::opt(row.first_seen.as_deref()),
    ];
    for info in crate::columns::cell_keys() {
        fields.push(value_field(cell_value(&r, &info.key)));
    }
    let x1 = x1_checks(spill, &row)?;
    let set = outs.set(row.year)?;
    set.reports.row(&fields)?;
    for key in r.cells.keys() {
        let flags = r
            .flags
            .get(key)
            .map(|f| f.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(";"))
            .unwrap_or_default();
        set.cells.row(&[
            Field::text(&row.report_id),
            Field::text(key),
            value_field(cell_value(&r, key)),
            Field::opt(r.raw.get(key).map(String::as_str)),
            Field::owned(flags),
        ])?;
    }
    for c in &r.checks {
        set.checks.row(&[
            Field::text(&row.report_id),
            Field::text(c.id.as_str()),
            Field::text(&c.scope),
            Field::Bool(c.holds),
            Field::text(&c.detail),
        ])?;
    }
    for [id, scope, holds, detail] in x1 {
        set.checks
            .row(&[Field::text(&row.report_id), id, scope, holds, detail])?;
    }
    if let (Some(akey), Some(year), false) = (&row.akey, row.year, row.error) {
        spill.sq(spill.conn.execute(
            "INSERT INTO cov(akey, agency, ident, year, found, reason, report_id, url, published) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            params![
                akey,
                r.agency,
                row.ident,
                year,
                !row.image_only,
                row.image_only.then_some("image_only"),
                row.report_id,
                fetch.url,
                row.published
            ],
        ))?;
    }
    spill.sq(spill.conn.execute(
        "UPDATE rows SET written = 1 WHERE rid = ?1",
        params![row.rid],
    ))?;
    if r.error.is_none() {
        stats.reports += 1;
    }
    Ok(())
}

/// Cells whose written value differs between two readings.
pub(crate) fn changed_cells(a: &Report, b: &Report) -> Vec<(String, Option<Value>, Option<Value>)> {
    let mut keys: std::collections::BTreeSet<&String> = a.cells.keys().collect();
    keys.extend(b.cells.keys());
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (cell_value(a, k), cell_value(b, k));
            (x != y).then(|| (k.clone(), x, y))
        })
        .collect()
}

/// version, rid, first seen, last seen, payload, part, published date.
type VersionRow = (
    i64,
    i64,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<String>,
);

/// Write `versions` for every written row.
pub(crate) fn versions(
    spill: &Spill,
    outs: &mut Outputs,
    _opts: &Options,
) -> Result<(), DatasetError> {
    let mut after: Option<(String, i64, i64)> = None;
    loop {
        let page: Vec<(i64, String, Option<i64>, String, i64)> = {
            let mut st = spill.sq(spill.conn.prepare_cached(
                "SELECT rid, report_id, year, source, part FROM rows WHERE written = 1 \
                 AND version IS NOT NULL \
                 AND (?1 IS NULL OR (source, part, rid) > (?1, ?2, ?3)) \
                 ORDER BY source, part, rid LIMIT 256",
            ))?;
            let (a, b, c) = after
                .clone()
                .map_or((None, None, None), |(a, b, c)| (Some(a), Some(b), Some(c)));
            let rows = spill.sq(st.query_map(params![a, b, c], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            }))?;
            rows.collect::<Result<_, _>>()
                .map_err(|e| DatasetError::spill(spill.path(), e))?
        };
        let Some(last) = page.last() else { break };
        after = Some((last.3.clone(), last.4, last.0));
        for (row_rid, report_id, year, _, _) in page {
            let vs: Vec<VersionRow> = {
                let mut st = spill.sq(spill.conn.prepare_cached(
                    "SELECT v.version, v.rid, v.first_seen, v.last_seen, p.pid, p.part, p.published \
                     FROM versions v JOIN reports p ON p.rid = v.rid WHERE v.row = ?1 ORDER BY v.version",
                ))?;
                let rows = spill.sq(st.query_map(params![row_rid], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                }))?;
                rows.collect::<Result<_, _>>()
                    .map_err(|e| DatasetError::spill(spill.path(), e))?
            };
            let n = vs.len() as i64;
            let mut prev: Option<Report> = None;
            for (version, rid, first_seen, last_seen, pid, part, published) in vs {
                let changed = if n > 1 {
                    let cur = report_of(spill, rid)?;
                    let c = match (&prev, &cur) {
                        (Some(a), Some(b)) => Some(changed_cells(a, b).len() as i64),
                        _ => None,
                    };
                    prev = cur;
                    c
                } else {
                    None
                };
                let f = fetch_of(spill, pid)?;
                let set = outs.set(year)?;
                set.versions.row(&[
                    Field::text(&report_id),
                    Field::Int(version),
                    Field::Bool(version == n),
                    Field::opt(f.url.as_deref()),
                    Field::Int(part),
                    Field::opt(f.sha.as_deref()),
                    Field::opt(first_seen.as_deref()),
                    Field::opt(last_seen.as_deref()),
                    Field::opt(published.as_deref()),
                    Field::opt(f.warc_file.as_deref()),
                    Field::int(f.warc_offset),
                    Field::int(changed),
                ])?;
            }
        }
    }
    Ok(())
}
