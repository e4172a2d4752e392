//! The open file sets of a dataset: one set (all tables in every selected format) at the top
//! of the new dataset folder, or one per year with `--split year`.

use crate::columns::{codebook, Tables};
use crate::csv_out::Csv;
use crate::jsonl_out::JsonLines;
use crate::parquet_out::Parquet;
use crate::sink::{Field, Format, TableOut};
use crate::{DatasetError, FormatKind, Options};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The tables of one file set.
pub struct Set {
    /// `reports`.
    pub reports: TableOut,
    /// `cells`.
    pub cells: TableOut,
    /// `checks`.
    pub checks: TableOut,
    /// `coverage`.
    pub coverage: TableOut,
    /// `versions`.
    pub versions: TableOut,
    dir: PathBuf,
}

/// All file sets being written.
pub struct Outputs {
    root: PathBuf,
    tables: Tables,
    formats: Vec<Box<dyn Format>>,
    split: bool,
    csv: bool,
    sets: BTreeMap<String, Set>,
}

fn formats(opts: &Options) -> Vec<Box<dyn Format>> {
    let mut kinds = opts.formats.clone();
    if kinds.is_empty() {
        kinds.push(FormatKind::Csv);
    }
    kinds.sort();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|k| -> Box<dyn Format> {
            match k {
                FormatKind::Csv => Box::new(Csv { bom: opts.bom }),
                FormatKind::Parquet => Box::new(Parquet),
                FormatKind::Jsonl => Box::new(JsonLines),
            }
        })
        .collect()
}

impl Outputs {
    /// Prepare writing under `root` (the new set folder).
    pub fn new(root: &Path, tables: Tables, opts: &Options) -> Result<Outputs, DatasetError> {
        let formats = formats(opts);
        let csv = formats.iter().any(|f| f.name() == "csv");
        let mut o = Outputs {
            root: root.to_path_buf(),
            tables,
            formats,
            split: opts.split_year,
            csv,
            sets: BTreeMap::new(),
        };
        if !o.split {
            // Without a split every file exists, even for an empty dataset.
            o.set(None)?;
        }
        Ok(o)
    }

    /// The file set a row of `year` goes to.
    pub fn set(&mut self, year: Option<i64>) -> Result<&mut Set, DatasetError> {
        let key = if self.split {
            year.map_or_else(|| "unknown".to_string(), |y| y.to_string())
        } else {
            String::new()
        };
        if !self.sets.contains_key(&key) {
            let dir = if key.is_empty() {
                self.root.clone()
            } else {
                self.root.join(&key)
            };
            std::fs::create_dir_all(&dir).map_err(DatasetError::io_at(&dir))?;
            let t = &self.tables;
            let f = &self.formats;
            let set = Set {
                reports: TableOut::open(&dir, t.reports.clone(), f)?,
                cells: TableOut::open(&dir, t.cells.clone(), f)?,
                checks: TableOut::open(&dir, t.checks.clone(), f)?,
                coverage: TableOut::open(&dir, t.coverage.clone(), f)?,
                versions: TableOut::open(&dir, t.versions.clone(), f)?,
                dir,
            };
            self.sets.insert(key.clone(), set);
        }
        self.sets
            .get_mut(&key)
            .ok_or_else(|| DatasetError::NotFound(format!("file set {key}")))
    }

    fn codebook(&self, dir: &Path) -> Result<(), DatasetError> {
        let mut book = TableOut::open(dir, self.tables.codebook.clone(), &self.formats)?;
        for r in codebook() {
            book.row(&[
                Field::owned(r.key),
                Field::owned(r.table),
                Field::owned(r.zh),
                Field::owned(r.en),
                Field::owned(r.unit),
                Field::owned(r.formats),
                Field::owned(r.short_name),
                Field::owned(r.file),
                Field::owned(r.group),
                Field::owned(r.ty),
            ])?;
        }
        book.finish()?;
        if self.csv {
            crate::stata::write_do(dir, &self.tables.reports)?;
        }
        Ok(())
    }

    /// Finish every set: tables, codebook and the Stata `.do` file.
    pub fn finish(self) -> Result<(), DatasetError> {
        if self.split {
            self.codebook(&self.root)?;
        }
        for (_, set) in self.sets.iter() {
            self.codebook(&set.dir)?;
        }
        for (_, set) in self.sets {
            set.reports.finish()?;
            set.cells.finish()?;
            set.checks.finish()?;
            set.coverage.finish()?;
            set.versions.finish()?;
        }
        Ok(())
    }
}
