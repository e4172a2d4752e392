//! The layouts real reports use that the extractor used to miss (issue 11), one fixture each in
//! `tests/fixtures/shapes/` (made from dev reports by `make.py` there). Every value of a
//! fixture's sidecar `truth` must come out exactly, every other cell must be null or derived (a
//! fixture prints nothing else), and the flags the sidecar's `expect` names must be set.

use nianbao_ingest::{extract_bytes, InputHint};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

fn shapes_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/shapes")
}

/// The document of a fixture: the file beside `NAME.json` that is not JSON.
fn document_of(sidecar: &Path) -> Option<PathBuf> {
    let stem = sidecar.file_stem()?.to_str()?.to_string();
    std::fs::read_dir(sidecar.parent()?)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_stem().and_then(|s| s.to_str()) == Some(stem.as_str())
                && p.extension().and_then(|e| e.to_str()) != Some("json")
        })
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

/// Misses of one fixture, as readable lines.
fn check(sidecar: &Path) -> Vec<String> {
    let Some(doc) = document_of(sidecar) else {
        return vec![format!("{}: no document beside it", sidecar.display())];
    };
    let side: Value = serde_json::from_slice(&std::fs::read(sidecar).expect("read sidecar"))
        .expect("sidecar is JSON");
    let truth: Map<String, Value> = side["truth"].as_object().cloned().unwrap_or_default();
    let bytes = std::fs::read(&doc).expect("read fixture");
    let reports =
        extract_bytes(&bytes, &InputHint::file(doc.display().to_string())).expect("fixture reads");
    let report = serde_json::to_value(&reports[0]).expect("report serialises");
    let cells = report["cells"].as_object().cloned().unwrap_or_default();
    let mut misses = Vec::new();
    for (k, want) in &truth {
        let got = cells.get(k).cloned().unwrap_or(Value::Null);
        if !same(&got, want) {
            misses.push(format!("{k}: got {got}, want {want}"));
        }
    }
    for (k, got) in &cells {
        // Rows the templates derive (`（六）其他处理` total) are not printed, so not in truth.
        let derived = report["flags"][k]
            .as_array()
            .is_some_and(|fs| fs.iter().any(|f| f == "derived"));
        if !got.is_null() && !truth.contains_key(k) && !derived {
            misses.push(format!("{k}: got {got}, want null (not printed)"));
        }
    }
    if let Some(flags) = side["expect"]["flags"].as_object() {
        for (k, flag) in flags {
            let has = report["flags"][k]
                .as_array()
                .is_some_and(|fs| fs.iter().any(|f| f == flag));
            if !has {
                misses.push(format!("{k}: flag {flag} missing"));
            }
        }
    }
    misses
        .into_iter()
        .map(|m| format!("{}: {m}", doc.display()))
        .collect()
}

#[test]
fn every_shape_fixture_reads_exactly() {
    let mut sidecars: Vec<PathBuf> = std::fs::read_dir(shapes_dir())
        .expect("tests/fixtures/shapes")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect();
    sidecars.sort();
    assert!(sidecars.len() >= 2, "shape fixtures missing");
    let misses: Vec<String> = sidecars.iter().flat_map(|s| check(s)).collect();
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn a_decrease_in_words_is_negative_and_flagged() {
    let text = "2020年某局政府信息公开工作年度报告\n第二十条第（五）项\n信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量\n行政许可 | 12 | 减4 | 30\n";
    let reports = extract_bytes(text.as_bytes(), &InputHint::file("x.txt")).expect("reads");
    let r = serde_json::to_value(&reports[0]).expect("serialises");
    assert_eq!(r["cells"]["t2.a20_5.license.change"], -4);
    assert_eq!(r["raw"]["t2.a20_5.license.change"], "减4");
    assert_eq!(r["flags"]["t2.a20_5.license.change"][0], "signed_in_words");
    assert_eq!(r["cells"]["t2.a20_5.license.decisions"], 30);
}

#[test]
fn a_change_in_words_in_a_count_column_stays_null() {
    let text = "2022年某局政府信息公开工作年度报告\n第二十条第（一）项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 0 | 0 | 0\n行政规范性文件 | 增加3 | 0 | 5\n";
    let reports = extract_bytes(text.as_bytes(), &InputHint::file("x.txt")).expect("reads");
    let r = serde_json::to_value(&reports[0]).expect("serialises");
    assert!(r["cells"]["t2.a20_1.normative_doc.issued"].is_null());
    assert_eq!(
        r["flags"]["t2.a20_1.normative_doc.issued"][0],
        "signed_in_words"
    );
}

#[test]
fn two_numbers_for_three_columns_without_narrative_are_never_guessed() {
    let text = "2024年某局政府信息公开工作年度报告\n| 第二十条第（一）项 | | | |\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n| 规章 | 0 | 0 | 0 |\n| 行政规范性文件 | 13 | 55 |\n";
    let reports = extract_bytes(text.as_bytes(), &InputHint::file("x.md")).expect("reads");
    let r = serde_json::to_value(&reports[0]).expect("serialises");
    for col in ["issued", "repealed", "in_force"] {
        let v = &r["cells"][format!("t2.a20_1.normative_doc.{col}")];
        assert!(v.is_null(), "{col} = {v}: a guess");
    }
}
