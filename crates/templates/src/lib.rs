//! The national table formats as data. The files under `data/templates/` (`common.toml`,
//! `gb2019.toml`, `gb2021.toml`, `keys.tsv`) are compiled into the binary and parsed once; the
//! aligner only walks these structures, so the next revision of the national format is a new
//! data file and a test, not a refactor.
//!
//! ```
//! let t = nianbao_templates::templates();
//! assert_eq!(t.len(), 2);
//! assert_eq!(t[0].keys().len(), 22 + 161 + 15);
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const COMMON: &str = include_str!("../../../data/templates/common.toml");
const GB2019: &str = include_str!("../../../data/templates/gb2019.toml");
const GB2021: &str = include_str!("../../../data/templates/gb2021.toml");
const KEYS_TSV: &str = include_str!("../../../data/templates/keys.tsv");

/// A row of a Table 二 block.
#[derive(Debug, Clone, Deserialize)]
pub struct BlockRow {
    /// Row key segment, e.g. `rule`.
    pub key: String,
    /// Labels in compact form, most specific first.
    pub labels: Vec<String>,
    /// English description.
    #[serde(default)]
    pub en: String,
}

/// A block of Table 二 (one item of Article 20).
#[derive(Debug, Clone, Deserialize)]
pub struct Block {
    /// Block id, e.g. `a20_1`.
    pub id: String,
    /// Title labels (`第二十条第(一)项`).
    pub anchor: Vec<String>,
    /// Column key segments in data order.
    pub columns: Vec<String>,
    /// Column header labels as printed.
    #[serde(default)]
    pub column_labels: Vec<String>,
    /// English column descriptions.
    #[serde(default)]
    pub column_en: Vec<String>,
    /// Money columns: column → `wan` (header says 万元) or `cell` (unit only in the cell).
    #[serde(default)]
    pub money: BTreeMap<String, String>,
    /// Rows in template order.
    pub rows: Vec<BlockRow>,
}

/// A row of Table 三.
#[derive(Debug, Clone, Deserialize)]
pub struct Table3Row {
    /// Row path, e.g. `result.denied.state_secret`.
    pub key: String,
    /// Labels in compact form, most specific first.
    pub labels: Vec<String>,
    /// Printed ordinal (`一`, `(一)`, `1`), used to trim the ordinal of the next label off a
    /// value run in glued text.
    #[serde(default)]
    pub ordinal: String,
    /// True when the format defines the row as the sum of sub-rows (gb2021 （六）).
    #[serde(default)]
    pub derived: bool,
    /// English description.
    #[serde(default)]
    pub en: String,
}

/// Parts of Table 三 shared by both formats.
#[derive(Debug, Clone, Deserialize)]
pub struct Table3Common {
    /// Column key suffixes in data order.
    pub columns: Vec<String>,
    /// English column descriptions.
    pub column_en: Vec<String>,
    /// Column label paths.
    pub column_labels: Vec<String>,
    /// Labels that mark the start of the table.
    pub start: Vec<String>,
    /// Group labels and header words that may appear between rows.
    pub noise: Vec<String>,
}

/// Table 四: one data row of 15 cells.
#[derive(Debug, Clone, Deserialize)]
pub struct Table4Common {
    /// Key suffixes (`review.upheld`, ...) in data order.
    pub columns: Vec<String>,
    /// Labels that mark the start of the table.
    pub start: Vec<String>,
    /// Header words printed above the data row.
    pub header_words: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Stops {
    labels: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct CommonFile {
    table3: Table3Common,
    table4: Table4Common,
    stops: Stops,
}

#[derive(Debug, Clone, Deserialize)]
struct Table3Rows {
    rows: Vec<Table3Row>,
}

#[derive(Debug, Clone, Deserialize)]
struct FormatFile {
    id: String,
    name: String,
    markers: Vec<String>,
    blocks: Vec<Block>,
    table3: Table3Rows,
}

/// One national format, ready for the aligner. All labels are in compact form
/// ([`nianbao_text::compact`] of [`nianbao_text::normalize`]).
#[derive(Debug, Clone)]
pub struct Template {
    /// `gb2019` or `gb2021`.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Header texts only this format prints.
    pub markers: Vec<String>,
    /// Table 二 blocks.
    pub blocks: Vec<Block>,
    /// Table 三 rows in template order.
    pub t3_rows: Vec<Table3Row>,
    /// Table 三 shared parts.
    pub t3: Table3Common,
    /// Table 四.
    pub t4: Table4Common,
    /// Section headings that end the last table.
    pub stops: Vec<String>,
}

impl Template {
    /// Every cell key of this format, in table order (the CSV column order).
    pub fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for b in &self.blocks {
            for r in &b.rows {
                for c in &b.columns {
                    keys.push(format!("t2.{}.{}.{}", b.id, r.key, c));
                }
            }
        }
        for r in &self.t3_rows {
            for c in &self.t3.columns {
                keys.push(format!("t3.{}.{}", r.key, c));
            }
        }
        for c in &self.t4.columns {
            keys.push(format!("t4.{c}"));
        }
        keys
    }
}

/// Error loading the bundled template data (only possible if the data files are edited).
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A TOML file does not parse.
    #[error("template data {file}: {source}")]
    Parse {
        /// The file.
        file: &'static str,
        /// The cause.
        source: toml::de::Error,
    },
}

fn prep(s: &str) -> String {
    nianbao_text::compact(&nianbao_text::normalize(s))
}

