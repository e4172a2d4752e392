//! CSV writer: UTF-8, optional BOM for Excel, empty for missing. Text that a spreadsheet would
//! read as a formula (first character `=`, `+`, `-`, `@`, tab or carriage return; OWASP's CSV
//! injection rule) is written with a leading `'`; numbers are written as numbers and never
//! touched, so value columns stay numeric.

use crate::sink::{create_file, Field, Format, Sink, Table};
use crate::DatasetError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The CSV format: `<table>.csv` at the top of the dataset folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv {
    /// Start each file with a UTF-8 byte-order mark.
    pub bom: bool,
}

impl Format for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn file_name(&self, table: &Table) -> String {
        format!("{}.csv", table.name)
    }

    fn open(&self, dir: &Path, table: &Table) -> Result<Box<dyn Sink>, DatasetError> {
        let path = dir.join(self.file_name(table));
        let file = create_file(&path)?;
        let mut bw = std::io::BufWriter::with_capacity(1 << 16, file);
        if self.bom {
            bw.write_all("\u{feff}".as_bytes())
                .map_err(DatasetError::io_at(&path))?;
        }
        let mut w = CsvSink {
            w: csv::Writer::from_writer(bw),
            path,
            buf: Vec::new(),
        };
        let header: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        w.record(&header)?;
        Ok(Box::new(w))
    }
}

struct CsvSink {
    w: csv::Writer<std::io::BufWriter<std::fs::File>>,
    path: PathBuf,
    buf: Vec<String>,
}

impl CsvSink {
    fn record(&mut self, fields: &[&str]) -> Result<(), DatasetError> {
        self.w
            .write_record(fields)
            .map_err(|e| csv_error(&self.path, e))
    }
}

fn csv_error(path: &Path, e: csv::Error) -> DatasetError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => DatasetError::io(path, io),
        other => DatasetError::Output {
            path: path.display().to_string(),
            reason: format!("{other:?}"),
        },
    }
}

impl Sink for CsvSink {
    fn write_row(&mut self, row: &[Field<'_>]) -> Result<(), DatasetError> {
        self.buf.clear();
        for f in row {
            self.buf.push(match f {
                Field::Null => String::new(),
                Field::Text(s) => nianbao_text::neutralise_formula(s).into_owned(),
                Field::Int(i) => i.to_string(),
                Field::Dec(d) => d.to_string(),
                Field::Bool(b) => (if *b { "true" } else { "false" }).to_string(),
            });
        }
        let CsvSink { w, path, buf } = self;
        w.write_record(buf.iter()).map_err(|e| csv_error(path, e))
    }

    fn finish(self: Box<Self>) -> Result<(), DatasetError> {
        let CsvSink { w, path, .. } = *self;
        let bw = w
            .into_inner()
            .map_err(|e| DatasetError::io(&path, e.into_error()))?;
        let f = bw
            .into_inner()
            .map_err(|e| DatasetError::io(&path, e.into_error()))?;
        f.sync_all().map_err(DatasetError::io_at(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_numbers_and_text_is_neutralised() {
        let dir = tempfile::tempdir().expect("tmp");
        let table = Table {
            name: "t",
            columns: ["a", "b", "c"]
                .iter()
                .map(|n| crate::sink::Column {
                    name: n.to_string(),
                    ty: crate::sink::ColType::Text,
                })
                .collect(),
        };
        let mut s = Csv { bom: false }.open(dir.path(), &table).expect("open");
        s.write_row(&[Field::Int(-3), Field::Dec(-1.5), Field::text("-3")])
            .expect("row");
        s.finish().expect("finish");
        let text = std::fs::read_to_string(dir.path().join("t.csv")).expect("read");
        assert_eq!(text, "a,b,c\n-3,-1.5,'-3\n");
    }

    #[test]
    fn a_full_disk_names_the_file_and_the_cause() {
        // /dev/full accepts the open and fails every write with ENOSPC.
        let full = Path::new("/dev/full");
        if !full.exists() {
            eprintln!("SKIPPED: /dev/full is absent");
            return;
        }
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(full)
            .expect("open /dev/full");
        let mut s = CsvSink {
            w: csv::Writer::from_writer(std::io::BufWriter::with_capacity(16, f)),
            path: full.to_path_buf(),
            buf: Vec::new(),
        };
        let long = "x".repeat(100);
        let r = s
            .write_row(&[Field::text(&long)])
            .and_then(|_| Box::new(s).finish());
        let e = r.expect_err("writing to /dev/full fails").to_string();
        assert!(e.starts_with("/dev/full: disk full: "), "{e}");
    }
}
