//! Adding a national format is a data file: a copy of `data/templates/` plus one file
//! (`tests/data/toy2030.toml`, a toy "2030 format" that renames the first column of Table 二)
//! in a temporary directory. A report printed in that format (data/samples/001.txt, the 平潭
//! 2021 report with its glued tables, its first column renamed and its year moved to 2030) is
//! detected as `toy2030`, read under the new keys, and checked by the identities I1-I4, which
//! also split its glued digits. No code knows the new format.

use nianbao_extract::{Extractor, Format};
use nianbao_templates::TemplateSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn template_dir_with_toy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["common.toml", "gb2019.toml", "gb2021.toml", "keys.tsv"] {
        std::fs::copy(root().join("data/templates").join(f), dir.path().join(f)).expect("copy");
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/toy2030.toml"),
        dir.path().join("toy2030.toml"),
    )
    .expect("copy toy");
    dir
}

fn sample_in_toy_format() -> String {
    let text = std::fs::read_to_string(root().join("data/samples/001.txt")).expect("sample");
    assert!(text.contains("本年制发件数"));
    text.replace("本年制发件数", "本年新发布件数").replace(
        "2021年度政府信息公开工作年度报告",
        "2030年度政府信息公开工作年度报告",
    )
}

#[test]
fn a_third_format_added_as_data_is_detected_and_checked() {
    let dir = template_dir_with_toy();
    let set = TemplateSet::load_dir(dir.path()).expect("templates with the toy format");
    let ids: Vec<&str> = set.formats().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["gb2019", "gb2021", "toy2030"]);
    let ex = Extractor::new(&set);

    let toy = ex.extract_text(&sample_in_toy_format(), "toy.txt");
    assert_eq!(toy.format, Format::Other("toy2030".into()));
    assert_eq!(toy.year, Some(2030));
    // The new keys exist, with the values the renamed column holds.
    assert_eq!(
        toy.cells.get("t2.a20_1.rule.published"),
        Some(&Some(nianbao_extract::Value::Int(0)))
    );
    assert!(!toy.cells.contains_key("t2.a20_1.rule.issued"));
    assert_eq!(
        toy.cells.len(),
        set.get("toy2030").expect("toy").keys().len()
    );

    // Checked by the identities of common.toml: every one of I1-I4 ran, and all hold.
    for id in ["I1", "I2", "I3", "I4"] {
        assert!(
            toy.checks.iter().any(|c| c.id == id),
            "{id} did not run: {:?}",
            toy.checks
        );
    }
    assert!(toy.checks.iter().all(|c| c.holds), "{:?}", toy.checks);

    // Tables 三 and 四 (glued digits split by I2 and I4) read as in the original 2021 report.
    let original = nianbao_extract::extract_text(
        &std::fs::read_to_string(root().join("data/samples/001.txt")).expect("sample"),
        "001.txt",
    );
    assert_eq!(original.format, Format::Gb2021);
    let mut compared = 0;
    for (k, v) in toy.cells.iter().filter(|(k, _)| !k.starts_with("t2.")) {
        assert_eq!(original.cells.get(k), Some(v), "{k}");
        compared += usize::from(v.is_some());
    }
    assert!(compared >= 180, "only {compared} values compared");
    assert_eq!(toy.checks.len(), original.checks.len());

    // The codebook of the set describes the new keys (keys.tsv does not list them).
    let info = set
        .key_infos()
        .iter()
        .find(|k| k.key == "t2.a20_1.rule.published")
        .expect("codebook entry");
    assert_eq!(info.formats, "toy2030");
    assert!(
        info.label_path.contains("本年新发布件数"),
        "{}",
        info.label_path
    );

    // The bundled set is unchanged: the same text is not read as the toy format there.
    let bundled = nianbao_extract::extract_text(&sample_in_toy_format(), "toy.txt");
    assert_ne!(bundled.format.as_str(), "toy2030");
}
