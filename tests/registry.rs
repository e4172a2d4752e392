//! The source registry `data/sources/registry.csv` (see `data/sources/README.md`): it parses
//! with the contract header, every start URL is unique once scheme, host case and a trailing
//! slash are ignored, every division code is a code of the bundled table
//! `data/divisions/areacodes.csv` and names the province written beside it, kinds, levels and
//! CMS families are known values, every `column` row carries an http(s) evidence URL, and the
//! coverage floors of issue 9 hold (3,302 portals; at least 131 columns; a province-level
//! column for each of the 31 provinces; columns in every province).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const HEADER: [&str; 9] = [
    "kind",
    "name",
    "start",
    "division_code",
    "level",
    "province",
    "cms",
    "evidence",
    "source",
];
const LEVELS: [&str; 5] = ["province", "prefecture", "county", "department", "other"];
const CMS: [&str; 8] = [
    "trs",
    "hanweb",
    "ucap",
    "gkmlpt",
    "fujian_trt",
    "anhui_label",
    "jiangxi_irs",
    "other",
];

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// One registry row, by header name.
struct Row {
    line: u64,
    fields: HashMap<String, String>,
}

impl Row {
    fn get(&self, key: &str) -> &str {
        self.fields.get(key).map(String::as_str).unwrap_or("")
    }
}

fn registry() -> (Vec<String>, Vec<Row>) {
    let path = data("data/sources/registry.csv");
    let mut rdr =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let header: Vec<String> = rdr
        .headers()
        .expect("registry header")
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("every registry record parses with the header's field count");
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let fields = header
            .iter()
            .cloned()
            .zip(rec.iter().map(str::to_string))
            .collect();
        rows.push(Row { line, fields });
    }
    (header, rows)
}

/// areacodes.csv: code → (province, in use?). A code retired and later reused keeps the
/// in-use record.
fn codes() -> HashMap<String, (String, bool)> {
    let path = data("data/divisions/areacodes.csv");
    let mut rdr =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let mut out: HashMap<String, (String, bool)> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.expect("areacodes record");
        // The first header cell carries a BOM; the columns are positional.
        let (code, province, status) = (&rec[0], &rec[1], &rec[5]);
        let in_use = status == "在用";
        if in_use || !out.contains_key(code) {
            out.insert(code.to_string(), (province.to_string(), in_use));
        }
    }
    out
}

/// A URL with its scheme, host case and trailing slash ignored.
fn normalized(url: &str) -> String {
    let t = url.trim();
    let rest = ["https://", "http://"]
        .iter()
        .find_map(|scheme| {
            t.get(..scheme.len())
                .filter(|head| head.eq_ignore_ascii_case(scheme))
                .map(|_| &t[scheme.len()..])
        })
        .unwrap_or(t);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    format!("{}/{}", host.to_ascii_lowercase(), path)
        .trim_end_matches('/')
        .to_string()
}

fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !url.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[test]
fn header_is_the_contract() {
    let (header, rows) = registry();
    assert_eq!(header, HEADER, "registry header");
    assert!(!rows.is_empty());
}

#[test]
fn start_urls_are_fetchable_and_unique() {
    let (_, rows) = registry();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let start = row.get("start");
        assert!(
            is_http_url(start),
            "line {}: start {start:?} is not an http(s) URL",
            row.line
        );
        if let Some(first) = seen.insert(normalized(start), row.line) {
            panic!(
                "line {}: start {start} duplicates line {first} (scheme and trailing slash ignored)",
                row.line
            );
        }
    }
}

#[test]
fn normalization_ignores_scheme_case_and_trailing_slash() {
    assert_eq!(
        normalized("HTTP://WWW.Example.gov.cn/a/B/"),
        normalized("https://www.example.gov.cn/a/B")
    );
    assert_ne!(
        normalized("http://www.example.gov.cn/a/B/"),
        normalized("http://www.example.gov.cn/a/b/")
    );
}

#[test]
fn division_codes_exist_and_name_their_province() {
    let (_, rows) = registry();
    let codes = codes();
    let provinces: BTreeSet<&str> = codes
        .iter()
        .filter(|(code, (_, in_use))| *in_use && code.ends_with("0000"))
        .map(|(_, (p, _))| p.as_str())
        .collect();
    for row in &rows {
        let code = row.get("division_code");
        let province = row.get("province");
        if code.is_empty() {
            // Only the reference table's six portals without a code (两江新区, 兵团, 大兴安岭
            // districts) may lack one; they still name their province.
            assert_eq!(
                row.get("kind"),
                "portal",
                "line {}: column without code",
                row.line
            );
            assert_eq!(
                row.get("level"),
                "other",
                "line {}: coded level, no code",
                row.line
            );
            assert!(
                provinces.contains(province),
                "line {}: unknown province {province:?}",
                row.line
            );
            continue;
        }
        assert!(
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
            "line {}: division_code {code:?} is not 6 digits",
            row.line
        );
        let Some((expected, in_use)) = codes.get(code) else {
            panic!(
                "line {}: division_code {code} not in areacodes.csv",
                row.line
            );
        };
        assert!(in_use, "line {}: division_code {code} is retired", row.line);
        assert_eq!(province, expected, "line {}: province of {code}", row.line);
        if row.get("level") == "province" {
            assert!(
                code.ends_with("0000"),
                "line {}: province-level row with code {code}",
                row.line
            );
        }
    }
}

