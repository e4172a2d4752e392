//! The parser children as a batch sees them: documents share long-lived workers, and a
//! document that kills its worker costs that document only (an error row naming the crash);
//! the next one is read by a fresh worker. `NIANBAO_SANDBOX_ABORT_ON` makes the child abort
//! on the input whose name ends with its value, as a parser does on an allocation failure.

use std::path::Path;
use std::process::Command;

fn run(dir: &Path, abort_on: &str) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["extract", "--format", "json", "-j", "1"])
        .arg(dir)
        .env("NIANBAO_SANDBOX_ABORT_ON", abort_on)
        .env("NIANBAO_TESSERACT", "none")
        .output()
        .expect("run nianbao");
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), reports)
}

fn cells(r: &serde_json::Value) -> usize {
    r["cells"]
        .as_object()
        .map(|m| m.values().filter(|v| !v.is_null()).count())
        .unwrap_or(0)
}

#[test]
fn a_worker_killed_by_one_document_costs_that_document_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let names = ["a.pdf", "b.xlsx", "c-crash.pdf", "d.pdf", "e.xlsx"];
    for n in names {
        let from = if n.ends_with("xlsx") {
            "tests/fixtures/documents/006.xlsx"
        } else {
            "tests/fixtures/documents/006.pdf"
        };
        std::fs::copy(root.join(from), tmp.path().join(n)).expect("copy fixture");
    }
    // Without the fault every document is read.
    let (code, clean) = run(tmp.path(), "");
    assert_eq!(code, Some(0));
    assert_eq!(clean.len(), names.len());
    let expected: Vec<usize> = clean.iter().map(cells).collect();
    assert!(expected.iter().all(|&n| n > 50), "{expected:?}");

    let (code, reports) = run(tmp.path(), "c-crash.pdf");
    assert_eq!(code, Some(2), "one input failed");
    assert_eq!(reports.len(), names.len());
    for (r, want) in reports.iter().zip(&expected) {
        let source = r["source"].as_str().unwrap_or_default();
        if source.ends_with("c-crash.pdf") {
            let err = r["error"].as_str().unwrap_or_default();
            assert!(err.contains("parser crashed (signal 6)"), "{err}");
            assert_eq!(cells(r), 0);
        } else {
            assert!(r["error"].is_null(), "{source}: {}", r["error"]);
            assert_eq!(cells(r), *want, "{source}");
        }
    }
}
