//! End-to-end tests of `nianbao extract`: directories, stdin, the CSV dataset, error rows and
//! exit codes.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
}

fn samples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/samples")
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    // The files are written by the csv crate; fields here contain no embedded newlines except
    // in extras/flags JSON, which never contain raw newlines either.
    let header: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn directory_to_dataset_with_all_keys_as_columns() {
    let out = tempfile::tempdir().expect("tempdir");
    let st = bin()
        .arg("extract")
        .arg(samples())
        .arg("--out")
        .arg(out.path())
        .status()
        .expect("run");
    assert_eq!(st.code(), Some(0));
    let (header, rows) = read_csv(&out.path().join("reports.csv"));
    // 12 bundled reports; the README in the folder is not one.
    assert_eq!(rows.len(), 12);
    assert_eq!(
        &header[..6],
        &["report_id", "source", "title", "agency", "year", "format"]
    );
    assert_eq!(
        header.len(),
        13 + 8 + 9 + 226,
        "metadata, identity and provenance columns + every key of both formats"
    );
    let codebook = std::fs::read_to_string(out.path().join("codebook.csv")).expect("codebook");
    // every column of reports.csv is documented, and the other files' columns too
    for h in &header {
        assert!(
            codebook.lines().any(|l| l.starts_with(&format!("{h},"))),
            "{h} not in the codebook"
        );
    }
    let cells = std::fs::read_to_string(out.path().join("cells.csv")).expect("cells");
    assert!(cells.lines().count() > 12 * 190);
    let checks = std::fs::read_to_string(out.path().join("checks.csv")).expect("checks");
    assert!(checks.lines().skip(1).all(|l| l.contains(",I1,")
        || l.contains(",I2,")
        || l.contains(",I3,")
        || l.contains(",I4,")));
}

#[test]
fn same_inputs_give_byte_identical_datasets() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    for d in [&a, &b] {
        let st = bin()
            .arg("extract")
            .arg(samples())
            .args(["-j", "2", "--out"])
            .arg(d.path())
            .status()
            .expect("run");
        assert_eq!(st.code(), Some(0));
    }
    for f in ["reports.csv", "cells.csv", "checks.csv", "codebook.csv"] {
        assert_eq!(
            std::fs::read(a.path().join(f)).expect("a"),
            std::fs::read(b.path().join(f)).expect("b"),
            "{f}"
        );
    }
}

#[test]
fn one_bad_input_does_not_stop_the_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("good.txt");
    std::fs::copy(samples().join("030.txt"), &good).expect("copy");
    let broken = dir.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.7\n1 0 obj << /Type /Catalog").expect("write");
    let missing = dir.path().join("missing.txt");
    let out = dir.path().join("out");
    let o = bin()
        .arg("extract")
        .arg(&good)
        .arg(&broken)
        .arg(&missing)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    assert_eq!(
        o.status.code(),
        Some(2),
        "some inputs failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let reports = std::fs::read_to_string(out.join("reports.csv")).expect("reports");
    assert_eq!(
        reports.lines().count(),
        4,
        "one row per input, errors included"
    );
    assert!(reports.contains("gb2021"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("broken.pdf") && stderr.contains("missing.txt"),
        "{stderr}"
    );
}

#[test]
fn stdin_and_json_contract() {
    let mut child = bin()
        .args(["extract", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let text = std::fs::read(samples().join("seed.txt")).expect("seed");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&text)
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let r = &v[0];
    for field in [
        "source", "title", "agency", "year", "format", "cells", "flags", "checks", "extras",
    ] {
        assert!(r.get(field).is_some(), "missing {field}");
    }
    assert_eq!(r["source"], "-");
    assert_eq!(r["cells"].as_object().map(|m| m.len()), Some(198));
}

#[test]
fn bom_option_for_excel() {
    let out = tempfile::tempdir().expect("tempdir");
    let st = bin()
        .arg("extract")
        .arg(samples().join("011.txt"))
        .arg("--bom")
        .arg("--out")
        .arg(out.path())
        .status()
        .expect("run");
    assert_eq!(st.code(), Some(0));
    let bytes = std::fs::read(out.path().join("reports.csv")).expect("reports");
    assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
}

#[test]
fn unwritable_output_is_a_fatal_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let o = bin()
        .arg("extract")
        .arg(samples().join("011.txt"))
        .arg("--out")
        .arg(file.join("sub"))
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot create output directory"));
}

/// A one-page HTTP server on 127.0.0.1 for `extract URL`: serves `body` for every path except
/// `/robots.txt` (404), for a bounded number of connections, then stops.
fn serve_once(
    body: Vec<u8>,
    content_type: &'static str,
    connections: usize,
) -> (u16, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
                    break;
                }
            }
            let (status, ct, payload): (&str, &str, &[u8]) = if request_line.contains("/robots.txt")
            {
                ("404 Not Found", "text/plain", b"")
            } else {
                ("200 OK", content_type, &body)
            };
            let head = format!("HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", payload.len());
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(payload);
        }
    });
    (port, handle)
}