#[test]
fn kinds_levels_and_cms_are_known() {
    let (_, rows) = registry();
    for row in &rows {
        let kind = row.get("kind");
        assert!(
            kind == "portal" || kind == "column",
            "line {}: kind {kind:?}",
            row.line
        );
        let level = row.get("level");
        assert!(
            LEVELS.contains(&level),
            "line {}: level {level:?}",
            row.line
        );
        if kind == "portal" {
            assert_ne!(
                level, "department",
                "line {}: portal of a department",
                row.line
            );
        }
        let cms = row.get("cms");
        assert!(
            cms.is_empty() || CMS.contains(&cms),
            "line {}: cms {cms:?}",
            row.line
        );
        assert!(
            !row.get("name").trim().is_empty(),
            "line {}: no name",
            row.line
        );
        assert!(
            !row.get("source").is_empty(),
            "line {}: no source",
            row.line
        );
    }
}

#[test]
fn every_column_has_http_evidence() {
    let (_, rows) = registry();
    for row in rows.iter().filter(|r| r.get("kind") == "column") {
        let evidence = row.get("evidence");
        assert!(
            is_http_url(evidence),
            "line {}: column {} has evidence {evidence:?}",
            row.line,
            row.get("name")
        );
    }
}

#[test]
fn coverage_floors_hold() {
    let (_, rows) = registry();
    let codes = codes();
    let portals = rows.iter().filter(|r| r.get("kind") == "portal").count();
    assert_eq!(portals, 3302, "portal rows (one per row of gov-sites.csv)");
    let columns: Vec<&Row> = rows.iter().filter(|r| r.get("kind") == "column").collect();
    assert!(
        columns.len() >= 131,
        "{} column rows, need at least 131 (31 provinces + 100)",
        columns.len()
    );
    // The 31 mainland province-level divisions in use (Taiwan, Hong Kong, Macau have none).
    let all: BTreeMap<&str, &str> = codes
        .iter()
        .filter(|(code, (_, in_use))| {
            *in_use && code.ends_with("0000") && !["71", "81", "82"].contains(&&code[..2])
        })
        .map(|(code, (p, _))| (code.as_str(), p.as_str()))
        .collect();
    assert_eq!(all.len(), 31, "31 province-level codes in use");
    let with_province_column: BTreeSet<&str> = columns
        .iter()
        .filter(|r| r.get("level") == "province")
        .map(|r| r.get("division_code"))
        .collect();
    let missing: Vec<&str> = all
        .iter()
        .filter(|(code, _)| !with_province_column.contains(*code))
        .map(|(_, p)| *p)
        .collect();
    assert!(
        missing.is_empty(),
        "no province-level column for {missing:?}"
    );
    let covered: BTreeSet<&str> = columns.iter().map(|r| r.get("province")).collect();
    let uncovered: Vec<&str> = all
        .values()
        .filter(|p| !covered.contains(*p))
        .copied()
        .collect();
    assert!(uncovered.is_empty(), "no column rows in {uncovered:?}");
}

#[test]
fn bundled_code_table_is_the_reference_table() {
    // The identity helper bundles the same file; both must stay byte-identical to the
    // shared reference when it is present (it is not in CI checkouts of the repo alone).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = [
        root.join("../shared/reference/areacodes.csv"),
        root.join("../../shared/reference/areacodes.csv"),
    ]
    .into_iter()
    .find(|p| p.exists())
    .unwrap_or_else(|| root.join("../shared/reference/areacodes.csv"));
    let bundled = std::fs::read(data("data/divisions/areacodes.csv")).expect("bundled table");
    assert!(
        bundled.starts_with(b"\xEF\xBB\xBF"),
        "areacodes.csv keeps its BOM"
    );
    match std::fs::read(&shared) {
        Ok(reference) => assert!(bundled == reference, "bundled areacodes.csv differs"),
        Err(_) => eprintln!(
            "SKIPPED: {} not found, byte comparison not run",
            shared.display()
        ),
    }
}
