//! `nianbao crawl` as an unattended job, through the real binary: exit codes, a failed run
//! that leaves the earlier dataset byte for byte, the run summary (stdout and
//! `<data>/runs/`), `--due`, `--quiet`, and logs without colour codes or as JSON lines.
//! The sites are the offline demo replicas, served by the binary itself on 127.0.0.1; the
//! "dead" hosts are 127.0.0.1 ports that were just closed (connection refused).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nianbao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo configuration on random ports (tests run in parallel), `crawl_extra` added to
/// its `[crawl]` table, without `[storage]` (the tests pass `--data` and `--out`).
fn demo_config(dir: &Path, crawl_extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("data/demo/demo.toml")).expect("demo.toml");
    let sites = root().join("data/demo/sites");
    let text = text
        .replace(
            "serve_dir = \"data/demo/sites\"",
            &format!("serve_dir = {:?}", sites.display().to_string()),
        )
        .replace("base_port = 28471", "base_port = 0")
        .replace("[crawl]\n", &format!("[crawl]\n{crawl_extra}\n"));
    let text = match text.find("[storage]") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let path = dir.join("demo.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// A configuration whose every host refuses connections.
fn dead_config(dir: &Path, hosts: usize) -> PathBuf {
    let mut text = String::new();
    for i in 0..hosts {
        // Bind, learn the port, close: nothing listens there any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        text.push_str(&format!(
            "[[sources]]\nname = \"dead {i}\"\nstart = [\"http://127.0.0.1:{port}/zwgk/zfxxgknb/\"]\n\n"
        ));
    }
    text.push_str(
        "[crawl]\nallow_private_addresses = true\n\n[politeness]\ndelay_ms = 10\nretries = 1\nbackoff_ms = 10\n",
    );
    let path = dir.join("dead.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn crawl(config: &Path, data: &Path, out: &Path, extra: &[&str]) -> Output {
    nianbao()
        .arg("crawl")
        .arg("--config")
        .arg(config)
        .arg("--data")
        .arg(data)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run nianbao crawl")
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("dataset dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

fn last_summary(data: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(data.join("runs/last-summary.json")).expect("last-summary.json");
    serde_json::from_str(&text).expect("summary JSON")
}

#[test]
fn every_host_refused_exits_3_and_keeps_the_dataset() {
    let dir = tempfile::tempdir().expect("tmp");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let good = crawl(&demo_config(dir.path(), ""), &data, &out, &[]);
    assert_eq!(good.status.code(), Some(0), "{good:?}");
    let before = snapshot(&out);
    assert!(
        before.contains_key("reports.csv") && before.len() >= 4,
        "{:?}",
        before.keys()
    );

    let dead = dead_config(dir.path(), 3);
    // `--report` too: a failed run writes no report page over the good dataset either.
    let failed = crawl(&dead, &data, &out, &["--report"]);
    let stdout = String::from_utf8_lossy(&failed.stdout);
    assert_eq!(
        failed.status.code(),
        Some(3),
        "no host answered: exit 3\n{stdout}"
    );
    let after = snapshot(&out);
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|f| before.get(*f) != after.get(*f))
        .collect();
    assert!(
        changed.is_empty(),
        "the earlier dataset is byte-identical; changed: {changed:?}"
    );
    let s = last_summary(&data);
    assert_eq!(s["exit_code"], 3);
    assert_eq!(s["failed_hosts"].as_array().map(Vec::len), Some(3));
    assert_eq!(s["dataset_written"], false);
    assert!(stdout.contains("FAILED"), "{stdout}");

    // On a fresh archive too: no dataset is created from nothing.
    let (data2, out2) = (dir.path().join("data2"), dir.path().join("out2"));
    let failed = crawl(&dead, &data2, &out2, &["--quiet"]);
    assert_eq!(failed.status.code(), Some(3));
    assert!(
        !out2.join("reports.csv").exists(),
        "no empty dataset written"
    );
    assert!(failed.stdout.is_empty(), "--quiet: no table");
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains("exit code 3"),
        "--quiet still says why it failed"
    );
}