#[test]
fn extract_url_fetches_once_archives_and_extracts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = std::fs::read(samples().join("006.html")).expect("006");
    let (port, server) = serve_once(page, "text/html; charset=utf-8", 2);
    let cfg = dir.path().join("config.toml");
    let data = dir.path().join("archive");
    std::fs::write(&cfg, format!("[[sources]]\nname = \"t\"\nstart = [\"http://127.0.0.1:{port}/\"]\n[crawl]\nallow_private_addresses = true\n[storage]\ndata = \"{}\"\n", data.display())).expect("config");
    let url = format!("http://127.0.0.1:{port}/art/2020/1/31/art_1.html");
    let o = bin()
        .args(["extract", &url, "--format", "json", "--config"])
        .arg(&cfg)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v[0]["format"], "gb2019");
    assert_eq!(v[0]["cells"]["t3.new_received.total"], 859);
    assert_eq!(v[0]["source"], url);
    // The response is in the archive: WARC files and the index exist.
    let names: Vec<String> = std::fs::read_dir(&data)
        .expect("archive dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().any(|n| n.contains("warc")), "{names:?}");
    let _ = server.join();
}

#[test]
fn extract_url_offline_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A port with nothing listening: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, format!("[[sources]]\nname = \"t\"\nstart = [\"http://127.0.0.1:{port}/\"]\n[crawl]\nallow_private_addresses = true\n[politeness]\nretries = 0\ntimeout_s = 2\n[storage]\ndata = \"{}\"\n", dir.path().join("a").display())).expect("config");
    let o = bin()
        .args([
            "extract",
            &format!("http://127.0.0.1:{port}/x.html"),
            "--format",
            "json",
            "--config",
        ])
        .arg(&cfg)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("cannot fetch"), "{stderr}");
}

/// A small site on 127.0.0.1 for `extract URL`: `routes` maps paths to (content type, body);
/// other paths (robots.txt included) are 404. Serves until the returned guard is dropped, then
/// closes the port (so later runs prove they need no network).
struct Site {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Site {
    fn start(routes: Vec<(&'static str, &'static str, Vec<u8>)>) -> Site {
        use std::io::{BufRead, BufReader};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let handle = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request_line = String::new();
                let _ = reader.read_line(&mut request_line);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
                        break;
                    }
                }
                let path = request_line.split(' ').nth(1).unwrap_or("");
                let (status, ct, payload): (&str, &str, &[u8]) =
                    match routes.iter().find(|(p, _, _)| *p == path) {
                        Some((_, ct, body)) => ("200 OK", ct, body),
                        None => ("404 Not Found", "text/plain", b""),
                    };
                let head = format!("HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", payload.len());
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(payload);
            }
        });
        Site {
            port,
            stop,
            handle: Some(handle),
        }
    }

    fn shut(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.shut();
    }
}

/// A report page whose tables are only in its PDF attachment (the PDF is the in-repo
/// LibreOffice print of dev report 006).
fn attachment_site() -> Site {
    let pdf = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents/006.pdf"),
    )
    .expect("006.pdf");
    let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
        <title>上海市人民政府办公厅2019年政府信息公开工作年度报告</title>\
        <meta name=\"ArticleTitle\" content=\"上海市人民政府办公厅2019年政府信息公开工作年度报告\">\
        <meta name=\"PubDate\" content=\"2020-03-31\"></head><body><div class=\"article\">\
        <h1>上海市人民政府办公厅2019年政府信息公开工作年度报告</h1>\
        <p>本报告全文见附件。</p>\
        <p>附件：<a href=\"/files/2020/report.pdf\">上海市人民政府办公厅2019年政府信息公开工作年度报告.pdf</a></p>\
        </div></body></html>";
    Site::start(vec![
        (
            "/art/2020/3/31/art_1.html",
            "text/html; charset=utf-8",
            page.as_bytes().to_vec(),
        ),
        ("/files/2020/report.pdf", "application/pdf", pdf),
    ])
}

