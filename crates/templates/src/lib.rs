//! The national table formats as data, and the only place they are defined. Everything the
//! aligner and the checks know about a format is read from `data/templates/`:
//!
//! * `common.toml`: what the formats share: Table 三 columns, start labels and noise words,
//!   Table 四 groups and columns, the header words of Table 二, the section headings that end
//!   the tables, and the identities I1-I4 ([`identity`]);
//! * one file per format (`gb2019.toml`, `gb2021.toml`): its id, the header texts only it
//!   prints (format detection), Table 二 blocks with column kinds and narrative statements,
//!   Table 三 rows with label variants and derived rows; it may also override the identities;
//! * `keys.tsv`: the codebook's Chinese label paths (spec/templates.md appendix A).
//!
//! The bundled files are compiled into the binary and checked once ([`bundled`]): a broken file
//! is an error naming the file and the problem, never an empty or partial format. A directory
//! with the same layout loads the same way ([`TemplateSet::load_dir`]), so a new national
//! format is a data file plus its tests.
//!
//! ```
//! let set = nianbao_templates::bundled().expect("bundled templates are valid");
//! assert_eq!(set.formats().len(), 2);
//! assert_eq!(set.formats()[0].keys().len(), 22 + 161 + 15);
//! ```

pub mod identity;
mod load;
pub mod model;

pub use identity::{CheckId, Identity, Over};
pub use load::TemplateError;
pub use model::{
    Block, BlockRow, ColumnKind, KeyTable, Narrative, Part4, PerUnitMax, Table3Common, Table3Row,
    Table4, Template,
};

use std::path::Path;
use std::sync::OnceLock;

const COMMON: &str = include_str!("../../../data/templates/common.toml");
const GB2019: &str = include_str!("../../../data/templates/gb2019.toml");
const GB2021: &str = include_str!("../../../data/templates/gb2021.toml");
const KEYS_TSV: &str = include_str!("../../../data/templates/keys.tsv");

/// A set of formats (the bundled ones, or a directory of data files) with its codebook.
#[derive(Debug, Clone)]
pub struct TemplateSet {
    formats: Vec<Template>,
    key_infos: Vec<KeyInfo>,
}

impl TemplateSet {
    /// Build a set from the texts of `common.toml`, the format files (`(file name, text)`,
    /// in detection order) and optionally `keys.tsv`. Every file is parsed and checked.
    pub fn from_sources(
        common: &str,
        formats: &[(&str, &str)],
        keys_tsv: Option<&str>,
    ) -> Result<TemplateSet, TemplateError> {
        let formats = load::load(common, formats)?;
        let key_infos = key_infos_of(&formats, keys_tsv.unwrap_or(""));
        Ok(TemplateSet { formats, key_infos })
    }

    /// Load a directory laid out like `data/templates/`: `common.toml`, an optional
    /// `keys.tsv`, and every other `*.toml` file as one format (in file-name order).
    pub fn load_dir(dir: &Path) -> Result<TemplateSet, TemplateError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|source| TemplateError::Io {
                path: p.display().to_string(),
                source,
            })
        };
        let common = read(&dir.join("common.toml"))?;
        let keys = dir.join("keys.tsv");
        let keys = if keys.exists() {
            Some(read(&keys)?)
        } else {
            None
        };
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| TemplateError::Io {
                path: dir.display().to_string(),
                source,
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|e| e == "toml")
                    && p.file_name().is_some_and(|n| n != "common.toml")
            })
            .collect();
        files.sort();
        let mut texts = Vec::new();
        for f in &files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            texts.push((name, read(f)?));
        }
        let refs: Vec<(&str, &str)> = texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        TemplateSet::from_sources(&common, &refs, keys.as_deref())
    }

    /// The formats, in detection order.
    pub fn formats(&self) -> &[Template] {
        &self.formats
    }

    /// The format with this id.
    pub fn get(&self, id: &str) -> Option<&Template> {
        self.formats.iter().find(|t| t.id == id)
    }

    /// Every key of every format with its formats and Chinese label path: the `keys.tsv`
    /// entries in file order, then keys of formats that `keys.tsv` does not list.
    pub fn key_infos(&self) -> &[KeyInfo] {
        &self.key_infos
    }

    /// English description of a key, built from the template data (empty when unknown).
    pub fn describe(&self, key: &str) -> String {
        for t in &self.formats {
            for (bi, b) in t.blocks.iter().enumerate() {
                for (ri, r) in b.rows.iter().enumerate() {
                    if let Some(ci) = t.keys.t2[bi][ri].iter().position(|k| k == key) {
                        let ce = b.column_en.get(ci).map(String::as_str).unwrap_or("");
                        let item = b.id.trim_start_matches("a20_");
                        return format!("Table 2, Art. 20 item {item}: {}: {ce}", r.en);
                    }
                }
            }
            for (ri, r) in t.t3_rows.iter().enumerate() {
                if let Some(ci) = t.keys.t3[ri].iter().position(|k| k == key) {
                    let ce = t.t3.column_en.get(ci).map(String::as_str).unwrap_or("");
                    return format!("Table 3 (applications): {}: {ce}", r.en);
                }
            }
            for (gi, g) in t.t4.groups.iter().enumerate() {
                if let Some(ci) = t.keys.t4[gi].iter().position(|k| k == key) {
                    let ce = t.t4.columns.get(ci).map(|c| c.en.as_str()).unwrap_or("");
                    return format!("Table 4 (review and litigation): {}: {ce}", g.en);
                }
            }
        }
        String::new()
    }
}

