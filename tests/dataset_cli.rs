//! The dataset options through the binary: `crawl` of the offline demo with `--bom`,
//! `--names short` and Parquet, then `export` of its archive with filters and `--split year`,
//! and `nianbao diff` on a report with a single version.

use std::path::{Path, PathBuf};
use std::process::Command;

fn nianbao() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nianbao"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h = rdr.headers().expect("headers").clone();
    let rows = rdr.records().map(|r| r.expect("row")).collect();
    (h.iter().map(str::to_string).collect(), rows)
}

fn ok(o: &std::process::Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn crawl_with_dataset_options_then_filtered_split_export_and_diff() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (data, out, out2) = (
        tmp.path().join("data"),
        tmp.path().join("out"),
        tmp.path().join("out2"),
    );
    let o = nianbao()
        .current_dir(root())
        .args([
            "crawl",
            "--config",
            "data/demo/demo.toml",
            "--json",
            "--bom",
        ])
        .args(["--names", "short", "--formats", "csv,parquet", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("crawl");
    ok(&o);
    let raw = std::fs::read(out.join("reports.csv")).expect("reports.csv");
    assert!(raw.starts_with("\u{feff}".as_bytes()), "crawl --bom");
    let (h, rows) = read_csv(&out.join("reports.csv"));
    assert!(rows.len() >= 4, "demo reports: {}", rows.len());
    assert!(h.iter().all(|c| c.len() <= 32 && !c.contains('.')), "{h:?}");
    assert!(h.iter().any(|c| c == "division_code"));
    assert!(out.join("parquet/reports.parquet").is_file());
    assert!(out.join("reports.do").is_file());

    // export with filters and a split, long names
    let (_, all) = read_csv(&out.join("reports.csv"));
    let at = |name: &str| h.iter().position(|c| c == name).expect(name);
    let (year_i, prov_i, id_i) = (at("year"), at("province"), at("report_id"));
    let fujian: Vec<&csv::StringRecord> = all.iter().filter(|r| &r[prov_i] == "福建省").collect();
    assert!(!fujian.is_empty(), "the 平潭 reports of the demo");
    let o = nianbao()
        .args(["export", "--config", "/nonexistent", "--province", "福建省"])
        .args(["--split", "year", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out2)
        .output()
        .expect("export");
    ok(&o);
    let mut n = 0;
    for r in &fujian {
        let (eh, erows) = read_csv(&out2.join(&r[year_i]).join("reports.csv"));
        let ei = eh.iter().position(|c| c == "report_id").expect("report_id");
        assert!(
            eh.iter().any(|c| c == "t3.new_received.total"),
            "long names"
        );
        assert!(erows.iter().any(|e| e[ei] == r[id_i]), "{}", &r[id_i]);
        n += 1;
    }
    let exported: usize = std::fs::read_dir(&out2)
        .expect("out2")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("reports.csv").is_file())
        .map(|e| read_csv(&e.path().join("reports.csv")).1.len())
        .sum();
    assert_eq!(exported, n, "only the 福建省 rows");

    // diff: one version only is a clear error, exit 1
    let o = nianbao()
        .args([
            "diff",
            &fujian[0][id_i],
            "--config",
            "/nonexistent",
            "--data",
        ])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("diff");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("nothing to compare"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
