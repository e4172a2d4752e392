//! OCR of scanned reports, scored against the dev truth. The fixtures are the dev report 006
//! (tests/fixtures/documents/006.pdf, made from corpus/dev/006.html) rasterised and wrapped
//! as image-only PDFs in the three encodings scans use (CCITT G4, 1-bit Flate, JPEG); see
//! tests/fixtures/ocr/README.md. Every OCR value must be exact or null and flagged: never
//! wrong. Skipped, saying so, when no tesseract with the chi_sim model is installed.

use nianbao_ingest::{extract_bytes, InputHint};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/ocr")
        .join(name)
}

struct Score {
    total: usize,
    exact: usize,
    flagged: usize,
    wrong: Vec<String>,
}

/// Score the report of `file` on the truth keys of the tables it shows (`prefixes`).
fn score(file: &str, prefixes: &[&str]) -> Option<Score> {
    if nianbao_ocr::Tesseract::find().is_none() {
        println!("SKIPPED {file}: no tesseract with the chi_sim model (apt-get install tesseract-ocr tesseract-ocr-chi-sim)");
        return None;
    }
    let bytes = std::fs::read(fixture(file)).expect("fixture");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("006.json")).expect("truth")).expect("json");
    let reports = extract_bytes(&bytes, &InputHint::file(file)).expect("readable");
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert!(
        r.report_flags.iter().any(|f| f.as_str() == "ocr"),
        "{:?}",
        r.report_flags
    );
    let mut s = Score {
        total: 0,
        exact: 0,
        flagged: 0,
        wrong: Vec::new(),
    };
    for (k, v) in truth["truth"].as_object().expect("truth") {
        if !prefixes.iter().any(|p| k.starts_with(p)) {
            continue;
        }
        s.total += 1;
        let want = v.as_f64().unwrap_or(f64::NAN);
        match r.cells.get(k).copied().flatten() {
            Some(got) if (got.as_f64() - want).abs() < 1e-9 => s.exact += 1,
            Some(got) => s.wrong.push(format!("{k}: {got} (truth {v})")),
            None if r.flags.get(k).is_some_and(|f| !f.is_empty()) => s.flagged += 1,
            None => s.wrong.push(format!("{k}: null without a flag")),
        }
    }
    // No value anywhere in the report is kept unless the identities confirm it.
    for (k, v) in &r.cells {
        if v.is_some() && !(k.starts_with("t3.") || k.starts_with("t4.")) {
            s.wrong.push(format!("{k}: kept without an identity"));
        }
    }
    println!(
        "{file}: {} truth values, {} exact ({:.0}%), {} null and flagged ({:.0}%), {} wrong",
        s.total,
        s.exact,
        100.0 * s.exact as f64 / s.total.max(1) as f64,
        s.flagged,
        100.0 * s.flagged as f64 / s.total.max(1) as f64,
        s.wrong.len()
    );
    Some(s)
}

fn check(file: &str, prefixes: &[&str], min_exact: f64) {
    let Some(s) = score(file, prefixes) else {
        return;
    };
    assert!(s.wrong.is_empty(), "{file}: wrong values {:?}", s.wrong);
    assert_eq!(
        s.exact + s.flagged,
        s.total,
        "{file}: each value exact or flagged"
    );
    let share = s.exact as f64 / s.total.max(1) as f64;
    assert!(
        share >= min_exact,
        "{file}: exact share {share:.2} below {min_exact}"
    );
}

/// Pages 2-5 (tables 二, 三, 四), 200 dpi, 1-bit, CCITT G4.
#[test]
fn scanned_pdf_ccitt_g4() {
    check("006-scan-ccitt.pdf", &["t2.", "t3.", "t4."], 0.2);
}

/// Pages 2-5, 200 dpi, 1-bit, Flate.
#[test]
fn scanned_pdf_flate_bilevel() {
    check("006-scan-flate.pdf", &["t2.", "t3.", "t4."], 0.2);
}

/// Pages 4-5 (tables 三 and 四), 200 dpi gray JPEG (DCT passed through).
#[test]
fn scanned_pdf_jpeg() {
    check("006-scan-jpeg.pdf", &["t3.", "t4."], 0.4);
}

/// The picture of tables 三 and 四 a web page would carry (110 dpi PNG).
#[test]
fn table_picture_png() {
    check("006-tables.png", &["t3.", "t4."], 0.3);
}