fn config_for(dir: &Path, port: u16, allow_private: bool) -> std::path::PathBuf {
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, format!("[[sources]]\nname = \"t\"\nstart = [\"http://127.0.0.1:{port}/\"]\n[crawl]\nallow_private_addresses = {allow_private}\n[politeness]\nretries = 0\ntimeout_s = 2\ndelay_ms = 0\n[storage]\ndata = \"{}\"\n", dir.join("data").display())).expect("config");
    cfg
}

#[test]
fn extract_url_follows_the_pdf_attachment_and_rereads_it_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut site = attachment_site();
    let url = format!("http://127.0.0.1:{}/art/2020/3/31/art_1.html", site.port);
    let truth: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents/006.json"),
        )
        .expect("truth"),
    )
    .expect("json");

    // Refused by default: a local address, and the message names the flag.
    let cfg = config_for(dir.path(), site.port, false);
    let o = bin()
        .args(["extract", &url, "--format", "json", "--config"])
        .arg(&cfg)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("--allow-private"), "{stderr}");

    // With the flag: the page, then the PDF with the PDF's cells.
    let o = bin()
        .args([
            "extract",
            &url,
            "--allow-private",
            "--format",
            "json",
            "--config",
        ])
        .arg(&cfg)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let reports = v.as_array().expect("array");
    assert_eq!(reports.len(), 2, "{v}");
    assert_eq!(reports[0]["source"], url);
    assert!(reports[0]["report_flags"]
        .to_string()
        .contains("attachment_only"));
    let pdf = &reports[1];
    assert!(pdf["source"]
        .as_str()
        .is_some_and(|s| s.ends_with("/files/2020/report.pdf")));
    let t = truth["truth"].as_object().expect("truth map");
    let exact = t
        .iter()
        .filter(|(k, want)| pdf["cells"][k.as_str()] == **want)
        .count();
    assert_eq!(
        exact,
        t.len(),
        "PDF cells differ from the truth: {}",
        pdf["cells"]
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("first extraction"));

    // Network off: the site is gone, the archive answers.
    site.shut();
    let o = bin()
        .args([
            "extract",
            &url,
            "--from-archive",
            "--format",
            "summary",
            "--config",
        ])
        .arg(&cfg)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].contains("no cells: the tables are in the attachments"),
        "{out}"
    );
    assert!(
        lines[1].contains("report.pdf") && lines[1].contains("gb2019"),
        "{out}"
    );
    assert!(!lines[1].contains("no cells"), "{out}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("same cells as the earlier extraction"),
        "{stderr}"
    );

    // A changed earlier extraction is named cell by cell.
    let hist = std::fs::read_dir(dir.path().join("data/extractions"))
        .expect("history")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .next()
        .expect("one history file");
    let mut h: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&hist).expect("read")).expect("json");
    let pdf_src = pdf["source"].as_str().expect("source").to_string();
    h["cells"][&pdf_src]["t3.new_received.total"] = serde_json::json!(1);
    std::fs::write(&hist, serde_json::to_vec(&h).expect("json")).expect("write");
    let o = bin()
        .args([
            "extract",
            &url,
            "--from-archive",
            "--format",
            "json",
            "--config",
        ])
        .arg(&cfg)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("1 change(s)") && stderr.contains("t3.new_received.total: 1 → 859"),
        "{stderr}"
    );
}

#[test]
fn extract_url_from_archive_of_an_unknown_url_says_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut site = attachment_site();
    let cfg = config_for(dir.path(), site.port, true);
    let url = format!("http://127.0.0.1:{}/art/2020/3/31/art_1.html", site.port);
    let o = bin()
        .args(["extract", &url, "--format", "json", "--config"])
        .arg(&cfg)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    site.shut();
    let other = format!("http://127.0.0.1:{}/never-fetched.html", site.port);
    let o = bin()
        .args([
            "extract",
            &other,
            "--from-archive",
            "--format",
            "json",
            "--config",
        ])
        .arg(&cfg)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("is not in the archive"), "{stderr}");
}
