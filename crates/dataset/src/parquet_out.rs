//! Parquet writer: `parquet/<table>.parquet` with real column types — integers as INT64,
//! amounts as DECIMAL(18,6), booleans, dates as DATE, timestamps as TIMESTAMP(µs, UTC), text
//! and JSON as UTF-8 strings. Rows are buffered in Arrow builders and written in small row
//! groups, so memory does not grow with the number of rows.

use crate::sink::{create_file, ColType, Field, Format, Sink, Table};
use crate::DatasetError;
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows buffered before they are handed to the Parquet writer (and rows per row group).
const BATCH_ROWS: usize = 2048;
/// Decimal precision and scale of amount columns (万元 to 0.000001 = 0.01 元).
pub const DEC_PRECISION: u8 = 18;
/// See [`DEC_PRECISION`].
pub const DEC_SCALE: i8 = 6;

/// The Parquet format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Parquet;

/// The Arrow type of a column type.
pub fn arrow_type(ty: ColType) -> DataType {
    match ty {
        ColType::Text | ColType::Json => DataType::Utf8,
        ColType::Int => DataType::Int64,
        ColType::Dec => DataType::Decimal128(DEC_PRECISION, DEC_SCALE),
        ColType::Bool => DataType::Boolean,
        ColType::Date => DataType::Date32,
        ColType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    }
}

impl Format for Parquet {
    fn name(&self) -> &'static str {
        "parquet"
    }

    fn file_name(&self, table: &Table) -> String {
        format!("parquet/{}.parquet", table.name)
    }

    fn open(&self, dir: &Path, table: &Table) -> Result<Box<dyn Sink>, DatasetError> {
        let path = dir.join(self.file_name(table));
        let schema: SchemaRef = Arc::new(Schema::new(
            table
                .columns
                .iter()
                .map(|c| arrow_schema::Field::new(&c.name, arrow_type(c.ty), true))
                .collect::<Vec<_>>(),
        ));
        let file = create_file(&path)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(BATCH_ROWS))
            .build();
        let w = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| parquet_error(&path, e))?;
        let builders = table.columns.iter().map(|c| Builder::new(c.ty)).collect();
        Ok(Box::new(ParquetSink {
            w,
            path,
            schema,
            builders,
            rows: 0,
        }))
    }
}

fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> DatasetError {
    if let parquet::errors::ParquetError::External(inner) = e {
        return match inner.downcast::<std::io::Error>() {
            Ok(io) => DatasetError::io(path, *io),
            Err(other) => DatasetError::Parquet {
                path: path.display().to_string(),
                cause: other.to_string(),
            },
        };
    }
    DatasetError::Parquet {
        path: path.display().to_string(),
        cause: e.to_string(),
    }
}

enum Builder {
    Str(StringBuilder),
    Int(Int64Builder),
    Dec(Decimal128Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Ts(TimestampMicrosecondBuilder),
}

impl Builder {
    fn new(ty: ColType) -> Builder {
        match ty {
            ColType::Text | ColType::Json => Builder::Str(StringBuilder::new()),
            ColType::Int => Builder::Int(Int64Builder::new()),
            ColType::Dec => Builder::Dec(
                Decimal128Builder::new()
                    .with_data_type(DataType::Decimal128(DEC_PRECISION, DEC_SCALE)),
            ),
            ColType::Bool => Builder::Bool(BooleanBuilder::new()),
            ColType::Date => Builder::Date(Date32Builder::new()),
            ColType::Timestamp => {
                Builder::Ts(TimestampMicrosecondBuilder::new().with_timezone("UTC"))
            }
        }
    }

