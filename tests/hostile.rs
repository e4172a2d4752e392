//! Hostile input through the real binary (issue 10): directory walks with symlink loops and
//! a FIFO, charset mislabels and a stray byte, garbage, a crawl that archives a hostile
//! spreadsheet (quarantine), and `verify` on an archive with a torn tail and a flipped byte.
//! Every hostile input is made here from the bundled samples.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn nianbao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run with a deadline (a hang is a failure, not a stuck test run).
fn run(cmd: &mut Command, limit: Duration) -> Output {
    use wait_timeout::ChildExt;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nianbao");
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    let read = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let (o, e) = (read(Box::new(out)), read(Box::new(err)));
    let status = match child.wait_timeout(limit).expect("wait") {
        Some(s) => s,
        None => {
            let _ = child.kill();
            panic!("nianbao did not finish within {limit:?}: {cmd:?}");
        }
    };
    Output {
        status,
        stdout: o.join().expect("stdout"),
        stderr: e.join().expect("stderr"),
    }
}

fn json(out: &Output) -> Vec<Value> {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON: {e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn filled_cells(report: &Value) -> serde_json::Map<String, Value> {
    report["cells"]
        .as_object()
        .expect("cells")
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn extract_json(path: &Path) -> (Option<i32>, Vec<Value>) {
    let out = run(
        nianbao()
            .arg("extract")
            .arg(path)
            .args(["--format", "json"]),
        Duration::from_secs(120),
    );
    (out.status.code(), json(&out))
}

#[test]
fn symlink_loops_and_a_fifo_batch_finishes_each_file_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::create_dir_all(d.join("a/b")).unwrap();
    std::fs::create_dir_all(d.join("c")).unwrap();
    std::fs::copy(root().join("data/samples/seed.txt"), d.join("a/b/seed.txt")).unwrap();
    std::os::unix::fs::symlink(d.join("a"), d.join("a/b/up")).unwrap();
    std::os::unix::fs::symlink(d.join("c"), d.join("a/to_c")).unwrap();
    std::os::unix::fs::symlink(d.join("a"), d.join("c/to_a")).unwrap();
    std::os::unix::fs::symlink(d.join("a/b/seed.txt"), d.join("c/again.txt")).unwrap();
    let st = Command::new("mkfifo")
        .arg(d.join("c/pipe.txt"))
        .status()
        .expect("mkfifo");
    assert!(st.success());
    let out = run(
        nianbao().arg("extract").arg(d).args(["--format", "json"]),
        Duration::from_secs(60),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "some inputs are reported as failed"
    );
    let reports = json(&out);
    let ok: Vec<&Value> = reports.iter().filter(|r| r["error"].is_null()).collect();
    assert_eq!(ok.len(), 1, "the seed once, however many paths lead to it");
    let (_, direct) = extract_json(&root().join("data/samples/seed.txt"));
    assert_eq!(filled_cells(ok[0]), filled_cells(&direct[0]));
    let errors: Vec<(String, String)> = reports
        .iter()
        .filter_map(|r| {
            Some((
                r["source"].as_str()?.to_string(),
                r["error"].as_str()?.to_string(),
            ))
        })
        .collect();
    assert!(
        errors
            .iter()
            .any(|(s, e)| s.ends_with("pipe.txt") && e.contains("FIFO")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(_, e)| e.contains("symbolic link loop")),
        "{errors:?}"
    );
}

#[test]
fn a_stray_byte_keeps_the_cells_and_records_the_decision() {
    let dir = tempfile::tempdir().expect("tmp");
    let clean = std::fs::read(root().join("data/samples/seed.txt")).unwrap();
    let (code, base) = extract_json(&root().join("data/samples/seed.txt"));
    assert_eq!(code, Some(0));
    let want = filled_cells(&base[0]);
    assert!(want.len() > 150);
    // One 0xFF in the middle of the text: invalid UTF-8, which detection reads as a
    // single-byte Western charset (0 cells) unless the evidence is weighed.
    let mut bytes = clean.clone();
    let mid = clean.len() / 2;
    let at = (mid..clean.len()).find(|&i| clean[i] == b'\n').unwrap();
    bytes.insert(at, 0xFF);
    let path = dir.path().join("stray.txt");
    std::fs::write(&path, &bytes).unwrap();
    let (code, got) = extract_json(&path);
    assert_eq!(code, Some(0));
    assert_eq!(filled_cells(&got[0]), want);
    let cs = &got[0]["charset"];
    assert_eq!(cs["name"], "UTF-8", "{cs}");
    assert_eq!(cs["source"], "evidence", "{cs}");
    assert_eq!(cs["errors"], 1, "{cs}");
    assert!(
        cs["overruled"].as_str().unwrap_or("").contains("detected"),
        "{cs}"
    );
}

#[test]
fn gbk_and_utf8_mislabels_give_the_clean_cells() {
    let dir = tempfile::tempdir().expect("tmp");
    let page = std::fs::read_to_string(root().join("data/samples/006.html")).unwrap();
    let (code, base) = extract_json(&root().join("data/samples/006.html"));
    assert_eq!(code, Some(0));
    let want = filled_cells(&base[0]);
    assert!(want.len() > 50, "{}", want.len());
    // Declared GBK, sent UTF-8.
    let says_gbk =
        format!("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">{page}");
    let p1 = dir.path().join("says-gbk.html");
    std::fs::write(&p1, says_gbk.as_bytes()).unwrap();
    // Declared UTF-8, sent GBK.
    let says_utf8 = format!("<meta charset=\"utf-8\">{page}");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&says_utf8);
    assert!(!unmappable);
    let p2 = dir.path().join("says-utf8.html");
    std::fs::write(&p2, &gbk).unwrap();
    for (path, real, claimed) in [(&p1, "UTF-8", "GBK"), (&p2, "gb18030", "UTF-8")] {
        let (code, got) = extract_json(path);
        assert_eq!(code, Some(0), "{}", path.display());
        assert_eq!(filled_cells(&got[0]), want, "{}", path.display());
        let cs = &got[0]["charset"];
        assert_eq!(cs["name"], real, "{cs}");
        assert_eq!(cs["source"], "evidence", "{cs}");
        assert!(
            cs["overruled"]
                .as_str()
                .unwrap_or("")
                .starts_with(&format!("{claimed} (meta)")),
            "{cs}"
        );
    }
}

#[test]
fn garbage_is_an_error_not_a_success() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut x: u64 = 0x2545F4914F6CDD1D;
    let noise: Vec<u8> = (0..50_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let path = dir.path().join("noise.txt");
    std::fs::write(&path, &noise).unwrap();
    let (code, got) = extract_json(&path);
    assert_eq!(code, Some(2));
    let err = got[0]["error"].as_str().unwrap_or("");
    assert!(err.contains("unreadable"), "{}", got[0]);
}

/// A sheet whose declared dimension is the whole sheet and which has a cell in its last
/// corner: calamine's grid would be 17 billion cells.
fn huge_dimension_xlsx() -> Vec<u8> {
    let sheet = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>"#;
    xlsx(sheet)
}

fn xlsx(sheet: &str) -> Vec<u8> {
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
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    for (name, body) in parts {
        w.start_file(name, SimpleFileOptions::default()).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn write_site(dir: &Path) -> PathBuf {
    let site = dir.join("sites/s");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(
        site.join("index.html"),
        r#"<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body><ul>
<li><a href="report.html" title="某区2023年政府信息公开工作年度报告">某区2023年政府信息公开工作年度报告</a></li>
</ul></body></html>"#,
    )
    .unwrap();
    let seed = std::fs::read_to_string(root().join("data/samples/seed.txt")).unwrap();
    let body: String = seed.lines().map(|l| format!("<p>{l}</p>\n")).collect();
    std::fs::write(
        site.join("report.html"),
        format!(
            r#"<html><head><meta charset="utf-8"><title>某区2023年政府信息公开工作年度报告</title></head><body><div class="TRS_Editor">{body}<p>附件：<a href="evil.xlsx">2023年年报统计表.xlsx</a></p></div></body></html>"#
        ),
    )
    .unwrap();
    std::fs::write(site.join("evil.xlsx"), huge_dimension_xlsx()).unwrap();
    let config = dir.join("crawl.toml");
    std::fs::write(
        &config,
        format!(
            r#"[demo]
serve_dir = "{}"
base_port = 0

[[sources]]
name = "hostile"
start = ["http://{{{{site:s}}}}/index.html"]

[crawl]
allow_private_addresses = true
max_depth = 3

[politeness]
delay_ms = 10
timeout_s = 10
retries = 0
backoff_ms = 10

[storage]
data = "{}"
out = "{}"
"#,
            dir.join("sites").display(),
            dir.join("data").display(),
            dir.join("out").display()
        ),
    )
    .unwrap();
    config
}

fn crawl(config: &Path) -> Value {
    let out = run(
        nianbao()
            .arg("crawl")
            .arg("--config")
            .arg(config)
            .arg("--json"),
        Duration::from_secs(180),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "crawl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "summary JSON: {e}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn quarantined_xlsx(summary: &Value) -> String {
    let q = summary["quarantined"].as_object().expect("quarantined");
    let (url, why) = q
        .iter()
        .find(|(u, _)| u.ends_with("/evil.xlsx"))
        .unwrap_or_else(|| panic!("evil.xlsx not quarantined: {summary}"));
    assert!(
        why.as_str().unwrap_or("").contains("limit exceeded"),
        "{why}"
    );
    url.clone()
}

#[test]
fn a_crawl_quarantines_a_hostile_spreadsheet_and_later_runs_skip_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_site(dir.path());
    let first = crawl(&config);
    quarantined_xlsx(&first);
    let reports = std::fs::read_to_string(dir.path().join("out/reports.csv")).unwrap();
    assert!(
        reports.contains("某区2023年政府信息公开工作年度报告"),
        "{reports}"
    );
    // The second crawl (new random port: the same bytes under a new URL) skips it by digest.
    let second = crawl(&config);
    quarantined_xlsx(&second);
    let export = run(
        nianbao()
            .arg("export")
            .arg("--data")
            .arg(dir.path().join("data"))
            .arg("--out")
            .arg(dir.path().join("out2")),
        Duration::from_secs(120),
    );
    assert_eq!(export.status.code(), Some(0));
    let said = String::from_utf8_lossy(&export.stdout);
    assert!(said.contains("quarantined: http://"), "{said}");
    let reports = std::fs::read_to_string(dir.path().join("out2/reports.csv")).unwrap();
    assert!(reports.contains("quarantined since"), "{reports}");
    assert!(reports.contains("某区2023年政府信息公开工作年度报告"));
    // Asked to, a run reads it again (and it fails again, with the same reason).
    let retry = run(
        nianbao()
            .arg("export")
            .arg("--retry-poisoned")
            .arg("--data")
            .arg(dir.path().join("data"))
            .arg("--out")
            .arg(dir.path().join("out3")),
        Duration::from_secs(120),
    );
    assert_eq!(retry.status.code(), Some(0));
    let reports = std::fs::read_to_string(dir.path().join("out3/reports.csv")).unwrap();
    assert!(!reports.contains("quarantined since"));
    assert!(reports.contains("limit exceeded: sheet cells"), "{reports}");
}

#[test]
fn verify_finds_a_torn_tail_and_a_flipped_byte() {
    use std::io::{Read, Seek, SeekFrom};
    let dir = tempfile::tempdir().expect("tmp");
    let config = write_site(dir.path());
    crawl(&config);
    let data = dir.path().join("data");
    let ok = run(
        nianbao().arg("verify").arg("--data").arg(&data),
        Duration::from_secs(60),
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // The report page's response record: flip one byte in the middle of its gzip member.
    let conn = rusqlite_row(&data);
    let (file, offset, len) = conn;
    let path = data.join("warc").join(&file);
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let at = offset + len / 2;
    f.seek(SeekFrom::Start(at)).unwrap();
    let mut b = [0u8];
    f.read_exact(&mut b).unwrap();
    f.seek(SeekFrom::Start(at)).unwrap();
    f.write_all(&[!b[0]]).unwrap();
    // A torn tail: half of a gzip member, as a writer killed mid-record leaves.
    let mut member = Vec::new();
    {
        let mut gz = flate2::write::GzEncoder::new(&mut member, flate2::Compression::default());
        gz.write_all(b"WARC/1.1\r\nWARC-Type: resource\r\n\r\nhalf")
            .unwrap();
        gz.finish().unwrap();
    }
    f.seek(SeekFrom::End(0)).unwrap();
    f.write_all(&member[..member.len() / 2]).unwrap();
    drop(f);
    let found = run(
        nianbao().arg("verify").arg("--data").arg(&data),
        Duration::from_secs(60),
    );
    let text = String::from_utf8_lossy(&found.stdout).to_string();
    assert_eq!(found.status.code(), Some(1), "{text}");
    assert!(text.contains("torn_tail"), "{text}");
    assert!(
        text.contains(&format!("{file}: corrupt_record at offset {offset}"))
            || text.contains(&format!("{file}: digest_mismatch at offset {offset}")),
        "{text}"
    );
    let repaired = run(
        nianbao()
            .arg("verify")
            .arg("--repair")
            .arg("--data")
            .arg(&data),
        Duration::from_secs(60),
    );
    let text = String::from_utf8_lossy(&repaired.stdout).to_string();
    assert!(text.contains("repaired:"), "{text}");
    assert!(!text.contains("torn_tail"), "{text}");
    assert_eq!(
        repaired.status.code(),
        Some(1),
        "the flipped byte stays: {text}"
    );
}

/// WARC file, offset and length of the archived report page's response.
fn rusqlite_row(data: &Path) -> (String, u64, u64) {
    let ix = nianbao_archive::Index::open_read_only(&data.join("index.sqlite")).expect("index");
    ix.connection()
        .query_row(
            "SELECT warc_file, warc_offset, warc_length FROM records WHERE url LIKE '%/report.html' AND outcome = 'ok' ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64)),
        )
        .expect("report record")
}

/// `export` from an archive on a read-only file system (a copy on a read-only mount, a
/// backup): SQLite's WAL mode would want to create `index.sqlite-shm` there. The mount is
/// made in a private mount namespace (`unshare -m`, as root); the test says SKIPPED where
/// that is not possible.
#[test]
fn export_from_a_read_only_archive() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    {
        let mut a = nianbao_archive::Archive::open(&data).expect("archive");
        let ex = nianbao_archive::Exchange {
            url: "http://a.test/1.txt".into(),
            host: "a.test".into(),
            method: nianbao_archive::Method::Get,
            role: "report".into(),
            run_id: 1,
            outcome: nianbao_archive::Outcome::Ok,
            response: Some(nianbao_archive::HttpResponse {
                status: 200,
                reason: "OK".into(),
                headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
                body: std::fs::read(root().join("data/samples/seed.txt")).expect("seed"),
            }),
            ..Default::default()
        };
        a.store(&ex, None, &[]).expect("store");
    }
    let probe = Command::new("unshare")
        .args(["-m", "sh", "-c"])
        .arg(format!(
            "mount --bind -o ro '{0}' '{0}' && ! touch '{0}/probe' 2>/dev/null",
            data.display()
        ))
        .status();
    if !matches!(probe, Ok(s) if s.success()) {
        eprintln!("SKIPPED: cannot make a read-only mount here (unshare -m / mount --bind -o ro)");
        return;
    }
    let out = dir.path().join("out");
    let res = run(
        Command::new("unshare").args(["-m", "sh", "-c"]).arg(format!(
            "mount --bind -o ro '{0}' '{0}' && exec '{1}' export --config /nonexistent.toml --data '{0}' --out '{2}'",
            data.display(),
            env!("CARGO_BIN_EXE_nianbao"),
            out.display()
        )),
        Duration::from_secs(120),
    );
    assert_eq!(
        res.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let reports = std::fs::read_to_string(out.join("reports.csv")).expect("reports.csv");
    assert!(reports.contains("梅河口市商务局"), "{reports}");
}
