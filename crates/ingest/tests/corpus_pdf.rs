//! The two real PDFs of the dev corpus (kept OUT of the repo, in `/work/shared/corpus/dev`,
//! i.e. `../shared/corpus/dev` next to the repo root). Tests print SKIPPED when it is absent.
//! Every truth value of the sidecar JSON is checked against the report read and assembled from
//! the PDF, and against the report from the `.txt` (pdftotext) copy; per-key misses are
//! printed, and the PDF must do at least as well as the text copy.

use nianbao_documents::{read_document, DocKind};
use nianbao_ingest::{extract_bytes, InputHint};
use std::path::PathBuf;

fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/dev");
    dir.is_dir().then_some(dir)
}

fn load(name: &str) -> Option<(Vec<u8>, PathBuf)> {
    let Some(dir) = corpus_dir() else {
        eprintln!(
            "SKIPPED: corpus directory ../shared/corpus/dev (relative to the repo root) is absent"
        );
        return None;
    };
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(b) => Some((b, path)),
        Err(_) => {
            eprintln!("SKIPPED: {} is absent", path.display());
            None
        }
    }
}

/// Compare a report's cells with the truth; returns the misses as `key: got X, want Y`.
fn misses(
    report: &nianbao_extract::Report,
    truth: &serde_json::Map<String, serde_json::Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (key, want) in truth {
        let Some(want) = want.as_f64() else { continue };
        let got = report.cells.get(key).copied().flatten().map(|v| v.as_f64());
        match got {
            Some(g) if (g - want).abs() < 1e-6 => {}
            other => out.push(format!("{key}: got {other:?}, want {want}")),
        }
    }
    out
}

fn truth_case(stem: &str) {
    let Some((pdf, path)) = load(&format!("{stem}.pdf")) else {
        return;
    };
    let Some((json, _)) = load(&format!("{stem}.json")) else {
        return;
    };
    let side: serde_json::Value = serde_json::from_slice(&json).expect("sidecar json");
    let truth = side
        .get("truth")
        .and_then(|t| t.as_object())
        .cloned()
        .unwrap_or_default();
    let reports =
        extract_bytes(&pdf, &InputHint::file(path.display().to_string())).expect("extract");
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    let prov = report.provenance.as_ref().expect("provenance");
    assert_eq!(prov["kind"], "pdf");
    assert_eq!(prov["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(prov["pages"]["count"], 5);
    let pdf_miss = misses(report, &truth);

    let txt_miss = match load(&format!("{stem}.txt")) {
        Some((txt, _)) => {
            let r = extract_bytes(&txt, &InputHint::file("t.txt")).expect("text");
            Some(misses(&r[0], &truth))
        }
        None => None,
    };
    eprintln!(
        "== {stem}: {} truth keys; from PDF {} missed; from .txt {:?} missed",
        truth.len(),
        pdf_miss.len(),
        txt_miss.as_ref().map(Vec::len)
    );
    for m in &pdf_miss {
        eprintln!("   PDF miss  {m}");
    }
    if !pdf_miss.is_empty() {
        // The lines fed to the aligner, to see which row was read wrongly.
        let doc = read_document(&pdf, DocKind::Pdf).expect("read");
        for l in doc.all_lines().iter().filter(|l| {
            l.cells
                .iter()
                .any(|c| c.chars().any(|ch| ch.is_ascii_digit()))
        }) {
            eprintln!("   fed p{:?} {}", l.page.unwrap_or(0), l.cells.join(" | "));
        }
    }
    if let Some(t) = &txt_miss {
        assert!(
            pdf_miss.len() <= t.len(),
            "PDF ({}) worse than its .txt copy ({})",
            pdf_miss.len(),
            t.len()
        );
    }
}

#[test]
fn pdf_truth_025() {
    truth_case("025");
}

#[test]
fn pdf_truth_026() {
    truth_case("026");
}
