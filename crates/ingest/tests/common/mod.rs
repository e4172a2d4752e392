//! Shared helpers for the integration tests: fixture loading, truth comparison, and a page
//! read and assembled through the one entry point.
#![allow(dead_code)]

use nianbao_extract::{Report, Value};
use nianbao_ingest::{extract_bytes, InputHint};
use std::path::PathBuf;

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/html")
}

/// A page (as fetched from `url` with `content_type`) through `extract_bytes`: its report.
pub fn extract_page(bytes: &[u8], url: Option<&str>, content_type: Option<&str>) -> Report {
    let hint = InputHint {
        source: url.unwrap_or("").to_string(),
        content_type: content_type.map(str::to_string),
        referrer: None,
    };
    let mut reports = extract_bytes(bytes, &hint).expect("a page always gives a report");
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn sidecar(name: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

/// Keys whose value in the report differs from the truth, with both values.
pub fn truth_mismatches(r: &Report, truth: &serde_json::Value) -> Vec<String> {
    let mut bad = Vec::new();
    for (k, want) in truth.as_object().unwrap() {
        let want = want.as_f64().unwrap();
        let got = r.cells.get(k).copied().flatten();
        let ok = match got {
            Some(Value::Int(i)) => (i as f64 - want).abs() < 1e-9,
            Some(Value::Dec(d)) => (d - want).abs() < 1e-6,
            None => false,
        };
        if !ok {
            bad.push(format!("{k}: want {want}, got {got:?}"));
        }
    }
    bad
}

/// Non-null cells of a report, for comparing two reports.
pub fn values(r: &Report) -> Vec<(String, String)> {
    r.cells
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.clone(), v.to_string())))
        .collect()
}

pub fn gbk(s: &str) -> Vec<u8> {
    let (b, _, _) = encoding_rs::GBK.encode(s);
    b.into_owned()
}
