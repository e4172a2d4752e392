//! Sharding onto an existing engine: the same local multi-host site (the three demo sites
//! and the five portal fixtures, 8 hosts on 127.0.0.1) is crawled once whole, and once as 4
//! shards in 4 concurrent processes started by the Slurm job-array script of `deploy/`
//! (`SLURM_ARRAY_TASK_ID` = 0..3), each into its own archive, then merged by
//! `deploy/slurm/export.sh` (`nianbao export --data A --data B ...`). The two datasets must
//! be the same bytes, except for the provenance values that say *when* and *where in which
//! WARC file* a page was archived (`fetched_at`, `warc_file`, `warc_offset`): two crawls
//! archive at different times into different files by construction.
//! The Kubernetes Indexed Job's command line is run the same way for one index.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const BIN: &str = env!("CARGO_BIN_EXE_nianbao");

/// Serve the demo sites and the portal fixtures on random 127.0.0.1 ports; the returned
/// runtime keeps serving while the test runs processes.
fn serve() -> (tokio::runtime::Runtime, BTreeMap<String, String>) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut addr = BTreeMap::new();
    for dir in ["data/demo/sites", "crates/crawl/tests/fixtures/portals"] {
        let (sites, _tasks) = rt
            .block_on(nianbao_crawl::serve::spawn_sites(&root().join(dir), 0))
            .expect("serve");
        addr.extend(sites);
    }
    (rt, addr)
}

/// A configuration of 8 hosts: the portals as registry `portal` rows, the demo sites as
/// hand-written sources.
fn config(dir: &Path, addr: &BTreeMap<String, String>) -> PathBuf {
    let registry = dir.join("registry.csv");
    let mut csv =
        String::from("kind,name,start,division_code,level,province,cms,evidence,source\n");
    for (site, name) in [
        ("fj", "平潭"),
        ("hw", "大汉"),
        ("ah", "霍山"),
        ("gd", "龙岗"),
        ("jx", "江西"),
    ] {
        csv.push_str(&format!(
            "portal,{name},http://{}/,,county,,,,test\n",
            addr[site]
        ));
    }
    std::fs::write(&registry, csv).expect("registry");
    let toml = format!(
        r#"[registry]
file = {registry:?}

[[sources]]
name = "trs"
start = ["http://{trs}/"]

[[sources]]
name = "hanweb"
start = ["http://{hanweb}/col/col4180/index.html"]

[[sources]]
name = "gkmlpt"
start = ["http://{gkmlpt}/gkmlpt/index"]

[crawl]
allow_private_addresses = true

[politeness]
delay_ms = 5
retries = 0
"#,
        registry = registry.display().to_string(),
        trs = addr["trs"],
        hanweb = addr["hanweb"],
        gkmlpt = addr["gkmlpt"],
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, toml).expect("config");
    path
}

/// A dataset file with the archive-placement provenance blanked (columns and JSON keys).
fn comparable(path: &Path) -> String {
    // Where and when a record was archived (and first/last seen) differs between two crawls.
    const PLACE: [&str; 5] = [
        "fetched_at",
        "warc_file",
        "warc_offset",
        "first_seen",
        "last_seen",
    ];
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut rows = rdr.records().map(|r| r.expect("row"));
    let Some(header) = rows.next() else {
        return String::new();
    };
    let header: Vec<String> = header.iter().map(str::to_string).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).expect("write");
    for rec in rows {
        let row: Vec<String> = header
            .iter()
            .zip(rec.iter())
            .map(|(h, v)| {
                if PLACE.contains(&h.as_str()) {
                    String::new()
                } else if h == "provenance" && v.starts_with('{') {
                    let mut j: serde_json::Value = serde_json::from_str(v).expect("provenance");
                    strip(&mut j, &PLACE);
                    j.to_string()
                } else {
                    v.to_string()
                }
            })
            .collect();
        out.write_record(&row).expect("write");
    }
    String::from_utf8(out.into_inner().expect("csv")).expect("utf8")
}

fn strip(v: &mut serde_json::Value, keys: &[&str]) {
    match v {
        serde_json::Value::Object(m) => {
            for k in keys {
                m.remove(*k);
            }
            m.values_mut().for_each(|x| strip(x, keys));
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| strip(x, keys)),
        _ => {}
    }
}

