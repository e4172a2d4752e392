//! The parts of a national format, as the aligner and the checks use them. Everything here is
//! read from `data/templates/`; labels are in compact form.

use crate::identity::Identity;
use regex::Regex;

/// How a column's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A count (a non-negative integer).
    Count,
    /// A signed change (`本年增/减`: `+2`, `-1`, `减4`).
    Signed,
    /// Money whose header states 万元.
    MoneyWan,
    /// Money whose unit is only printed in the cell, if at all.
    MoneyCell,
}

impl ColumnKind {
    /// Parse the data-file name (`count`, `signed`, `money_wan`, `money_cell`).
    pub fn parse(s: &str) -> Option<ColumnKind> {
        Some(match s {
            "count" => ColumnKind::Count,
            "signed" => ColumnKind::Signed,
            "money_wan" => ColumnKind::MoneyWan,
            "money_cell" => ColumnKind::MoneyCell,
            _ => return None,
        })
    }

    /// Unit of the column for the codebook (`count`, `change`, `万元`).
    pub fn unit(self) -> &'static str {
        match self {
            ColumnKind::Count => "count",
            ColumnKind::Signed => "change (signed count)",
            ColumnKind::MoneyWan | ColumnKind::MoneyCell => "万元",
        }
    }
}

/// Statements in the narrative that name a cell: regular expressions over the compact text,
/// whose first group is the value.
#[derive(Debug, Clone, Default)]
pub struct Narrative {
    /// `(column index, pattern)`.
    pub patterns: Vec<(usize, Regex)>,
}

impl Narrative {
    /// The values the narrative states for column `col`, in text order.
    pub fn values(&self, col: usize, compact_text: &str) -> Vec<i64> {
        self.patterns
            .iter()
            .filter(|(c, _)| *c == col)
            .flat_map(|(_, re)| re.captures_iter(compact_text))
            .filter_map(|c| c.get(1)?.as_str().parse().ok())
            .collect()
    }

