//! The same dataset in CSV, Parquet and JSON Lines: Parquet read back with the arrow crate's
//! reader has the same values as the CSV with real types; JSON Lines too. The archive holds
//! real report pages of the offline demo sites (built from `../shared/corpus`).

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Int64Type, TimestampMicrosecondType};
use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};
use nianbao_archive::{Archive, Exchange, HttpResponse, Method, Outcome};
use nianbao_dataset::parquet_out::{date_days, timestamp_micros};
use nianbao_dataset::{FormatKind, Options};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;
use std::time::{Duration, SystemTime};

fn demo(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/demo/sites")
            .join(rel),
    )
    .expect("demo file")
}

fn archive(dir: &Path) {
    let mut a = Archive::open(dir).expect("archive");
    let pages = [
        (
            "http://a.test/2023.htm",
            "trs/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm",
            "text/html",
        ),
        (
            "http://a.test/2021.htm",
            "trs/zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm",
            "text/html",
        ),
        (
            "http://b.test/lg.html",
            "gkmlpt/xxgk/xxgknb/qzfgzbm/content/post_11956962.html",
            "text/html",
        ),
        (
            "http://c.test/art.html",
            "hanweb/art/2020/1/31/art_4180_301.html",
            "text/html; charset=GBK",
        ),
        (
            "http://c.test/r.pdf",
            "hanweb/files/P020250120301.pdf",
            "application/pdf",
        ),
    ];
    for (i, (url, file, ct)) in pages.iter().enumerate() {
        let ex = Exchange {
            url: url.to_string(),
            host: "h".into(),
            method: Method::Get,
            role: "report".into(),
            run_id: 1,
            fetched_at: Some(
                SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600 + i as u64),
            ),
            outcome: Outcome::Ok,
            response: Some(HttpResponse {
                status: 200,
                reason: "OK".into(),
                headers: vec![("Content-Type".into(), ct.to_string())],
                body: demo(file),
            }),
            ..Default::default()
        };
        a.store(&ex, None, &[]).expect("store");
    }
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let h = rdr
        .headers()
        .expect("h")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = rdr
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect();
    (h, rows)
}

/// Every value of the Parquet file equals the CSV's, with the column's type.
fn same_as_csv(dir: &Path, table: &str) -> usize {
    let (header, rows) = csv_rows(&dir.join(format!("{table}.csv")));
    let file = std::fs::File::open(dir.join(format!("parquet/{table}.parquet"))).expect("parquet");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("reader")
        .build()
        .expect("build");
    let mut row0 = 0;
    let mut checked = 0;
    for batch in reader {
        let batch = batch.expect("batch");
        let schema = batch.schema();
        assert_eq!(
            schema
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect::<Vec<_>>(),
            header,
            "{table}: same columns"
        );
        for (c, col) in batch.columns().iter().enumerate() {
            for i in 0..batch.num_rows() {
                let want = &rows[row0 + i][c];
                let name = &header[c];
                if col.is_null(i) {
                    assert_eq!(want, "", "{table}.{name} row {}", row0 + i);
                    continue;
                }
                match col.data_type() {
                    DataType::Utf8 => {
                        let got = col.as_string::<i32>().value(i);
                        // CSV text that looks like a formula carries a leading quote.
                        let want = if want.starts_with('\'')
                            && got.starts_with(['=', '+', '-', '@', '\t', '\r'])
                        {
                            &want[1..]
                        } else {
                            want.as_str()
                        };
                        assert_eq!(got, want, "{table}.{name}");
                    }
                    DataType::Int64 => assert_eq!(
                        col.as_primitive::<Int64Type>().value(i).to_string(),
                        *want,
                        "{table}.{name}"
                    ),
                    DataType::Decimal128(18, 6) => {
                        let got = col.as_primitive::<Decimal128Type>().value(i) as f64 / 1e6;
                        let want: f64 = want.parse().expect("decimal in csv");
                        assert!((got - want).abs() < 1e-9, "{table}.{name}: {got} vs {want}");
                    }
                    DataType::Boolean => assert_eq!(
                        col.as_boolean().value(i).to_string(),
                        *want,
                        "{table}.{name}"
                    ),
                    DataType::Date32 => assert_eq!(
                        Some(col.as_primitive::<Date32Type>().value(i)),
                        date_days(want),
                        "{table}.{name}"
                    ),
                    DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) => {
                        assert_eq!(tz.as_ref(), "UTC");
                        assert_eq!(
                            Some(col.as_primitive::<TimestampMicrosecondType>().value(i)),
                            timestamp_micros(want),
                            "{table}.{name}"
                        );
                    }
                    other => panic!("{table}.{name}: unexpected type {other}"),
                }
                checked += 1;
            }
        }
        row0 += batch.num_rows();
    }
    assert_eq!(row0, rows.len(), "{table}: same row count");
    checked
}

#[test]
fn parquet_and_json_lines_hold_the_csv_values_with_real_types() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, out) = (tmp.path().join("data"), tmp.path().join("out"));
    archive(&data);
    let opts = Options {
        formats: vec![FormatKind::Csv, FormatKind::Parquet, FormatKind::Jsonl],
        ..Default::default()
    };
    let stats = nianbao_dataset::export_many(&[&data], &out, &opts).expect("export");
    assert_eq!(stats.reports, 5, "{stats:?}");
    let mut values = 0;
    for t in [
        "reports", "cells", "checks", "coverage", "versions", "codebook",
    ] {
        values += same_as_csv(&out, t);
    }
    assert!(values > 2000, "{values} values compared");

    // Types of a few columns, as a reader sees them.
    let file = std::fs::File::open(out.join("parquet/reports.parquet")).expect("parquet");
    let b = ParquetRecordBatchReaderBuilder::try_new(file).expect("reader");
    let schema = b.schema();
    let ty = |n: &str| schema.field_with_name(n).expect(n).data_type().clone();
    assert_eq!(ty("year"), DataType::Int64);
    assert_eq!(ty("t3.new_received.total"), DataType::Int64);
    assert_eq!(
        ty("t2.a20_8.admin_fee.amount_wan"),
        DataType::Decimal128(18, 6)
    );
    assert_eq!(ty("published_date"), DataType::Date32);
    assert_eq!(
        ty("fetched_at"),
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(ty("agency"), DataType::Utf8);

    // JSON Lines: one object per row, numbers as numbers, JSON columns nested.
    let text = std::fs::read_to_string(out.join("jsonl/reports.jsonl")).expect("jsonl");
    let (header, rows) = csv_rows(&out.join("reports.csv"));
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), rows.len());
    let at = |n: &str| header.iter().position(|h| h == n).expect(n);
    for (j, r) in lines.iter().zip(&rows) {
        assert_eq!(j["report_id"], r[at("report_id")].as_str());
        assert_eq!(
            j["year"]
                .as_i64()
                .map(|y| y.to_string())
                .unwrap_or_default(),
            r[at("year")]
        );
        let total = &r[at("t3.new_received.total")];
        assert_eq!(
            j["t3.new_received.total"]
                .as_i64()
                .map(|y| y.to_string())
                .unwrap_or_default(),
            *total
        );
        assert!(j["provenance"].is_object(), "nested JSON");
    }
}
