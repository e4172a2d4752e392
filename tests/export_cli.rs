//! `nianbao export` end to end: archives written with the archive crate, the binary run on them.

use nianbao_archive::{Archive, Exchange, HttpResponse};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

fn demo(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/demo/sites")
            .join(rel),
    )
    .expect("demo file")
}

fn store(dir: &Path, url: &str, body: Vec<u8>, at: u64) {
    let mut a = Archive::open(dir).expect("open archive");
    let ex = Exchange {
        url: url.into(),
        host: "h".into(),
        method: "GET".into(),
        role: "report".into(),
        run_id: 1,
        fetched_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600 + at)),
        outcome: "ok".into(),
        response: Some(HttpResponse {
            status: 200,
            reason: "OK".into(),
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body,
        }),
        ..Default::default()
    };
    a.store(&ex, None, &[]).expect("store");
}

#[test]
fn export_with_several_data_dirs_builds_one_dataset() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b, out) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("out"),
    );
    store(
        &a,
        "http://a.test/1.htm",
        demo("trs/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm"),
        0,
    );
    store(
        &b,
        "http://c.test/2.htm",
        demo("gkmlpt/xxgk/xxgknb/qzfgzbm/content/post_11956962.html"),
        1,
    );
    let o = Command::new(env!("CARGO_BIN_EXE_nianbao"))
        .args(["export", "--config", "/nonexistent.toml", "--data"])
        .arg(&a)
        .arg("--data")
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("exported 2 reports from 2 archived inputs"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let text = std::fs::read_to_string(out.join("reports.csv")).expect("reports.csv");
    assert!(text.contains("http://a.test/1.htm") && text.contains("http://c.test/2.htm"));
}
