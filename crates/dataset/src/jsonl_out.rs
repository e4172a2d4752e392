//! JSON Lines writer: `jsonl/<table>.jsonl`, one object per row with the column names as
//! keys; numbers as JSON numbers, JSON columns as nested values, missing values as `null`.

use crate::sink::{create_file, ColType, Field, Format, Sink, Table};
use crate::DatasetError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The JSON Lines format.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonLines;

impl Format for JsonLines {
    fn name(&self) -> &'static str {
        "jsonl"
    }

    fn file_name(&self, table: &Table) -> String {
        format!("jsonl/{}.jsonl", table.name)
    }

    fn open(&self, dir: &Path, table: &Table) -> Result<Box<dyn Sink>, DatasetError> {
        let path = dir.join(self.file_name(table));
        let file = create_file(&path)?;
        Ok(Box::new(JsonlSink {
            w: std::io::BufWriter::with_capacity(1 << 16, file),
            path,
            table: table.clone(),
        }))
    }
}

struct JsonlSink {
    w: std::io::BufWriter<std::fs::File>,
    path: PathBuf,
    table: Table,
}

impl Sink for JsonlSink {
    fn write_row(&mut self, row: &[Field<'_>]) -> Result<(), DatasetError> {
        let mut obj = serde_json::Map::with_capacity(row.len());
        for (c, f) in self.table.columns.iter().zip(row) {
            let v = match f {
                Field::Null => serde_json::Value::Null,
                Field::Text(s) if c.ty == ColType::Json => serde_json::from_str(s)
                    .unwrap_or_else(|_| serde_json::Value::String(s.to_string())),
                Field::Text(s) => serde_json::Value::String(s.to_string()),
                Field::Int(i) => serde_json::Value::from(*i),
                Field::Dec(d) => serde_json::Number::from_f64(*d)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number),
                Field::Bool(b) => serde_json::Value::Bool(*b),
            };
            obj.insert(c.name.clone(), v);
        }
        // An I/O failure inside serde_json comes back as the original io::Error.
        serde_json::to_writer(&mut self.w, &obj)
            .map_err(|e| DatasetError::io(&self.path, std::io::Error::from(e)))?;
        self.w
            .write_all(b"\n")
            .map_err(DatasetError::io_at(&self.path))
    }

    fn finish(self: Box<Self>) -> Result<(), DatasetError> {
        let JsonlSink { w, path, .. } = *self;
        let f = w
            .into_inner()
            .map_err(|e| DatasetError::io(&path, e.into_error()))?;
        f.sync_all().map_err(DatasetError::io_at(&path))
    }
}
