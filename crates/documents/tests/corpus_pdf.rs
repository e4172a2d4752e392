//! The two real PDFs of the dev corpus (kept OUT of the repo, in `/work/shared/corpus/dev`,
//! i.e. `../shared/corpus/dev` next to the repo root). Tests print SKIPPED when it is absent.
//!
//! * `pdf_lines_*`: the reader's own output: the table rows the aligner needs are there,
//!   each on one line, with every value in its cell.
//! * `pdf_truth_*`: every truth value of the sidecar JSON against the report extracted from
//!   the PDF, and against the report from the `.txt` (pdftotext) copy; per-key misses are
//!   printed, and the PDF must do at least as well as the text copy.

use nianbao_documents::{extract_document, read_document, DocKind};
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

fn rows(name: &str) -> Option<Vec<String>> {
    let (bytes, _) = load(name)?;
    let doc = read_document(&bytes, DocKind::Pdf).expect("readable PDF");
    assert_eq!(doc.page_count, Some(5));
    assert!(!doc.image_only);
    Some(
        doc.all_lines()
            .iter()
            .map(|l| l.cells.join(" | "))
            .collect(),
    )
}

fn assert_has(rows: &[String], want: &str) {
    assert!(rows.iter().any(|r| r == want), "missing line {want:?}");
}

#[test]
fn pdf_lines_025() {
    let Some(rows) = rows("025.pdf") else { return };
    assert_has(&rows, "规章 | 0 | 0 | 0");
    assert_has(&rows, "行政规范性文件 | 0 | 5 | 5");
    assert_has(&rows, "行政事业性收费 | 7730.28");
    // Wrapped label joined back, values on the same line.
    assert_has(
        &rows,
        "(二)部分公开(区分处理的,只计这一情形,不计其他情形) | 4 | 0 | 0 | 0 | 0 | 0 | 4",
    );
    // Rowspan group labels (one vertical) come first in their group's first row.
    assert_has(
        &rows,
        "三、本年度办理结果 | (一)予以公开 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
    );
    // The row at the page break and the first row of the next page.
    assert_has(
        &rows,
        "2.没有现成信息需要另行制作 | 3 | 0 | 0 | 0 | 0 | 0 | 3",
    );
    assert_has(
        &rows,
        "3.补正后申请内容仍不明确 | 0 | 0 | 0 | 0 | 0 | 0 | 0",
    );
    assert_has(
        &rows,
        "10 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 5 | 0 | 0 | 0 | 0",
    );
    // Page numbers dropped.
    assert!(!rows.iter().any(|r| r == "-3-" || r == "- 3 -"));
}

#[test]
fn pdf_lines_026() {
    let Some(rows) = rows("026.pdf") else { return };
    assert_has(&rows, "行政规范性文件 | 3 | 0 | 8");
    assert_has(
        &rows,
        "(一)予以公开 | 50 | 0 | 0 | 0 | 0 | 0 | 50"
            .replace("(一)", "三、本年度办理结果 | (一)")
            .as_str(),
    );
    assert_has(&rows, "(六)其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0");
    assert_has(&rows, "(七)总计 | 95 | 0 | 0 | 0 | 0 | 0 | 95");
    assert_has(
        &rows,
        "1 | 1 | 0 | 0 | 2 | 1 | 0 | 0 | 0 | 1 | 2 | 0 | 1 | 0 | 3",
    );
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
    let reports = extract_document(&pdf, &path.display().to_string()).expect("extract");
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    let prov = report.provenance.as_ref().expect("provenance");
    assert_eq!(prov["kind"], "pdf");
    assert_eq!(prov["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(prov["pages"]["count"], 5);
    let pdf_miss = misses(report, &truth);

    let txt_miss = match load(&format!("{stem}.txt")) {
        Some((txt, _)) => {
            let r = nianbao_extract::extract_text(&String::from_utf8_lossy(&txt), "txt");
            Some(misses(&r, &truth))
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
