//! Without a tesseract program, an image report is flagged `ocr_unavailable` and nothing else
//! changes: the scanned PDF still gives its `image_only` report with its page count and no
//! value, and a picture its `image_only` report. `NIANBAO_TESSERACT` names the program; a
//! missing one and `none` both mean "no OCR".

use std::process::Command;

fn extract(path: &str, tesseract: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["extract", path, "--format", "json"])
        .env("NIANBAO_TESSERACT", tesseract)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run nianbao");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn without_tesseract_image_reports_say_ocr_unavailable() {
    for tesseract in ["none", "/nonexistent/tesseract"] {
        for path in [
            "tests/fixtures/ocr/006-scan-ccitt.pdf",
            "tests/fixtures/documents/006-scanned.pdf",
            "tests/fixtures/ocr/006-tables.png",
        ] {
            let v = extract(path, tesseract);
            let r = &v[0];
            let flags: Vec<&str> = r["report_flags"]
                .as_array()
                .map(|a| a.iter().filter_map(|f| f.as_str()).collect())
                .unwrap_or_default();
            assert!(flags.contains(&"image_only"), "{path}: {flags:?}");
            assert!(flags.contains(&"ocr_unavailable"), "{path}: {flags:?}");
            assert!(!flags.contains(&"ocr"), "{path}: {flags:?}");
            let values = r["cells"]
                .as_object()
                .map(|c| c.values().filter(|v| !v.is_null()).count())
                .unwrap_or(0);
            assert_eq!(values, 0, "{path}: no value without OCR");
            assert!(r.get("error").is_none(), "{path}: {r}");
        }
    }
}
