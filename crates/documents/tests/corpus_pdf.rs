//! The two real PDFs of the dev corpus (kept OUT of the repo, in `/work/shared/corpus/dev`,
//! i.e. `../shared/corpus/dev` next to the repo root). Tests print SKIPPED when it is absent.
//!
//! * `pdf_lines_*`: the reader's own output: the table rows the aligner needs are there,
//!   each on one line, with every value in its cell.
//!
//! The reports assembled from them are tested against the truth in `nianbao-ingest`.

use nianbao_documents::{read_document, DocKind};
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