    /// True when no statement is defined.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// A row of a Table 二 block.
#[derive(Debug, Clone)]
pub struct BlockRow {
    /// Row key segment, e.g. `rule`.
    pub key: String,
    /// Labels in compact form, most specific first.
    pub labels: Vec<String>,
    /// English description.
    pub en: String,
    /// Narrative statements naming this row's cells.
    pub narrative: Narrative,
}

/// A plausibility bound for money printed without a unit: `column / per ≤ max` as 万元.
#[derive(Debug, Clone)]
pub struct PerUnitMax {
    /// The money column (index).
    pub column: usize,
    /// The count column it is divided by (index).
    pub per: usize,
    /// The largest plausible ratio.
    pub max: f64,
}

/// A block of Table 二 (one item of Article 20).
#[derive(Debug, Clone)]
pub struct Block {
    /// Block id, e.g. `a20_1`.
    pub id: String,
    /// Title labels (`第二十条第(一)项`), compact.
    pub anchor: Vec<String>,
    /// Column key segments in data order.
    pub columns: Vec<String>,
    /// Column header labels as printed.
    pub column_labels: Vec<String>,
    /// English column descriptions.
    pub column_en: Vec<String>,
    /// How each column is read.
    pub kinds: Vec<ColumnKind>,
    /// Rows in template order.
    pub rows: Vec<BlockRow>,
    /// Plausibility bound for a money column without unit.
    pub per_unit_max: Option<PerUnitMax>,
}

/// A row of Table 三.
#[derive(Debug, Clone)]
pub struct Table3Row {
    /// Row path, e.g. `result.denied.state_secret`.
    pub key: String,
    /// Labels in compact form, most specific first.
    pub labels: Vec<String>,
    /// Printed ordinal (`一`, `(一)`, `1`), used to trim the ordinal of the next label off a
    /// value run in glued text.
    pub ordinal: String,
    /// Rows (indices) this row is the sum of (gb2021 （六）); empty for ordinary rows.
    pub parts: Vec<usize>,
    /// English description.
    pub en: String,
    /// Narrative statements naming this row's cells.
    pub narrative: Narrative,
}

impl Table3Row {
    /// True when the format defines the row as the sum of sub-rows.
    pub fn is_derived(&self) -> bool {
        !self.parts.is_empty()
    }
}

/// Parts of Table 三 shared by the formats.
#[derive(Debug, Clone)]
pub struct Table3Common {
    /// Column key suffixes in data order.
    pub columns: Vec<String>,
    /// English column descriptions.
    pub column_en: Vec<String>,
    /// Column label paths.
    pub column_labels: Vec<String>,
    /// Labels that mark the start of the table, compact.
    pub start: Vec<String>,
    /// Group labels and header words that may appear between rows, compact.
    pub noise: Vec<String>,
}

/// A group or a column of Table 四.
#[derive(Debug, Clone)]
pub struct Part4 {
    /// Key segment.
    pub key: String,
    /// Chinese label path.
    pub label: String,
    /// English description.
    pub en: String,
}

/// Table 四: one data row, groups × columns.
#[derive(Debug, Clone)]
pub struct Table4 {
    /// Groups in data order (`review`, `suit_direct`, `suit_after_review`).
    pub groups: Vec<Part4>,
    /// Columns of each group in data order (`upheld` … `total`).
    pub columns: Vec<Part4>,
    /// Labels that mark the start of the table, compact.
    pub start: Vec<String>,
    /// Header words printed above the data row, compact.
    pub header_words: Vec<String>,
}

impl Table4 {
    /// Number of cells of the data row.
    pub fn width(&self) -> usize {
        self.groups.len() * self.columns.len()
    }
}

/// Every key of a format, built once, in table order (the CSV column order).
#[derive(Debug, Clone, Default)]
pub struct KeyTable {
    /// `t2[block][row][col]`.
    pub t2: Vec<Vec<Vec<String>>>,
    /// `t3[row][col]`.
    pub t3: Vec<Vec<String>>,
    /// `t4[group][col]`.
    pub t4: Vec<Vec<String>>,
}

impl KeyTable {
    /// Every key in table order.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.t2
            .iter()
            .flatten()
            .flatten()
            .chain(self.t3.iter().flatten())
            .chain(self.t4.iter().flatten())
            .map(String::as_str)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.all().count()
    }

    /// True when the format has no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One national format, ready for the aligner. All labels are in compact form
/// ([`nianbao_text::compact`] of [`nianbao_text::normalize`]).
#[derive(Debug, Clone)]
pub struct Template {
    /// Format id (`gb2019`, `gb2021`, or the id of a format added as data).
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// Header texts only this format prints.
    pub markers: Vec<String>,
    /// First report year the format is used for, if bounded.
    pub first_year: Option<i32>,
    /// Last report year the format was used for, if bounded.
    pub last_year: Option<i32>,
    /// Table 二 blocks.
    pub blocks: Vec<Block>,
    /// Header words of Table 二 (and every block title and column label), compact.
    pub t2_noise: Vec<String>,
    /// Table 三 rows in template order.
    pub t3_rows: Vec<Table3Row>,
    /// Table 三 shared parts.
    pub t3: Table3Common,
    /// Table 四.
    pub t4: Table4,
    /// Section headings that end the last table, compact.
    pub stops: Vec<String>,
    /// The identities, resolved to rows and columns of this format.
    pub identities: Vec<Identity>,
    /// Every key.
    pub keys: KeyTable,
}

impl Template {
    /// Every cell key of this format, in table order (the CSV column order).
    pub fn keys(&self) -> Vec<String> {
        self.keys.all().map(str::to_string).collect()
    }

    /// Was the format in use for reports on `year`?
    pub fn used_in(&self, year: i32) -> bool {
        self.first_year.is_none_or(|f| year >= f) && self.last_year.is_none_or(|l| year <= l)
    }

    /// Index of a Table 三 row by key.
    pub fn t3_row(&self, key: &str) -> Option<usize> {
        self.t3_rows.iter().position(|r| r.key == key)
    }
}