/// The bundled formats (`data/templates/`, compiled in), parsed and checked once. An error
/// names the broken file and what is wrong; the binary refuses to start on it.
pub fn bundled() -> Result<&'static TemplateSet, &'static TemplateError> {
    static SET: OnceLock<Result<TemplateSet, TemplateError>> = OnceLock::new();
    SET.get_or_init(|| {
        TemplateSet::from_sources(
            COMMON,
            &[("gb2019.toml", GB2019), ("gb2021.toml", GB2021)],
            Some(KEYS_TSV),
        )
    })
    .as_ref()
}

/// The bundled formats, gb2019 first. Empty only when [`bundled`] is an error, which the
/// binary checks before doing anything else.
pub fn templates() -> &'static [Template] {
    bundled().map(TemplateSet::formats).unwrap_or(&[])
}

/// The bundled template with this id (`gb2019`, `gb2021`).
pub fn template(id: &str) -> Option<&'static Template> {
    templates().iter().find(|t| t.id == id)
}

/// One line of the codebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The canonical key.
    pub key: String,
    /// Formats it belongs to, as printed in keys.tsv (`gb2019,gb2021`, `gb2019 (gb2021: derived)`).
    pub formats: String,
    /// The Chinese label path.
    pub label_path: String,
}

fn key_infos_of(formats: &[Template], keys_tsv: &str) -> Vec<KeyInfo> {
    let mut out: Vec<KeyInfo> = keys_tsv
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
        .collect();
    let listed: std::collections::HashSet<String> = out.iter().map(|k| k.key.clone()).collect();
    let mut extra: Vec<KeyInfo> = Vec::new();
    for t in formats {
        for (key, path) in load::label_paths(t) {
            if listed.contains(&key) {
                continue;
            }
            match extra.iter_mut().find(|k| k.key == key) {
                Some(k) => {
                    k.formats.push(',');
                    k.formats.push_str(&t.id);
                }
                None => extra.push(KeyInfo {
                    key,
                    formats: t.id.clone(),
                    label_path: path,
                }),
            }
        }
    }
    out.extend(extra);
    out
}

/// Every canonical key of the bundled formats with its formats and Chinese label path.
pub fn key_infos() -> Vec<KeyInfo> {
    match bundled() {
        Ok(s) => s.key_infos().to_vec(),
        Err(_) => key_infos_of(&[], KEYS_TSV),
    }
}

/// English description of a key of the bundled formats.
pub fn describe(key: &str) -> String {
    bundled().map(|s| s.describe(key)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_data_parses_and_matches_keys_tsv() {
        let set = bundled().expect("bundled templates are valid");
        let ts = set.formats();
        let infos = key_infos_of(&[], KEYS_TSV);
        assert_eq!(infos.len(), 226);
        assert_eq!(
            set.key_infos().len(),
            226,
            "every bundled key is in keys.tsv"
        );
        for t in ts {
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
    fn labels_are_compacted_and_descriptions_built() {
        let t = template("gb2019").expect("gb2019");
        assert_eq!(t.blocks[0].anchor[0], "第二十条第(一)项");
        assert!(describe("t3.new_received.total").contains("new applications"));
        assert_eq!(
            describe("t4.suit_direct.pending"),
            "Table 4 (review and litigation): lawsuits without prior review: pending"
        );
        assert_eq!(
            describe("t2.a20_5.license.change"),
            "Table 2, Art. 20 item 5: administrative licensing: change this year (signed)"
        );
    }

    #[test]
    fn identities_and_kinds_come_from_the_data() {
        let t = template("gb2021").expect("gb2021");
        let ids: Vec<&str> = t.identities.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["I1", "I2", "I3", "I4"]);
        let i3 = &t.identities[2];
        assert_eq!(i3.over, Over::T3Columns);
        // Every result row but the total, including （六） and its three parts.
        assert_eq!(i3.rhs.len(), 22);
        let other = t.t3_row("result.other.total").expect("row");
        assert_eq!(t.t3_rows[other].parts.len(), 3);
        let t19 = template("gb2019").expect("gb2019");
        assert_eq!(t19.blocks[1].kinds[1], ColumnKind::Signed);
        assert_eq!(t19.blocks[4].kinds[1], ColumnKind::MoneyCell);
    }
}
