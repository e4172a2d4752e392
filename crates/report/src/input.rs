//! Streaming CSV input: one reused record per file, columns found by name, so a folder from
//! an older `extract --out` (fewer columns) and a full dataset are read by the same code.

use crate::ReportError;
use std::borrow::Cow;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// One dataset CSV file, read row by row.
pub(crate) struct Table {
    path: PathBuf,
    rdr: csv::Reader<BufReader<File>>,
    headers: Vec<String>,
    rec: csv::ByteRecord,
    /// Data rows read so far.
    pub rows: u64,
}

impl Table {
    /// Open `dir/name`; `Ok(None)` when the file does not exist.
    pub fn open(dir: &Path, name: &str) -> Result<Option<Table>, ReportError> {
        let path = dir.join(name);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ReportError::Io {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let mut rdr = csv::ReaderBuilder::new()
            // A short or long row is kept (missing fields read as empty) rather than ending
            // the whole page: the page describes the data, it does not reject it.
            .flexible(true)
            .from_reader(BufReader::with_capacity(1 << 16, file));
        let headers = rdr
            .byte_headers()
            .map_err(|source| ReportError::Csv {
                path: path.display().to_string(),
                source,
            })?
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = String::from_utf8_lossy(h);
                // `--bom` datasets start with a byte-order mark.
                let h = if i == 0 {
                    h.trim_start_matches('\u{feff}')
                } else {
                    &h
                };
                h.trim().to_string()
            })
            .collect();
        Ok(Some(Table {
            path,
            rdr,
            headers,
            rec: csv::ByteRecord::new(),
            rows: 0,
        }))
    }

    /// Index of the column named `name`, if the file has it.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The column names.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Read the next row; `false` at the end of the file.
    pub fn next_row(&mut self) -> Result<bool, ReportError> {
        match self.rdr.read_byte_record(&mut self.rec) {
            Ok(true) => {
                self.rows += 1;
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(source) => Err(ReportError::Csv {
                path: self.path.display().to_string(),
                source,
            }),
        }
    }

    /// The trimmed value of column `col` in the current row; empty when the column or the
    /// field is absent. Invalid UTF-8 is replaced, never an error.
    pub fn get(&self, col: Option<usize>) -> Cow<'_, str> {
        match col.and_then(|i| self.rec.get(i)) {
            // `from_utf8` first: the lossy decoder is several times slower on valid text.
            Some(b) => match std::str::from_utf8(b) {
                Ok(s) => Cow::Borrowed(s.trim()),
                Err(_) => Cow::Owned(String::from_utf8_lossy(b).trim().to_string()),
            },
            None => Cow::Borrowed(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_by_name_bom_and_short_rows() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(
            dir.path().join("t.csv"),
            "\u{feff}a,b,c\n1,2,3\n4,5\n6,7,8,9\n",
        )
        .expect("write");
        let mut t = Table::open(dir.path(), "t.csv")
            .expect("open")
            .expect("exists");
        assert_eq!(t.col("a"), Some(0));
        assert_eq!(t.col("c"), Some(2));
        assert_eq!(t.col("zzz"), None);
        let mut seen = vec![];
        while t.next_row().expect("row") {
            seen.push((t.get(t.col("a")).to_string(), t.get(t.col("c")).to_string()));
        }
        assert_eq!(
            seen,
            [
                ("1".into(), "3".into()),
                ("4".into(), "".into()),
                ("6".into(), "8".into())
            ]
        );
        assert_eq!(t.rows, 3);
        assert!(Table::open(dir.path(), "absent.csv").expect("ok").is_none());
    }
}