#[test]
fn some_hosts_failed_exits_4_past_the_threshold() {
    let dir = tempfile::tempdir().expect("tmp");
    // The 3 demo hosts plus 4 dead ones: 4 of 7 hosts failed (57 %).
    let demo = std::fs::read_to_string(demo_config(dir.path(), "max_failed_host_share = 0.5"))
        .expect("read");
    let dead = std::fs::read_to_string(dead_config(dir.path(), 4)).expect("read");
    let dead_sources = &dead[..dead.find("[crawl]").expect("crawl table")];
    let mixed = dir.path().join("mixed.toml");
    std::fs::write(&mixed, format!("{dead_sources}\n{demo}")).expect("write");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let o = crawl(&mixed, &data, &out, &["--json"]);
    assert_eq!(
        o.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("--json");
    assert_eq!(s["failed_hosts"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        s["dataset_written"], true,
        "the hosts that answered refresh it"
    );
    assert!(out.join("reports.csv").exists());

    // The same run with a threshold of 0.6 passes.
    let lenient = std::fs::read_to_string(&mixed)
        .expect("read")
        .replace("max_failed_host_share = 0.5", "max_failed_host_share = 0.6");
    std::fs::write(&mixed, lenient).expect("write");
    let o = crawl(&mixed, &dir.path().join("d2"), &dir.path().join("o2"), &[]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn summary_json_contract_and_run_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let o = crawl(
        &demo_config(dir.path(), ""),
        &data,
        &out,
        &["--json", "--bom"],
    );
    assert_eq!(o.status.code(), Some(0));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    for key in [
        "run_id",
        "started_at",
        "finished_at",
        "duration_s",
        "resumed",
        "exit_code",
        "hosts",
        "sources",
        "new_reports",
        "changed_reports",
    ] {
        assert!(s.get(key).is_some(), "summary has {key}: {s}");
    }
    let started = s["started_at"].as_str().expect("started_at");
    assert!(
        started.len() == 20 && started.ends_with('Z') && &started[10..11] == "T",
        "RFC 3339 UTC: {started}"
    );
    assert_eq!(s["resumed"], false);
    assert_eq!(s["exit_code"], 0);
    let hosts = s["hosts"].as_object().expect("hosts");
    assert_eq!(hosts.len(), 3);
    for h in hosts.values() {
        for k in [
            "fetched",
            "new",
            "changed",
            "unchanged",
            "not_modified",
            "errors",
        ] {
            assert!(h.get(k).is_some(), "host counts have {k}: {h}");
        }
    }
    let sources = s["sources"].as_object().expect("sources");
    assert_eq!(sources.len(), 3, "one entry per configured source");
    let new: Vec<&str> = s["new_reports"]
        .as_array()
        .expect("new_reports")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        new.iter().any(|u| u.ends_with("/t20240308_87885.htm")),
        "the 平潭 2023 report is new: {new:?}"
    );
    let total_new: u64 = hosts.values().filter_map(|h| h["new"].as_u64()).sum();
    assert_eq!(new.len() as u64, total_new);
    let run_id = s["run_id"].as_i64().expect("run_id");
    let per_run: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data.join(format!("runs/{run_id}.json"))).expect("runs/<id>.json"),
    )
    .expect("json");
    assert_eq!(per_run, s, "runs/<run_id>.json is the printed summary");
    assert_eq!(last_summary(&data), s);
    let csv = std::fs::read(out.join("reports.csv")).expect("reports.csv");
    assert!(csv.starts_with("\u{feff}".as_bytes()), "--bom");

    // Second run on the same hosts: nothing new. (This test's own fixed ports: the
    // hosts must stay the same between the two runs.)
    let fixed = std::fs::read_to_string(demo_config(dir.path(), ""))
        .expect("read")
        .replace("base_port = 0", "base_port = 28611");
    let fixed_cfg = dir.path().join("fixed.toml");
    std::fs::write(&fixed_cfg, fixed).expect("write");
    let (data, out) = (dir.path().join("data2"), dir.path().join("out2"));
    assert_eq!(crawl(&fixed_cfg, &data, &out, &[]).status.code(), Some(0));
    let run_id = last_summary(&data)["run_id"].as_i64().expect("run_id");
    let o = crawl(&fixed_cfg, &data, &out, &[]);
    assert_eq!(o.status.code(), Some(0));
    let s2 = last_summary(&data);
    assert_eq!(s2["run_id"].as_i64(), Some(run_id + 1));
    assert_eq!(s2["new_reports"].as_array().map(Vec::len), Some(0));
}

