//! A lone value that a page break puts in the page margin is a table cell, not a page number:
//! `tests/fixtures/documents/009-text.pdf` (dev/009 printed as text by LibreOffice) must give
//! every truth value of `data/samples/009.json`.

use nianbao_ingest::{extract_bytes, InputHint};
use std::path::PathBuf;

#[test]
fn values_in_the_margin_after_a_page_break_are_kept() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("tests/fixtures/documents/009-text.pdf");
    let bytes = std::fs::read(&path).expect("fixture");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("data/samples/009.json")).expect("truth"))
            .expect("json");
    let reports =
        extract_bytes(&bytes, &InputHint::file(path.display().to_string())).expect("extract");
    let r = &reports[0];
    let mut misses = Vec::new();
    for (k, want) in truth["truth"].as_object().expect("truth") {
        let got = r.cells.get(k).copied().flatten().map(|v| v.as_f64());
        if got != want.as_f64() {
            misses.push(format!("{k}: got {got:?} want {want}"));
        }
    }
    assert!(misses.is_empty(), "{} misses: {misses:?}", misses.len());
}
