//! In-repo fixtures made with LibreOffice from `tests/fixtures/documents/006.html` (see the
//! README there): the same report as PDF, DOCX, XLSX (and DOC, XLS, ODS) must give the cells
//! of `006.json`'s truth through read + assemble; the rasterised PDF must give an `image_only`
//! report; an unreadable WPS file a report flagged `unsupported_format`.

use nianbao_documents::{read_document, sniff, DocKind};
use nianbao_ingest::{extract_bytes, InputHint};
use std::path::PathBuf;

fn fixture(name: &str) -> (Vec<u8>, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/documents")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (bytes, path.display().to_string())
}

fn truth() -> serde_json::Map<String, serde_json::Value> {
    let (json, _) = fixture("006.json");
    let v: serde_json::Value = serde_json::from_slice(&json).expect("json");
    v["truth"].as_object().cloned().expect("truth")
}

fn check(name: &str, kind: DocKind) {
    let (bytes, path) = fixture(name);
    assert_eq!(sniff(&bytes, Some(&path)), Some(kind), "{name}");
    let reports = extract_bytes(&bytes, &InputHint::file(path.clone())).expect("extract");
    assert_eq!(reports.len(), 1, "{name}: one report");
    let r = &reports[0];
    let prov = r.provenance.as_ref().expect("provenance");
    assert_eq!(prov["kind"], kind.as_str());
    assert_eq!(prov["file"], path.as_str());
    assert_eq!(prov["sha256"].as_str().map(str::len), Some(64));
    let mut misses = Vec::new();
    let truth = truth();
    for (k, want) in &truth {
        let want = want.as_f64().expect("number");
        let got = r.cells.get(k).copied().flatten().map(|v| v.as_f64());
        if !matches!(got, Some(g) if (g - want).abs() < 1e-6) {
            misses.push(format!("{k}: got {got:?}, want {want}"));
        }
    }
    eprintln!(
        "{name}: {} truth keys, {} missed",
        truth.len(),
        misses.len()
    );
    for m in &misses {
        eprintln!("   miss {m}");
    }
    assert!(misses.is_empty(), "{name}: {misses:?}");
}

#[test]
fn pdf_fixture_matches_truth() {
    check("006.pdf", DocKind::Pdf);
}

#[test]
fn unruled_pdf_fixture_matches_truth() {
    // No ruling lines: columns inferred from numbers and headers, wrapped labels joined.
    check("006-unruled.pdf", DocKind::Pdf);
}

#[test]
fn encrypted_pdf_fixture_matches_truth() {
    // RC4-encrypted with an owner password only: opens with the empty user password.
    check("006-encrypted.pdf", DocKind::Pdf);
}

#[test]
fn docx_fixture_matches_truth() {
    check("006.docx", DocKind::Docx);
}

#[test]
fn xlsx_fixture_matches_truth() {
    check("006.xlsx", DocKind::Xlsx);
}

#[test]
fn xls_fixture_matches_truth() {
    check("006.xls", DocKind::Xls);
}

#[test]
fn ods_fixture_matches_truth() {
    check("006.ods", DocKind::Ods);
}

#[test]
fn doc_fixture_matches_truth() {
    check("006.doc", DocKind::Doc);
}

#[test]
fn pdf_fixture_pages_and_provenance() {
    let (bytes, path) = fixture("006.pdf");
    let doc = read_document(&bytes, DocKind::Pdf).expect("read");
    assert_eq!(doc.page_count, Some(6));
    let reports = extract_bytes(&bytes, &InputHint::file(path.clone())).expect("extract");
    let tables = &reports[0].provenance.as_ref().expect("prov")["pages"]["tables"];
    // Table 二 on pages 3-4, table 三 split over pages 4-5 (joined), table 四 on page 5.
    assert_eq!(tables["0"], serde_json::json!([3, 4]));
    assert_eq!(tables["1"], serde_json::json!([4, 5]));
    assert_eq!(tables["2"], serde_json::json!([5]));
}

#[test]
fn scanned_pdf_is_flagged_image_only() {
    let (bytes, path) = fixture("006-scanned.pdf");
    let doc = read_document(&bytes, DocKind::Pdf).expect("read");
    assert!(doc.image_only);
    assert_eq!(doc.page_count, Some(3));
    assert_eq!(doc.image_pages, vec![1, 2, 3]);
    let reports = extract_bytes(&bytes, &InputHint::file(path.clone())).expect("extract");
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert!(
        r.report_flags.iter().any(|f| f == "image_only"),
        "{:?}",
        r.report_flags
    );
    assert!(r.cells.values().all(|v| v.is_none()), "no invented values");
    let prov = r.provenance.as_ref().expect("prov");
    assert_eq!(prov["pages"]["count"], 3);
    assert_eq!(prov["pages"]["image_pages"], serde_json::json!([1, 2, 3]));
}

#[test]
fn unreadable_wps_is_flagged_unsupported() {
    // An OLE file without a WordDocument stream, named .wps.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend([0u8; 600]);
    let reports = extract_bytes(&ole, &InputHint::file("report.wps")).expect("a flagged report");
    assert_eq!(reports.len(), 1);
    assert!(reports[0]
        .report_flags
        .iter()
        .any(|f| f == "unsupported_format"));
    assert_eq!(reports[0].provenance.as_ref().expect("prov")["kind"], "wps");
}
