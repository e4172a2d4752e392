//! Dataset options on the bundled real reports (`data/samples`): filters by year, province and
//! level, `--split year`, `--names short` with the Stata `.do` file, `--bom`, and a value
//! flagged `unit_unknown:likely_yuan` kept out of its 万元 column.

use nianbao_dataset::{Builder, Names, Options};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/samples")
}

fn sample_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(samples())
        .expect("samples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| n != "README.md")
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("txt" | "md" | "html")
                )
        })
        .collect();
    v.sort();
    v
}

fn build(out: &Path, opts: &Options) {
    let mut b = Builder::new(out, opts, false).expect("builder");
    for p in sample_files() {
        let bytes = std::fs::read(&p).expect("sample");
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let hint = nianbao_ingest::InputHint::file(name.to_string());
        let result = nianbao_ingest::extract_bytes(&bytes, &hint).map_err(|e| e.to_string());
        b.add_file(name, None, result).expect("add");
    }
    b.finish().expect("finish");
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<HashMap<String, String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr.headers().expect("headers").clone();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.expect("row");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    (headers.iter().map(str::to_string).collect(), rows)
}

#[test]
fn filters_keep_exactly_the_matching_rows() {
    let dir = tempfile::tempdir().expect("tmp");
    let all = dir.path().join("all");
    build(&all, &Options::default());
    let (_, every) = read_csv(&all.join("reports.csv"));
    let want: BTreeSet<String> = every
        .iter()
        .filter(|r| {
            r["year"] == "2023" && r["province"] == "福建省" && r["division_level"] == "county"
        })
        .map(|r| r["report_id"].clone())
        .collect();
    assert_eq!(want.len(), 1, "the 平潭 2023 report");

    let some = dir.path().join("some");
    build(
        &some,
        &Options {
            years: vec![2023],
            provinces: vec!["福建省".into()],
            levels: vec!["county".into()],
            ..Default::default()
        },
    );
    let (_, rows) = read_csv(&some.join("reports.csv"));
    let got: BTreeSet<String> = rows.iter().map(|r| r["report_id"].clone()).collect();
    assert_eq!(got, want);
    // The other files hold the same reports only.
    let (_, cells) = read_csv(&some.join("cells.csv"));
    assert!(!cells.is_empty());
    assert!(cells.iter().all(|c| want.contains(&c["report_id"])));
    let (_, checks) = read_csv(&some.join("checks.csv"));
    assert!(checks.iter().all(|c| want.contains(&c["report_id"])));

    // A level alone: every county-level row and nothing else.
    let county = dir.path().join("county");
    build(
        &county,
        &Options {
            levels: vec!["county".into()],
            ..Default::default()
        },
    );
    let (_, rows) = read_csv(&county.join("reports.csv"));
    let n = every
        .iter()
        .filter(|r| r["division_level"] == "county")
        .count();
    assert!(n >= 3, "平潭 ×2 and 梅河口 are county-level");
    assert_eq!(rows.len(), n);
}

#[test]
fn split_year_writes_one_file_set_per_year() {
    let dir = tempfile::tempdir().expect("tmp");
    let all = dir.path().join("all");
    build(&all, &Options::default());
    let (_, every) = read_csv(&all.join("reports.csv"));
    let years: BTreeSet<String> = every.iter().map(|r| r["year"].clone()).collect();

    let split = dir.path().join("split");
    build(
        &split,
        &Options {
            split_year: true,
            ..Default::default()
        },
    );
    assert!(split.join("codebook.csv").is_file());
    let mut total = 0;
    for y in &years {
        let d = split.join(y);
        for f in [
            "reports.csv",
            "cells.csv",
            "checks.csv",
            "codebook.csv",
            "reports.do",
        ] {
            assert!(d.join(f).is_file(), "{y}/{f}");
        }
        let (_, rows) = read_csv(&d.join("reports.csv"));
        assert!(!rows.is_empty(), "{y}");
        assert!(rows.iter().all(|r| &r["year"] == y), "{y}");
        total += rows.len();
    }
    assert_eq!(total, every.len());
    assert!(!split.join("reports.csv").exists());
}

#[test]
fn short_names_bom_and_the_do_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let long = dir.path().join("long");
    build(&long, &Options::default());
    let short = dir.path().join("short");
    build(
        &short,
        &Options {
            names: Names::Short,
            bom: true,
            ..Default::default()
        },
    );
    let raw = std::fs::read(short.join("reports.csv")).expect("csv");
    assert!(raw.starts_with("\u{feff}".as_bytes()), "BOM");
    let (long_h, long_rows) = read_csv(&long.join("reports.csv"));
    let (short_h, short_rows) = read_csv(&short.join("reports.csv"));
    assert_eq!(long_h.len(), short_h.len());
    let (_, book) = read_csv(&long.join("codebook.csv"));
    let short_of: HashMap<&str, &str> = book
        .iter()
        .filter(|r| r["file"] == "reports.csv")
        .map(|r| (r["key"].as_str(), r["short_name"].as_str()))
        .collect();
    let mut seen = BTreeSet::new();
    for (l, s) in long_h.iter().zip(&short_h) {
        assert_eq!(short_of.get(l.as_str()), Some(&s.as_str()), "{l}");
        assert!(s.len() <= 32, "{s}");
        assert!(
            s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{s}"
        );
        assert!(seen.insert(s.clone()), "duplicate {s}");
    }
    // Same values under the other names.
    assert_eq!(long_rows.len(), short_rows.len());
    for (a, b) in long_rows.iter().zip(&short_rows) {
        for (l, s) in long_h.iter().zip(&short_h) {
            assert_eq!(a[l], b[s], "{l}");
        }
    }
    // The .do file renames every column by position to its short name, with labels.
    let dofile = std::fs::read_to_string(short.join("reports.do")).expect("do");
    assert!(dofile.contains("import delimited using \"reports.csv\""));
    for (i, s) in short_h.iter().enumerate() {
        assert!(
            dofile.contains(&format!("rename v{} {s}\n", i + 1)),
            "rename of {s}"
        );
        assert!(
            dofile.contains(&format!("label variable {s} ")),
            "label of {s}"
        );
    }
    assert!(dofile.contains("label language en"));
}

#[test]
fn a_likely_yuan_value_stays_out_of_its_wan_column() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("out");
    build(&out, &Options::default());
    let (_, cells) = read_csv(&out.join("cells.csv"));
    let flagged: Vec<&HashMap<String, String>> = cells
        .iter()
        .filter(|c| {
            c["flags"]
                .split(';')
                .any(|f| f == "unit_unknown:likely_yuan")
        })
        .collect();
    assert!(!flagged.is_empty(), "a sample has a likely-yuan amount");
    let (_, reports) = read_csv(&out.join("reports.csv"));
    for c in flagged {
        assert!(c["key"].ends_with("_wan"), "{c:?}");
        assert_eq!(c["value"], "", "no value in the 万元 column: {c:?}");
        assert!(!c["raw"].is_empty(), "raw text kept: {c:?}");
        let r = reports
            .iter()
            .find(|r| r["report_id"] == c["report_id"])
            .expect("report row");
        assert_eq!(r[&c["key"]], "", "reports.csv column {}", c["key"]);
        assert!(
            r["flags"].contains("unit_unknown:likely_yuan"),
            "{}",
            r["flags"]
        );
    }
}