#[test]
fn due_skips_sources_checked_recently() {
    let dir = tempfile::tempdir().expect("tmp");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let cfg = demo_config(dir.path(), "due_after_days = 30");
    // One source first: only it is checked.
    let o = crawl(
        &cfg,
        &data,
        &out,
        &[
            "--source",
            "gkmlpt (广东政府信息公开目录平台 shape, JSON list API)",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(
        last_summary(&data)["sources"].as_object().map(|m| m.len()),
        Some(1)
    );
    // --due: the two others are due, the first is not.
    let o = crawl(&cfg, &data, &out, &["--due", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let names: Vec<&String> = s["sources"].as_object().expect("sources").keys().collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with("gkmlpt")), "{names:?}");
    // Everything checked now: nothing is due, nothing is fetched, exit 0.
    let o = crawl(&cfg, &data, &out, &["--due"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("nothing to crawl"));
    // With a zero interval every source is due again.
    let cfg0 = demo_config(dir.path(), "due_after_days = 0");
    let o = crawl(&cfg0, &data, &out, &["--due", "--json"]);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(s["sources"].as_object().map(|m| m.len()), Some(3));
}

#[test]
fn bad_configuration_and_arguments_exit_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let cfg = demo_config(dir.path(), "");
    let missing = crawl(&dir.path().join("nope.toml"), &data, &out, &[]);
    assert_eq!(missing.status.code(), Some(2));
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[crawl]\nmax_pagez = 3\n").expect("write");
    assert_eq!(crawl(&typo, &data, &out, &[]).status.code(), Some(2));
    for args in [
        &["--source", "no such source"][..],
        &["--province", "台湾"][..],
        &["--shard", "4/4"][..],
        &["--shard", "x"][..],
    ] {
        let o = crawl(&cfg, &data, &out, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
    }
    assert!(!data.join("index.sqlite").exists(), "nothing was crawled");
}

#[test]
fn logs_plain_when_piped_and_json_on_request() {
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = demo_config(dir.path(), "");
    // stderr is a pipe here: no ANSI colour codes, even with -v.
    let o = crawl(
        &cfg,
        &dir.path().join("d1"),
        &dir.path().join("o1"),
        &["-v"],
    );
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("DEBUG"), "-v shows debug lines");
    assert!(!err.contains('\u{1b}'), "no escape codes in piped logs");

    let o = nianbao()
        .args(["--log-format", "json", "crawl", "--config"])
        .arg(&cfg)
        .arg("--data")
        .arg(dir.path().join("d2"))
        .arg("--out")
        .arg(dir.path().join("o2"))
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty());
    assert!(lines
        .iter()
        .all(|l| l.get("level").is_some() && l.get("timestamp").is_some()));
    assert!(String::from_utf8_lossy(&o.stdout).contains("reports in dataset"));

    let o = nianbao()
        .args(["--quiet", "crawl", "--config"])
        .arg(&cfg)
        .arg("--data")
        .arg(dir.path().join("d3"))
        .arg("--out")
        .arg(dir.path().join("o3"))
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stdout.is_empty() && o.stderr.is_empty(),
        "--quiet and all went well: silence"
    );
}