fn hosts_of(data: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(data.join("runs/last-summary.json")).unwrap_or_default();
    if text.is_empty() {
        return BTreeSet::new();
    }
    let s: serde_json::Value = serde_json::from_str(&text).expect("summary");
    // Hosts asked something (out-of-scope hosts are only recorded).
    s["hosts"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, h)| h["fetched"].as_u64().unwrap_or(0) > 0)
                .map(|(k, _)| k.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn four_shards_merged_equal_one_whole_crawl() {
    let (_rt, addr) = serve();
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = config(dir.path(), &addr);

    // Once whole.
    let (whole, whole_out) = (dir.path().join("whole"), dir.path().join("whole-out"));
    let o = Command::new(BIN)
        .args(["--quiet", "crawl", "--config"])
        .arg(&cfg)
        .arg("--data")
        .arg(&whole)
        .arg("--out")
        .arg(&whole_out)
        .output()
        .expect("whole crawl");
    assert_eq!(o.status.code(), Some(0), "{o:?}");

    // As 4 shards, 4 processes at once, through the Slurm array script.
    let archives = dir.path().join("archives");
    let shards: Vec<_> = (0..4)
        .map(|i| {
            Command::new("bash")
                .arg(root().join("deploy/slurm/crawl-array.sh"))
                .env("SLURM_ARRAY_TASK_ID", i.to_string())
                .env("SLURM_ARRAY_TASK_COUNT", "4")
                .env("NIANBAO", BIN)
                .env("NIANBAO_CONFIG", &cfg)
                .env("NIANBAO_ARCHIVES", &archives)
                .current_dir(dir.path())
                .stdout(
                    std::fs::File::create(dir.path().join(format!("shard-{i}.out")))
                        .expect("output file"),
                )
                .stderr(
                    std::fs::File::create(dir.path().join(format!("shard-{i}.log")))
                        .expect("log file"),
                )
                .spawn()
                .expect("shard")
        })
        .collect();
    for mut s in shards {
        assert_eq!(
            s.wait().expect("wait").code(),
            Some(0),
            "every shard exits 0"
        );
    }
    // Every host crawled by exactly one shard.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut busy_shards = 0;
    for i in 0..4 {
        let hosts = hosts_of(&archives.join(format!("shard-{i}")));
        busy_shards += usize::from(!hosts.is_empty());
        for h in hosts {
            *seen.entry(h).or_default() += 1;
        }
    }
    // The ports are random; 8 hosts all in one shard (chance 4 / 4^8) would test no merge.
    assert!(busy_shards >= 2, "the hosts are spread over the shards");
    let whole_hosts = hosts_of(&whole);
    assert_eq!(whole_hosts.len(), 8, "{whole_hosts:?}");
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), whole_hosts);
    assert!(
        seen.values().all(|&n| n == 1),
        "a host in one shard only: {seen:?}"
    );

    // Merge.
    let merged = dir.path().join("merged-out");
    let o = Command::new("bash")
        .arg(root().join("deploy/slurm/export.sh"))
        .env("NIANBAO", BIN)
        .env("NIANBAO_ARCHIVES", &archives)
        .env("NIANBAO_OUT", &merged)
        .current_dir(dir.path())
        .output()
        .expect("export");
    assert_eq!(o.status.code(), Some(0), "{o:?}");

    let reports = std::fs::read_to_string(whole_out.join("reports.csv")).expect("reports");
    assert!(
        reports.lines().count() > 15,
        "a real dataset: {} lines",
        reports.lines().count()
    );
    // Every file of the two datasets, by name: the same files, the same bytes (reports.csv
    // with the archive-placement provenance blanked, see the top of this file).
    let (names_whole, names_merged) = (files(&whole_out), files(&merged));
    assert_eq!(names_whole, names_merged, "the same dataset files");
    assert!(names_whole.contains("cells.csv") && names_whole.contains("checks.csv"));
    for f in &names_whole {
        let (a, b) = (whole_out.join(f), merged.join(f));
        if f.ends_with(".csv") {
            assert_eq!(comparable(&a), comparable(&b), "{f}");
        } else {
            assert!(
                std::fs::read(&a).expect("whole") == std::fs::read(&b).expect("merged"),
                "{f} byte-identical"
            );
        }
    }
}

/// The files of a dataset folder (report.html and folders aside).
fn files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("dataset dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn kubernetes_indexed_job_command_runs_a_shard() {
    let manifest = std::fs::read_to_string(root().join("deploy/kubernetes/crawl-indexed-job.yaml"))
        .expect("manifest");
    assert!(manifest.contains("completionMode: Indexed"));
    let completions: u32 = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("completions:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("completions");
    // The folded `args` block: the lines after `- >-` up to the next key.
    let lines: Vec<&str> = manifest.lines().collect();
    let start = lines.iter().position(|l| l.trim() == "- >-").expect("args") + 1;
    let command: Vec<&str> = lines[start..]
        .iter()
        .take_while(|l| !l.trim().ends_with(':') && !l.contains(": "))
        .map(|l| l.trim())
        .collect();
    let command = command.join(" ");
    assert!(
        command.contains(&format!("--shard \"$JOB_COMPLETION_INDEX/{completions}\"")),
        "{command}"
    );

    let (_rt, addr) = serve();
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = config(dir.path(), &addr);
    let bin_dir = PathBuf::from(BIN);
    let path = format!(
        "{}:{}",
        bin_dir.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let archive = dir.path().join("archive");
    let command = command
        .replace("/etc/nianbao/config.toml", &cfg.display().to_string())
        .replace("/archive", &archive.display().to_string());
    for index in 0..completions {
        let o = Command::new("sh")
            .arg("-c")
            .arg(&command)
            .env("PATH", &path)
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .current_dir(dir.path())
            .output()
            .expect("pod command");
        assert_eq!(o.status.code(), Some(0), "index {index}: {o:?}");
        for line in String::from_utf8_lossy(&o.stderr).lines() {
            serde_json::from_str::<serde_json::Value>(line)
                .unwrap_or_else(|e| panic!("--log-format json ({e}): {line}"));
        }
    }
    let mut hosts = BTreeSet::new();
    for i in 0..completions {
        hosts.extend(hosts_of(&archive.join(format!("shard-{i}"))));
    }
    assert_eq!(
        hosts.len(),
        8,
        "the pods together crawled every host: {hosts:?}"
    );
}
