//! The scheduling recipes in `deploy/` run as written: the systemd service's `ExecStart`
//! and every cron line are executed (binary, config and working directory mapped to this
//! build, the offline demo configuration and a temporary directory) and must crawl the demo
//! and write the dataset; the timer's `OnCalendar` expressions are checked by
//! `systemd-analyze` when it is installed, and the cron time fields by range.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The demo configuration as an installed `/etc/nianbao/config.toml` would be: storage
/// paths relative to the working directory; random ports.
fn installed_config(dir: &Path) -> PathBuf {
    let sites = root().join("data/demo/sites");
    let text = read("data/demo/demo.toml")
        .replace(
            "serve_dir = \"data/demo/sites\"",
            &format!("serve_dir = {:?}", sites.display().to_string()),
        )
        .replace("base_port = 28471", "base_port = 0")
        .replace("out/demo/archive", "archive")
        .replace("\"out/demo\"", "\"out\"");
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("config");
    path
}

/// Run a recipe's shell command with the installed paths mapped to this test.
fn run_mapped(command: &str, workdir: &Path, config: &Path) -> std::process::Output {
    let cmd = command
        .replace("/usr/local/bin/nianbao", env!("CARGO_BIN_EXE_nianbao"))
        .replace("/etc/nianbao/config.toml", &config.display().to_string())
        .replace("/var/lib/nianbao", &workdir.display().to_string());
    assert!(
        !cmd.contains("/etc/") && !cmd.contains("/var/"),
        "unmapped path: {cmd}"
    );
    Command::new("sh")
        .arg("-c")
        .arg(&cmd)
        .current_dir(workdir)
        .output()
        .expect("sh")
}

fn unit_values<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
        .collect()
}

#[test]
fn systemd_service_runs_the_demo() {
    let unit = read("deploy/systemd/nianbao-crawl.service");
    let exec = unit_values(&unit, "ExecStart");
    assert_eq!(exec.len(), 1, "one ExecStart");
    assert_eq!(unit_values(&unit, "WorkingDirectory"), ["/var/lib/nianbao"]);
    assert_eq!(unit_values(&unit, "Type"), ["oneshot"]);
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = installed_config(dir.path());
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).expect("workdir");
    let o = run_mapped(exec[0], &work, &cfg);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "--quiet: {o:?}");
    assert!(
        work.join("out/reports.csv").exists(),
        "dataset in the working directory"
    );
    assert!(work.join("archive/runs/last-summary.json").exists());
    // Next run: --due finds nothing to do within due_after_days.
    let o = run_mapped(exec[0], &work, &cfg);
    assert_eq!(o.status.code(), Some(0));
    let summary: serde_json::Value = serde_json::from_slice(
        &std::fs::read(work.join("archive/runs/last-summary.json")).expect("summary"),
    )
    .expect("json");
    assert_eq!(summary["run_id"], 1, "the second run crawled nothing");
}

#[test]
fn systemd_timer_calendar_is_valid() {
    let timer = read("deploy/systemd/nianbao-crawl.timer");
    let cals = unit_values(&timer, "OnCalendar");
    assert_eq!(cals.len(), 2);
    assert_eq!(unit_values(&timer, "Persistent"), ["true"]);
    let Ok(o) = Command::new("systemd-analyze")
        .arg("calendar")
        .args(&cals)
        .output()
    else {
        eprintln!("SKIPPED: systemd-analyze not installed; OnCalendar not checked");
        return;
    };
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(text.matches("Next elapse").count(), 2, "{text}");
}

fn cron_field_ok(field: &str, lo: u32, hi: u32) -> bool {
    field == "*"
        || field.split(',').all(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            match (a.parse::<u32>(), b.parse::<u32>()) {
                (Ok(a), Ok(b)) => lo <= a && a <= b && b <= hi,
                _ => false,
            }
        })
}

#[test]
fn cron_lines_run_the_demo() {
    let cron = read("deploy/cron/nianbao");
    let lines: Vec<&str> = cron
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    assert_eq!(lines.len(), 2);
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = installed_config(dir.path());
    for (i, line) in lines.iter().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];
        for (f, (lo, hi)) in fields.iter().zip(ranges) {
            assert!(cron_field_ok(f, lo, hi), "cron field {f:?} in {line}");
        }
        assert_eq!(fields[5], "nianbao", "/etc/cron.d lines name the user");
        let command = fields[6..].join(" ");
        let work = dir.path().join(format!("work{i}"));
        std::fs::create_dir_all(&work).expect("workdir");
        let o = run_mapped(&command, &work, &cfg);
        assert_eq!(o.status.code(), Some(0), "{command}: {o:?}");
        assert!(o.stdout.is_empty(), "nothing for cron to mail");
        assert!(work.join("out/reports.csv").exists());
    }
}
