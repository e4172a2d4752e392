//! Parsing and checking the data files. Unknown fields, missing labels, identities naming rows
//! that do not exist, broken regular expressions: each is an error that names the file, so a
//! broken template is noticed at start, not as silently empty cells.

use crate::identity::{CheckId, Identity, Over};
use crate::model::*;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

/// Error loading template data.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A TOML file does not parse (syntax, unknown or missing fields).
    #[error("template data {file}: {source}")]
    Parse {
        /// The file.
        file: String,
        /// The cause.
        source: toml::de::Error,
    },
    /// A file parses but describes an impossible format.
    #[error("template data {file}: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A file of a template directory cannot be read.
    #[error("template data {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommon {
    table2: RawT2Common,
    table3: RawT3Common,
    table4: RawT4,
    stops: RawStops,
    identities: Vec<RawIdentity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawT2Common {
    noise: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawT3Common {
    columns: Vec<String>,
    column_en: Vec<String>,
    column_labels: Vec<String>,
    start: Vec<String>,
    noise: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPart4 {
    key: String,
    label: String,
    en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawT4 {
    groups: Vec<RawPart4>,
    columns: Vec<RawPart4>,
    start: Vec<String>,
    header_words: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStops {
    labels: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    id: String,
    over: String,
    lhs: Vec<String>,
    rhs: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormat {
    id: String,
    name: String,
    markers: Vec<String>,
    #[serde(default)]
    first_year: Option<i32>,
    #[serde(default)]
    last_year: Option<i32>,
    blocks: Vec<RawBlock>,
    table3: RawT3Rows,
    #[serde(default)]
    identities: Option<Vec<RawIdentity>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerUnit {
    column: String,
    per: String,
    max: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlock {
    id: String,
    anchor: Vec<String>,
    columns: Vec<String>,
    #[serde(default)]
    column_labels: Vec<String>,
    #[serde(default)]
    column_en: Vec<String>,
    #[serde(default)]
    kinds: BTreeMap<String, String>,
    #[serde(default)]
    per_unit_max: Option<RawPerUnit>,
    rows: Vec<RawBlockRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlockRow {
    key: String,
    labels: Vec<String>,
    #[serde(default)]
    en: String,
    #[serde(default)]
    narrative: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawT3Rows {
    rows: Vec<RawT3Row>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawT3Row {
    key: String,
    labels: Vec<String>,
    #[serde(default)]
    ordinal: String,
    #[serde(default)]
    parts: Vec<String>,
    #[serde(default)]
    en: String,
    #[serde(default)]
    narrative: BTreeMap<String, Vec<String>>,
}

fn prep(s: &str) -> String {
    nianbao_text::compact(&nianbao_text::normalize(s))
}

fn prep_all(v: &[String]) -> Vec<String> {
    v.iter().map(|s| prep(s)).collect()
}

/// Check that labels exist and survive normalisation.
fn labels(file: &str, what: &str, v: &[String]) -> Result<Vec<String>, TemplateError> {
    let out = prep_all(v);
    if out.is_empty() || out.iter().any(String::is_empty) {
        return Err(invalid(
            file,
            format!("{what}: needs at least one non-empty label"),
        ));
    }
    Ok(out)
}

fn invalid(file: &str, reason: String) -> TemplateError {
    TemplateError::Invalid {
        file: file.to_string(),
        reason,
    }
}

fn unique<'a>(
    file: &str,
    what: &str,
    keys: impl Iterator<Item = &'a str>,
) -> Result<(), TemplateError> {
    let mut seen = HashSet::new();
    for k in keys {
        if k.is_empty() {
            return Err(invalid(file, format!("{what}: an empty key")));
        }
        if !seen.insert(k) {
            return Err(invalid(file, format!("{what}: key `{k}` appears twice")));
        }
    }
    Ok(())
}

fn narrative(
    file: &str,
    what: &str,
    raw: &BTreeMap<String, Vec<String>>,
    columns: &[String],
) -> Result<Narrative, TemplateError> {
    let mut patterns = Vec::new();
    for (col, pats) in raw {
        let ci = columns.iter().position(|c| c == col).ok_or_else(|| {
            invalid(
                file,
                format!("{what}: narrative names unknown column `{col}`"),
            )
        })?;
        for p in pats {
            let re = regex::Regex::new(p)
                .map_err(|e| invalid(file, format!("{what}: narrative pattern {p:?}: {e}")))?;
            if re.captures_len() < 2 {
                return Err(invalid(
                    file,
                    format!("{what}: narrative pattern {p:?} has no group for the value"),
                ));
            }
            patterns.push((ci, re));
        }
    }
    Ok(Narrative { patterns })
}

/// Resolve names (exact, or `prefix.*`) to indices; `exclude` are left out of globs.
fn resolve(
    file: &str,
    id: &str,
    names: &[String],
    keys: &[&str],
    exclude: &[usize],
) -> Result<Vec<usize>, TemplateError> {
    let mut out = Vec::new();
    for n in names {
        let hits: Vec<usize> = match n.strip_suffix('*') {
            Some(prefix) => keys
                .iter()
                .enumerate()
                .filter(|(i, k)| k.starts_with(prefix) && !exclude.contains(i))
                .map(|(i, _)| i)
                .collect(),
            None => keys.iter().position(|k| k == n).into_iter().collect(),
        };
        if hits.is_empty() {
            return Err(invalid(file, format!("identity {id}: `{n}` names nothing")));
        }
        out.extend(hits);
    }
    Ok(out)
}

fn identities(
    file: &str,
    raw: &[RawIdentity],
    t: &Template,
) -> Result<Vec<Identity>, TemplateError> {
    let rows: Vec<&str> = t.t3_rows.iter().map(|r| r.key.as_str()).collect();
    let t3_cols: Vec<&str> = t.t3.columns.iter().map(String::as_str).collect();
    let t4_cols: Vec<&str> = t.t4.columns.iter().map(|c| c.key.as_str()).collect();
    let mut out: Vec<Identity> = Vec::new();
    for r in raw {
        let id = CheckId::parse(&r.id)
            .filter(|c| *c != CheckId::X1)
            .ok_or_else(|| invalid(file, format!("identity id `{}` is not one of I1-I4", r.id)))?;
        let over = Over::parse(&r.over).ok_or_else(|| {
            invalid(
                file,
                format!(
                    "identity {}: over `{}` is not t3_columns, t3_rows or t4_groups",
                    r.id, r.over
                ),
            )
        })?;
        let keys: &[&str] = match over {
            Over::T3Columns => &rows,
            Over::T3Rows => &t3_cols,
            Over::T4Groups => &t4_cols,
        };
        let lhs = resolve(file, &r.id, &r.lhs, keys, &[])?;
        let rhs = resolve(file, &r.id, &r.rhs, keys, &lhs)?;
        if lhs.iter().any(|l| rhs.contains(l)) {
            return Err(invalid(
                file,
                format!("identity {}: a cell on both sides", r.id),
            ));
        }
        if out.iter().any(|o| o.id == id) {
            return Err(invalid(file, format!("identity {} defined twice", r.id)));
        }
        out.push(Identity { id, over, lhs, rhs });
    }
    if out.is_empty() {
        return Err(invalid(file, "no identity is defined".into()));
    }
    Ok(out)
}

fn key_table(t: &Template) -> KeyTable {
    KeyTable {
        t2: t
            .blocks
            .iter()
            .map(|b| {
                b.rows
                    .iter()
                    .map(|r| {
                        b.columns
                            .iter()
                            .map(|c| format!("t2.{}.{}.{}", b.id, r.key, c))
                            .collect()
                    })
                    .collect()
            })
            .collect(),
        t3: t
            .t3_rows
            .iter()
            .map(|r| {
                t.t3.columns
                    .iter()
                    .map(|c| format!("t3.{}.{}", r.key, c))
                    .collect()
            })
            .collect(),
        t4: t
            .t4
            .groups
            .iter()
            .map(|g| {
                t.t4.columns
                    .iter()
                    .map(|c| format!("t4.{}.{}", g.key, c.key))
                    .collect()
            })
            .collect(),
    }
}

/// Generated Chinese label paths of a format's keys (for keys `keys.tsv` does not list).
pub(crate) fn label_paths(t: &Template) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (bi, b) in t.blocks.iter().enumerate() {
        for (ri, r) in b.rows.iter().enumerate() {
            for (ci, k) in t.keys.t2[bi][ri].iter().enumerate() {
                let col = b.column_labels.get(ci).map(String::as_str).unwrap_or("");
                let row = r.labels.first().map(String::as_str).unwrap_or("");
                let anchor = b.anchor.first().map(String::as_str).unwrap_or("");
                out.push((k.clone(), format!("{anchor} > {row} > {col}")));
            }
        }
    }
    for (ri, r) in t.t3_rows.iter().enumerate() {
        for (ci, k) in t.keys.t3[ri].iter().enumerate() {
            let col = t.t3.column_labels.get(ci).map(String::as_str).unwrap_or("");
            let row = r.labels.first().map(String::as_str).unwrap_or("");
            out.push((k.clone(), format!("{row} > {col}")));
        }
    }
    for (gi, g) in t.t4.groups.iter().enumerate() {
        for (ci, k) in t.keys.t4[gi].iter().enumerate() {
            let col = t.t4.columns.get(ci).map(|c| c.label.as_str()).unwrap_or("");
            out.push((k.clone(), format!("{} > {col}", g.label)));
        }
    }
    out
}

fn part4(file: &str, what: &str, v: &[RawPart4]) -> Result<Vec<Part4>, TemplateError> {
    if v.is_empty() {
        return Err(invalid(file, format!("table4: no {what}")));
    }
    unique(
        file,
        &format!("table4 {what}"),
        v.iter().map(|p| p.key.as_str()),
    )?;
    Ok(v.iter()
        .map(|p| Part4 {
            key: p.key.clone(),
            label: p.label.clone(),
            en: p.en.clone(),
        })
        .collect())
}

fn block(file: &str, b: &RawBlock) -> Result<Block, TemplateError> {
    let what = format!("block {}", b.id);
    if b.columns.is_empty() || b.rows.is_empty() {
        return Err(invalid(file, format!("{what}: needs columns and rows")));
    }
    unique(file, &what, b.columns.iter().map(String::as_str))?;
    unique(file, &what, b.rows.iter().map(|r| r.key.as_str()))?;
    for (name, v) in [
        ("column_labels", &b.column_labels),
        ("column_en", &b.column_en),
    ] {
        if !v.is_empty() && v.len() != b.columns.len() {
            return Err(invalid(
                file,
                format!("{what}: {name} does not match the columns"),
            ));
        }
    }
    let mut kinds = vec![ColumnKind::Count; b.columns.len()];
    for (col, kind) in &b.kinds {
        let ci = b
            .columns
            .iter()
            .position(|c| c == col)
            .ok_or_else(|| invalid(file, format!("{what}: kind for unknown column `{col}`")))?;
        kinds[ci] = ColumnKind::parse(kind).ok_or_else(|| {
            invalid(
                file,
                format!("{what}: kind `{kind}` is not count, signed, money_wan or money_cell"),
            )
        })?;
    }
    let col = |name: &str| {
        b.columns.iter().position(|c| c == name).ok_or_else(|| {
            invalid(
                file,
                format!("{what}: per_unit_max names unknown column `{name}`"),
            )
        })
    };
    let per_unit_max = match &b.per_unit_max {
        Some(p) => Some(PerUnitMax {
            column: col(&p.column)?,
            per: col(&p.per)?,
            max: p.max,
        }),
        None => None,
    };
    let mut rows = Vec::new();
    for r in &b.rows {
        let rw = format!("{what} row {}", r.key);
        rows.push(BlockRow {
            key: r.key.clone(),
            labels: labels(file, &rw, &r.labels)?,
            en: r.en.clone(),
            narrative: narrative(file, &rw, &r.narrative, &b.columns)?,
        });
    }
    Ok(Block {
        id: b.id.clone(),
        anchor: labels(file, &format!("{what} anchor"), &b.anchor)?,
        columns: b.columns.clone(),
        column_labels: b.column_labels.clone(),
        column_en: b.column_en.clone(),
        kinds,
        rows,
        per_unit_max,
    })
}

/// Parse and check a set of formats.
pub(crate) fn load(common: &str, formats: &[(&str, &str)]) -> Result<Vec<Template>, TemplateError> {
    const COMMON: &str = "common.toml";
    let c: RawCommon = toml::from_str(common).map_err(|source| TemplateError::Parse {
        file: COMMON.into(),
        source,
    })?;
    if c.table3.columns.is_empty() {
        return Err(invalid(COMMON, "table3: no columns".into()));
    }
    unique(
        COMMON,
        "table3 columns",
        c.table3.columns.iter().map(String::as_str),
    )?;
    for (name, v) in [
        ("column_en", &c.table3.column_en),
        ("column_labels", &c.table3.column_labels),
    ] {
        if v.len() != c.table3.columns.len() {
            return Err(invalid(
                COMMON,
                format!("table3: {name} does not match the columns"),
            ));
        }
    }
    let t3 = Table3Common {
        columns: c.table3.columns.clone(),
        column_en: c.table3.column_en.clone(),
        column_labels: c.table3.column_labels.clone(),
        start: labels(COMMON, "table3 start", &c.table3.start)?,
        noise: prep_all(&c.table3.noise),
    };
    let t4 = Table4 {
        groups: part4(COMMON, "groups", &c.table4.groups)?,
        columns: part4(COMMON, "columns", &c.table4.columns)?,
        start: labels(COMMON, "table4 start", &c.table4.start)?,
        header_words: prep_all(&c.table4.header_words),
    };
    let stops = labels(COMMON, "stops", &c.stops.labels)?;
    if formats.is_empty() {
        return Err(invalid(COMMON, "no format file".into()));
    }
    let mut out: Vec<Template> = Vec::new();
    for (file, text) in formats {
        let f: RawFormat = toml::from_str(text).map_err(|source| TemplateError::Parse {
            file: file.to_string(),
            source,
        })?;
        if f.id.is_empty() || out.iter().any(|t| t.id == f.id) {
            return Err(invalid(
                file,
                format!("format id `{}` is empty or used twice", f.id),
            ));
        }
        if f.blocks.is_empty() || f.table3.rows.is_empty() {
            return Err(invalid(
                file,
                "needs Table 二 blocks and Table 三 rows".into(),
            ));
        }
        unique(file, "blocks", f.blocks.iter().map(|b| b.id.as_str()))?;
        unique(
            file,
            "table3 rows",
            f.table3.rows.iter().map(|r| r.key.as_str()),
        )?;
        let blocks = f
            .blocks
            .iter()
            .map(|b| block(file, b))
            .collect::<Result<Vec<_>, _>>()?;
        let row_keys: Vec<&str> = f.table3.rows.iter().map(|r| r.key.as_str()).collect();
        let mut t3_rows = Vec::new();
        for r in &f.table3.rows {
            let rw = format!("table3 row {}", r.key);
            let parts = r
                .parts
                .iter()
                .map(|p| {
                    row_keys
                        .iter()
                        .position(|k| k == p)
                        .filter(|_| p != &r.key)
                        .ok_or_else(|| {
                            invalid(file, format!("{rw}: part `{p}` is not another row"))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            t3_rows.push(Table3Row {
                key: r.key.clone(),
                labels: labels(file, &rw, &r.labels)?,
                ordinal: prep(&r.ordinal),
                parts,
                en: r.en.clone(),
                narrative: narrative(file, &rw, &r.narrative, &t3.columns)?,
            });
        }
        let mut t2_noise = prep_all(&c.table2.noise);
        for b in &blocks {
            t2_noise.extend(b.column_labels.iter().map(|l| prep(l)));
            t2_noise.extend(b.anchor.iter().cloned());
        }
        let mut t = Template {
            id: f.id.clone(),
            name: f.name.clone(),
            markers: labels(file, "markers", &f.markers)?,
            first_year: f.first_year,
            last_year: f.last_year,
            blocks,
            t2_noise,
            t3_rows,
            t3: t3.clone(),
            t4: t4.clone(),
            stops: stops.clone(),
            identities: Vec::new(),
            keys: KeyTable::default(),
        };
        let raw_ids = f.identities.as_deref().unwrap_or(&c.identities);
        t.identities = identities(file, raw_ids, &t)?;
        t.keys = key_table(&t);
        unique(file, "keys", t.keys.all())?;
        out.push(t);
    }
    Ok(out)
}
