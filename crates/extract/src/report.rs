//! The report object: the public JSON contract of `nianbao extract --format json`.

use crate::flags::{CellFlag, ReportFlag};
use nianbao_templates::CheckId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A table-format of the national report. Serialises to its id (`gb2019`, `gb2021`,
/// `pre2019`, `unknown`, or the id of a format added as a data file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, PartialOrd, Ord, Hash)]
#[serde(from = "String", into = "String")]
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
    /// A national format defined only in template data (its id).
    Other(String),
}

impl Format {
    /// The string used in JSON and CSV.
    pub fn as_str(&self) -> &str {
        match self {
            Format::Gb2019 => "gb2019",
            Format::Gb2021 => "gb2021",
            Format::Pre2019 => "pre2019",
            Format::Unknown => "unknown",
            Format::Other(id) => id,
        }
    }

    /// The format of a template id.
    pub fn from_id(id: &str) -> Format {
        match id {
            "gb2019" => Format::Gb2019,
            "gb2021" => Format::Gb2021,
            "pre2019" => Format::Pre2019,
            "unknown" | "" => Format::Unknown,
            other => Format::Other(other.to_string()),
        }
    }

    /// True for a format with the national tables (not `pre2019` or `unknown`).
    pub fn is_national(&self) -> bool {
        !matches!(self, Format::Pre2019 | Format::Unknown)
    }
}

impl From<String> for Format {
    fn from(s: String) -> Format {
        Format::from_id(&s)
    }
}

impl From<Format> for String {
    fn from(f: Format) -> String {
        f.as_str().to_string()
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
    pub id: CheckId,
    /// What it was applied to, e.g. `natural_person` (a column) or `new_received` (a row).
    pub scope: String,
    /// Whether the identity holds on the values as printed (or derived).
    pub holds: bool,
    /// A human-readable equation, e.g. `70 + 0 = 69 + 1`.
    pub detail: String,
}

pub use nianbao_text::CharsetInfo;

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
    pub flags: BTreeMap<String, Vec<CellFlag>>,
    /// Identity checks.
    pub checks: Vec<Check>,
    /// Non-template rows and lines, keyed by normalised label.
    pub extras: BTreeMap<String, serde_json::Value>,
    /// Raw source text of each cell that was read (for the long CSV).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub raw: BTreeMap<String, String>,
    /// Report-level flags (`image_only`, `unsupported_format`, `no_tables`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub report_flags: Vec<ReportFlag>,
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
