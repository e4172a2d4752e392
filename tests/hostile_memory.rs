//! Time and memory of the whole `nianbao extract` process on hostile inputs made here: the
//! XLSX whose sheet spans the whole grid, the XLSX with a huge shared-string part, and a
//! page of 1,000,000 nested `<div>`s. Peak memory is the largest resident set of any
//! process this test waited for (`getrusage(RUSAGE_CHILDREN)`, which includes nianbao's own
//! parser child); this file holds one test so that nothing else runs beside it. Time bounds
//! are generous (a debug build on a shared machine); the README gives release figures.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const MAX_RSS_BYTES: u64 = 200 << 20;

fn peak_rss_of_children() -> u64 {
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage");
    // Linux reports kilobytes.
    (usage.max_rss().max(0) as u64) * 1024
}

fn xlsx(sheet: &str, shared: &str) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", shared),
    ];
    for (name, body) in parts {
        w.start_file(name, SimpleFileOptions::default()).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `nianbao extract FILE --format json`: exit code, first report's error, elapsed time.
fn extract(path: &Path) -> (Option<i32>, String, Duration) {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .arg("extract")
        .arg(path)
        .args(["--format", "json"])
        .output()
        .expect("run nianbao");
    let elapsed = t.elapsed();
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let err = reports[0]["error"].as_str().unwrap_or("").to_string();
    (out.status.code(), err, elapsed)
}

#[test]
fn hostile_inputs_are_refused_fast_and_small() {
    let dir = tempfile::tempdir().expect("tmp");
    let sheet_all = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>"#;
    let no_strings = r#"<sst xmlns="x" count="0" uniqueCount="0"/>"#;
    let small_sheet = r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    // 1.2 million short strings, declared as a trillion: calamine reserves the declared count,
    // then grows to gigabytes.
    let mut many =
        String::from(r#"<sst xmlns="x" count="1000000000000" uniqueCount="1000000000000">"#);
    for i in 0..1_200_000u32 {
        many.push_str("<si><t>");
        many.push_str(&(i % 1000).to_string());
        many.push_str("</t></si>");
    }
    many.push_str("</sst>");
    let cases = [
        ("dimension.xlsx", xlsx(sheet_all, no_strings), "sheet cells"),
        ("strings.xlsx", xlsx(small_sheet, &many), "limit exceeded"),
    ];
    for (name, bytes, reason) in &cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (code, err, elapsed) = extract(&path);
        let rss = peak_rss_of_children();
        eprintln!(
            "{name}: {} bytes, {elapsed:?}, peak RSS so far {} MiB: {err}",
            bytes.len(),
            rss >> 20
        );
        assert_eq!(code, Some(2), "{name}");
        assert!(err.contains(reason), "{name}: {err}");
        assert!(rss < MAX_RSS_BYTES, "{name}: {} MiB", rss >> 20);
        assert!(elapsed < Duration::from_secs(20), "{name}: {elapsed:?}");
    }
    // 1,000,000 nested divs (11 MB): linear, bounded.
    let n = 1_000_000;
    let page = "<html><body>".to_string() + &"<div>".repeat(n) + "年度报告" + &"</div>".repeat(n);
    let path = dir.path().join("divs.html");
    std::fs::write(&path, page).unwrap();
    let (code, err, elapsed) = extract(&path);
    let rss = peak_rss_of_children();
    eprintln!("divs.html: {elapsed:?}, peak RSS so far {} MiB", rss >> 20);
    assert!(code.is_some(), "no crash");
    assert!(err.is_empty(), "{err}");
    assert!(rss < MAX_RSS_BYTES, "{} MiB", rss >> 20);
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
}