fn prep_all(v: &mut [String]) {
    for s in v.iter_mut() {
        *s = prep(s);
    }
}

fn load() -> Result<Vec<Template>, TemplateError> {
    let common: CommonFile = toml::from_str(COMMON).map_err(|source| TemplateError::Parse {
        file: "common.toml",
        source,
    })?;
    let mut out = Vec::new();
    for (file, text) in [("gb2019.toml", GB2019), ("gb2021.toml", GB2021)] {
        let f: FormatFile =
            toml::from_str(text).map_err(|source| TemplateError::Parse { file, source })?;
        let mut t = Template {
            id: f.id,
            name: f.name,
            markers: f.markers,
            blocks: f.blocks,
            t3_rows: f.table3.rows,
            t3: common.table3.clone(),
            t4: common.table4.clone(),
            stops: common.stops.labels.clone(),
        };
        prep_all(&mut t.markers);
        prep_all(&mut t.stops);
        prep_all(&mut t.t3.start);
        prep_all(&mut t.t3.noise);
        prep_all(&mut t.t4.start);
        prep_all(&mut t.t4.header_words);
        for b in &mut t.blocks {
            prep_all(&mut b.anchor);
            for r in &mut b.rows {
                prep_all(&mut r.labels);
            }
        }
        for r in &mut t.t3_rows {
            prep_all(&mut r.labels);
            r.ordinal = prep(&r.ordinal);
        }
        out.push(t);
    }
    Ok(out)
}

/// The bundled formats, gb2019 first. Empty only if the bundled data is broken, which the
/// tests of this crate rule out.
pub fn templates() -> &'static [Template] {
    static T: OnceLock<Vec<Template>> = OnceLock::new();
    T.get_or_init(|| load().unwrap_or_default())
}

/// Load the bundled formats, reporting a parse error instead of returning nothing.
pub fn try_templates() -> Result<Vec<Template>, TemplateError> {
    load()
}

/// The template with this id (`gb2019`, `gb2021`).
pub fn template(id: &str) -> Option<&'static Template> {
    templates().iter().find(|t| t.id == id)
}

/// One line of the codebook (data/templates/keys.tsv, from spec/templates.md appendix A).
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// The canonical key.
    pub key: String,
    /// Formats it belongs to, as printed in keys.tsv (`gb2019,gb2021`, `gb2019 (gb2021: derived)`).
    pub formats: String,
    /// The Chinese label path.
    pub label_path: String,
}

/// Every canonical key with its formats and Chinese label path, in keys.tsv order.
pub fn key_infos() -> Vec<KeyInfo> {
    KEYS_TSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut it = l.split('\t');
            let key = it.next()?.trim().to_string();
            let formats = it.next()?.trim().to_string();
            let label_path = it.next()?.trim().to_string();
            (!key.is_empty()).then_some(KeyInfo {
                key,
                formats,
                label_path,
            })
        })
        .collect()
}

/// English description of a key, built from the template data.
pub fn describe(key: &str) -> String {
    for t in templates() {
        for b in &t.blocks {
            for r in &b.rows {
                for (i, c) in b.columns.iter().enumerate() {
                    if key == format!("t2.{}.{}.{}", b.id, r.key, c) {
                        let ce = b.column_en.get(i).cloned().unwrap_or_default();
                        return format!(
                            "Table 2, Art. 20 item {}: {}: {}",
                            b.id.trim_start_matches("a20_"),
                            r.en,
                            ce
                        );
                    }
                }
            }
        }
        for r in &t.t3_rows {
            for (i, c) in t.t3.columns.iter().enumerate() {
                if key == format!("t3.{}.{}", r.key, c) {
                    let ce = t.t3.column_en.get(i).cloned().unwrap_or_default();
                    return format!("Table 3 (applications): {}: {}", r.en, ce);
                }
            }
        }
    }
    if let Some(rest) = key.strip_prefix("t4.") {
        let mut parts = rest.split('.');
        let g = match parts.next() {
            Some("review") => "administrative review",
            Some("suit_direct") => "lawsuits without prior review",
            Some("suit_after_review") => "lawsuits after review",
            _ => "",
        };
        let c = match parts.next() {
            Some("upheld") => "upheld",
            Some("corrected") => "corrected",
            Some("other") => "other outcome",
            Some("pending") => "pending",
            Some("total") => "total",
            _ => "",
        };
        return format!("Table 4 (review and litigation): {g}: {c}");
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_data_parses_and_matches_keys_tsv() {
        let ts = try_templates().expect("bundled templates parse");
        let infos = key_infos();
        assert_eq!(infos.len(), 226);
        for t in &ts {
            let keys = t.keys();
            for k in &keys {
                let info = infos.iter().find(|i| &i.key == k);
                assert!(info.is_some(), "{} key {k} not in keys.tsv", t.id);
            }
            let expected = infos.iter().filter(|i| i.formats.contains(&t.id)).count();
            assert_eq!(keys.len(), expected, "{}", t.id);
        }
        assert_eq!(ts[0].keys().len(), 22 + 161 + 15);
        assert_eq!(ts[1].keys().len(), 10 + 182 + 15);
    }

    #[test]
    fn labels_are_compacted() {
        let t = template("gb2019").expect("gb2019");
        assert_eq!(t.blocks[0].anchor[0], "第二十条第(一)项");
        assert!(describe("t3.new_received.total").contains("new applications"));
    }
}
