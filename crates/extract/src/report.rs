//! The report object: the public JSON contract of `nianbao extract --format json`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A table-format of the national report.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// 2019 format (国办公开办函〔2019〕60号), used for 2019-2020 reports.
    Gb2019,
    /// 2021 format (国办公开办函〔2021〕30号), used from 2021 reports on.
    Gb2021,
    /// A report under the 2007 Regulation, without the national tables.
    Pre2019,
    /// No national table recognised.
    #[default]
    Unknown,
}

impl Format {
    /// The string used in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Gb2019 => "gb2019",
            Format::Gb2021 => "gb2021",
            Format::Pre2019 => "pre2019",
            Format::Unknown => "unknown",
        }
    }
}

/// A cell value: an integer count, or a decimal amount (万元).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A count.
    Int(i64),
    /// A money amount in 万元.
    Dec(f64),
}

impl Value {
    /// The value as f64 for arithmetic.
    pub fn as_f64(self) -> f64 {
        match self {
            Value::Int(i) => i as f64,
            Value::Dec(d) => d,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Dec(d) => write!(f, "{d}"),
        }
    }
}

/// The result of one identity check on one scope (a column, a row or a group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Identity id: `I1`..`I4`.
    pub id: String,
    /// What it was applied to, e.g. `natural_person` (a column) or `new_received` (a row).
    pub scope: String,
    /// Whether the identity holds on the values as printed (or derived).
    pub holds: bool,
    /// A human-readable equation, e.g. `70 + 0 = 69 + 1`.
    pub detail: String,
}

/// How the charset of the source was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharsetInfo {
    /// WHATWG encoding name.
    pub name: String,
    /// `header`, `bom`, `meta`, `utf8_valid`, `detected` or `evidence`.
    pub source: String,
    /// Malformed byte sequences replaced while decoding (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub errors: usize,
    /// The declared or detected charset that the evidence overruled, with its errors and CJK
    /// count: `"GBK (meta): 37 errors, 0 CJK"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overruled: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl From<&nianbao_text::Decoded> for CharsetInfo {
    fn from(d: &nianbao_text::Decoded) -> Self {
        CharsetInfo {
            name: d.charset.to_string(),
            source: d.source.as_str().to_string(),
            errors: d.errors,
            overruled: d.overruled.map(|o| {
                format!(
                    "{} ({}): {} errors, {} CJK",
                    o.charset,
                    o.source.as_str(),
                    o.errors,
                    o.cjk
                )
            }),
        }
    }
}

/// One extracted report. Serialises to the JSON contract documented in the README.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    /// The input path or URL.
    pub source: String,
    /// Report title.
    pub title: Option<String>,
    /// Reporting agency, simplified characters.
    pub agency: Option<String>,
    /// The year reported on (not the year published).
    pub year: Option<i32>,
    /// Detected table format.
    pub format: Format,
    /// Every key of the format; `null` when missing.
    pub cells: BTreeMap<String, Option<Value>>,
    /// Flags per key (`blank`, `derived`, `ambiguous`, `unit_unknown`, ...).
    pub flags: BTreeMap<String, Vec<String>>,
    /// Identity checks.
    pub checks: Vec<Check>,
    /// Non-template rows and lines, keyed by normalised label.
    pub extras: BTreeMap<String, serde_json::Value>,
    /// Raw source text of each cell that was read (for the long CSV).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub raw: BTreeMap<String, String>,
    /// Report-level flags (`image_only`, `unsupported_format`, `no_tables`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_flags: Vec<String>,
    /// Page metadata from HTML (title, agency, date, index number, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<serde_json::Value>,
    /// Charset of the source and how it was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<CharsetInfo>,
    /// Absolute URLs of attachments (PDF, Word, Excel, ...) linked from the page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// Image URLs when the tables were published as images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Where the report came from: file, url, sha256, pages of tables, alternatives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<serde_json::Value>,
    /// Set when the input could not be read at all; the other fields are then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
