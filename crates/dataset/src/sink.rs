//! The writer seam. The dataset step produces rows of typed [`Field`]s for a few tables
//! ([`Table`]); a [`Format`] (CSV, Parquet, JSON Lines) turns each table into a [`Sink`] that
//! writes those rows. Building rows knows nothing about file formats and a writer knows nothing
//! about reports — the split ripgrep makes between searching and its `Sink`/printers.

use crate::DatasetError;
use std::borrow::Cow;
use std::path::Path;

/// The type of a column; each writer maps it to its own (CSV: text, Parquet: a physical type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Free text.
    Text,
    /// A JSON document stored as text (an object in JSON Lines).
    Json,
    /// A 64-bit integer (counts, years, offsets).
    Int,
    /// A decimal amount (万元), up to 6 decimals.
    Dec,
    /// `true` / `false`.
    Bool,
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// A UTC timestamp, RFC 3339.
    Timestamp,
}

impl ColType {
    /// The name used in the codebook.
    pub fn as_str(self) -> &'static str {
        match self {
            ColType::Text => "text",
            ColType::Json => "json",
            ColType::Int => "integer",
            ColType::Dec => "decimal",
            ColType::Bool => "boolean",
            ColType::Date => "date",
            ColType::Timestamp => "timestamp",
        }
    }
}

/// One column: its name in the file (long key or short name) and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header written.
    pub name: String,
    /// The value type.
    pub ty: ColType,
}

/// A table of the dataset: its file stem (`reports`, `cells`, …) and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// File stem: `reports` → `reports.csv`, `parquet/reports.parquet`, `jsonl/reports.jsonl`.
    pub name: &'static str,
    /// Columns in order.
    pub columns: Vec<Column>,
}

/// One value of a row. `Null` is written as an empty field (never a fake 0).
#[derive(Debug, Clone, PartialEq)]
pub enum Field<'a> {
    /// Missing.
    Null,
    /// Text, JSON text, a date or a timestamp (the column type tells which).
    Text(Cow<'a, str>),
    /// An integer.
    Int(i64),
    /// A decimal.
    Dec(f64),
    /// A boolean.
    Bool(bool),
}

impl<'a> Field<'a> {
    /// Text, or `Null` when empty.
    pub fn text(s: &'a str) -> Field<'a> {
        if s.is_empty() {
            Field::Null
        } else {
            Field::Text(Cow::Borrowed(s))
        }
    }

    /// Owned text, or `Null` when empty.
    pub fn owned(s: String) -> Field<'static> {
        if s.is_empty() {
            Field::Null
        } else {
            Field::Text(Cow::Owned(s))
        }
    }

    /// Optional text.
    pub fn opt(s: Option<&'a str>) -> Field<'a> {
        s.map_or(Field::Null, Field::text)
    }

    /// Optional integer.
    pub fn int(v: Option<i64>) -> Field<'static> {
        v.map_or(Field::Null, Field::Int)
    }
}

/// Writes the rows of one table in one format.
pub trait Sink {
    /// Write one row; `row.len()` equals the table's column count.
    fn write_row(&mut self, row: &[Field<'_>]) -> Result<(), DatasetError>;
    /// Flush and sync the file. Nothing is complete before this returns `Ok`.
    fn finish(self: Box<Self>) -> Result<(), DatasetError>;
}

/// A file format of the dataset.
pub trait Format {
    /// Short name (`csv`, `parquet`, `jsonl`).
    fn name(&self) -> &'static str;
    /// Where the table goes under the dataset folder, relative (`reports.csv`, …).
    fn file_name(&self, table: &Table) -> String;
    /// Start writing `table` at `dir.join(self.file_name(table))` (parent folders created).
    fn open(&self, dir: &Path, table: &Table) -> Result<Box<dyn Sink>, DatasetError>;
}

/// One table written in every selected format at once.
pub struct TableOut {
    table: Table,
    sinks: Vec<Box<dyn Sink>>,
}

impl TableOut {
    /// Open `table` in every format under `dir`.
    pub fn open(
        dir: &Path,
        table: Table,
        formats: &[Box<dyn Format>],
    ) -> Result<Self, DatasetError> {
        let sinks = formats
            .iter()
            .map(|f| f.open(dir, &table))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TableOut { table, sinks })
    }

    /// The table written.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Write a row to every format.
    pub fn row(&mut self, row: &[Field<'_>]) -> Result<(), DatasetError> {
        debug_assert_eq!(row.len(), self.table.columns.len(), "{}", self.table.name);
        for s in &mut self.sinks {
            s.write_row(row)?;
        }
        Ok(())
    }

    /// Finish every format.
    pub fn finish(self) -> Result<(), DatasetError> {
        for s in self.sinks {
            s.finish()?;
        }
        Ok(())
    }
}

/// Create `path`'s parent folders and the file itself.
pub(crate) fn create_file(path: &Path) -> Result<std::fs::File, DatasetError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(DatasetError::io_at(parent))?;
    }
    std::fs::File::create(path).map_err(DatasetError::io_at(path))
}
