//! Property tests: truncated and corrupted PDF, DOCX and XLSX files give a result or an
//! error, never a panic or a hang. Each read runs in its own thread with a time limit.

use nianbao_documents::{read_document, sniff, DocError, DocKind};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// Generous for debug builds on a shared 2-core machine; a release read takes milliseconds.
const LIMIT: Duration = Duration::from_secs(30);

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/documents")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Read in a thread; fail on a panic escaping the library, a caught panic of our own, or a
/// run over the time limit.
fn read_bounded(bytes: Vec<u8>, kind: DocKind) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let sniffed = sniff(&bytes, None);
        let r = read_document(&bytes, kind).map(|_| ());
        let _ = tx.send((sniffed, r));
    });
    match rx.recv_timeout(LIMIT) {
        Ok((_, r)) => {
            if let Err(DocError::Panic { detail, .. }) = r {
                return Err(format!("caught panic: {detail}"));
            }
            Ok(())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err("time limit exceeded".into()),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("reader thread panicked".into()),
    }
}

fn mutate(mut bytes: Vec<u8>, cut: f64, edits: &[(f64, u8)]) -> Vec<u8> {
    let keep = ((bytes.len() as f64) * cut) as usize;
    bytes.truncate(keep.max(1));
    let n = bytes.len();
    for &(pos, b) in edits {
        let i = ((n as f64) * pos) as usize;
        if let Some(x) = bytes.get_mut(i.min(n - 1)) {
            *x = b;
        }
    }
    bytes
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn truncated_or_corrupted_pdf(cut in 0.0f64..1.0, edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 0..40)) {
        let bytes = mutate(fixture("006.pdf"), cut, &edits);
        prop_assert_eq!(read_bounded(bytes, DocKind::Pdf), Ok(()));
    }

    #[test]
    fn corrupted_whole_pdf(edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 1..200)) {
        let bytes = mutate(fixture("006.pdf"), 1.0, &edits);
        prop_assert_eq!(read_bounded(bytes, DocKind::Pdf), Ok(()));
    }

    #[test]
    fn truncated_or_corrupted_docx(cut in 0.0f64..1.0, edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 0..40)) {
        let bytes = mutate(fixture("006.docx"), cut, &edits);
        prop_assert_eq!(read_bounded(bytes, DocKind::Docx), Ok(()));
    }

    #[test]
    fn truncated_or_corrupted_xlsx(cut in 0.0f64..1.0, edits in prop::collection::vec((0.0f64..1.0, any::<u8>()), 0..40)) {
        let bytes = mutate(fixture("006.xlsx"), cut, &edits);
        prop_assert_eq!(read_bounded(bytes, DocKind::Xlsx), Ok(()));
    }

    #[test]
    fn random_bytes_any_kind(bytes in prop::collection::vec(any::<u8>(), 0..2000), k in 0usize..7) {
        let kinds = [DocKind::Pdf, DocKind::Docx, DocKind::Doc, DocKind::Xls, DocKind::Xlsx, DocKind::Ods, DocKind::Wps];
        prop_assert_eq!(read_bounded(bytes, kinds[k]), Ok(()));
    }
}

#[test]
fn garbage_gives_clear_errors() {
    let e = read_document(b"%PDF-1.7\nnot really", DocKind::Pdf).expect_err("broken pdf");
    assert!(e.to_string().contains("pdf"), "{e}");
    let e = read_document(b"PK\x03\x04broken", DocKind::Docx).expect_err("broken docx");
    assert!(e.to_string().contains("docx"), "{e}");
    assert_eq!(sniff(b"hello", Some("x.txt")), None);
}

#[test]
fn unreadable_wps_is_unsupported() {
    // An OLE file without a WordDocument stream, named .wps.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend([0u8; 600]);
    assert_eq!(sniff(&ole, Some("report.wps")), Some(DocKind::Wps));
    let e = read_document(&ole, DocKind::Wps).expect_err("no reader for it");
    assert!(matches!(e, DocError::Unsupported { .. }), "{e}");
}