    /// Append a field; a value that does not fit the column (text in a number column, a
    /// malformed date) is written as null rather than failing the dataset.
    fn push(&mut self, f: &Field<'_>) {
        match self {
            Builder::Str(b) => match f {
                Field::Null => b.append_null(),
                Field::Text(s) => b.append_value(s),
                Field::Int(i) => b.append_value(i.to_string()),
                Field::Dec(d) => b.append_value(d.to_string()),
                Field::Bool(v) => b.append_value(if *v { "true" } else { "false" }),
            },
            Builder::Int(b) => match f {
                Field::Int(i) => b.append_value(*i),
                _ => b.append_null(),
            },
            Builder::Dec(b) => match f {
                Field::Dec(d) => b.append_option(to_decimal(*d)),
                Field::Int(i) => b.append_option(to_decimal(*i as f64)),
                _ => b.append_null(),
            },
            Builder::Bool(b) => match f {
                Field::Bool(v) => b.append_value(*v),
                _ => b.append_null(),
            },
            Builder::Date(b) => match f {
                Field::Text(s) => b.append_option(date_days(s)),
                _ => b.append_null(),
            },
            Builder::Ts(b) => match f {
                Field::Text(s) => b.append_option(timestamp_micros(s)),
                _ => b.append_null(),
            },
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Str(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Dec(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Ts(b) => Arc::new(b.finish()),
        }
    }
}

/// A decimal at scale 6, `None` when not finite or out of range.
fn to_decimal(d: f64) -> Option<i128> {
    let scaled = (d * 1e6).round();
    (scaled.is_finite() && scaled.abs() < 1e18).then_some(scaled as i128)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` → days since the epoch.
pub fn date_days(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d)).ok()
}

/// RFC 3339 UTC (`2025-01-01T12:00:00.123456Z`, fraction optional) → µs since the epoch.
pub fn timestamp_micros(s: &str) -> Option<i64> {
    let days = i64::from(date_days(s)?);
    let t = s.get(11..)?;
    let hh: i64 = t.get(0..2)?.parse().ok()?;
    let mm: i64 = t.get(3..5)?.parse().ok()?;
    let ss: i64 = t.get(6..8)?.parse().ok()?;
    let rest = t.get(8..)?;
    let (frac, zone) = match rest.strip_prefix('.') {
        Some(r) => {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            (r.get(..n)?, r.get(n..)?)
        }
        None => ("", rest),
    };
    if zone != "Z" && zone != "+00:00" {
        return None;
    }
    let mut micros: i64 = 0;
    for (i, c) in frac.bytes().take(6).enumerate() {
        micros += i64::from(c - b'0') * 10_i64.pow(5 - i as u32);
    }
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1_000_000) + micros)
}

struct ParquetSink {
    w: ArrowWriter<std::fs::File>,
    path: PathBuf,
    schema: SchemaRef,
    builders: Vec<Builder>,
    rows: usize,
}

impl ParquetSink {
    fn flush_batch(&mut self) -> Result<(), DatasetError> {
        if self.rows == 0 {
            return Ok(());
        }
        let cols: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect();
        let batch =
            RecordBatch::try_new(self.schema.clone(), cols).map_err(|e| DatasetError::Parquet {
                path: self.path.display().to_string(),
                cause: e.to_string(),
            })?;
        self.rows = 0;
        self.w
            .write(&batch)
            .map_err(|e| parquet_error(&self.path, e))
    }
}

impl Sink for ParquetSink {
    fn write_row(&mut self, row: &[Field<'_>]) -> Result<(), DatasetError> {
        for (b, f) in self.builders.iter_mut().zip(row) {
            b.push(f);
        }
        self.rows += 1;
        if self.rows >= BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), DatasetError> {
        self.flush_batch()?;
        let ParquetSink { w, path, .. } = *self;
        let f = w.into_inner().map_err(|e| parquet_error(&path, e))?;
        f.sync_all().map_err(DatasetError::io_at(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps() {
        assert_eq!(date_days("1970-01-01"), Some(0));
        assert_eq!(date_days("2024-03-01"), Some(19783));
        assert_eq!(date_days("2024-13-01"), None);
        assert_eq!(
            timestamp_micros("1970-01-02T00:00:01.5Z"),
            Some(86_401_500_000)
        );
        assert_eq!(
            timestamp_micros("2025-01-01T00:00:00.000001Z"),
            Some(1_735_689_600_000_001)
        );
        assert_eq!(timestamp_micros("2025-01-01T00:00:00+08:00"), None);
        assert_eq!(to_decimal(12.3456), Some(12_345_600));
    }
}
