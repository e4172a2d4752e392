//! A broken template fails loudly: each way of breaking the bundled data files (taken from
//! `data/templates/`, changed in one place) gives an error that names the file and the
//! problem, never a set with missing or empty formats. The bundled files themselves load.

use nianbao_templates::{TemplateError, TemplateSet};

const COMMON: &str = include_str!("../../../data/templates/common.toml");
const GB2019: &str = include_str!("../../../data/templates/gb2019.toml");
const GB2021: &str = include_str!("../../../data/templates/gb2021.toml");

fn load(common: &str, gb2021: &str) -> Result<TemplateSet, TemplateError> {
    TemplateSet::from_sources(
        common,
        &[("gb2019.toml", GB2019), ("gb2021.toml", gb2021)],
        None,
    )
}

/// Change `from` (which must occur) to `to` in `text`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture text {from:?} not found");
    text.replacen(from, to, 1)
}

fn expect_error(r: Result<TemplateSet, TemplateError>, file: &str, words: &str) {
    match r {
        Ok(_) => panic!("a broken {file} loaded without error"),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains(file), "error does not name {file}: {msg}");
            assert!(msg.contains(words), "error does not say {words:?}: {msg}");
        }
    }
}

#[test]
fn the_bundled_files_load() {
    let set = load(COMMON, GB2021).expect("bundled data");
    assert_eq!(set.formats().len(), 2);
    assert!(nianbao_templates::bundled().is_ok());
}

#[test]
fn toml_syntax_error() {
    let bad = edit(GB2021, "id = \"gb2021\"", "id = \"gb2021");
    expect_error(load(COMMON, &bad), "gb2021.toml", "");
}

#[test]
fn misspelt_field() {
    let bad = edit(GB2021, "ordinal = \"一\"", "ordnial = \"一\"");
    expect_error(load(COMMON, &bad), "gb2021.toml", "ordnial");
}

#[test]
fn row_without_labels() {
    let bad = edit(GB2021, "labels = [\"重复申请\"]", "labels = []");
    expect_error(
        load(COMMON, &bad),
        "gb2021.toml",
        "result.not_processed.repeat",
    );
}

#[test]
fn identity_naming_a_missing_row() {
    let bad = edit(
        COMMON,
        "rhs = [\"result.total\", \"carried_forward\"]",
        "rhs = [\"result.total\", \"carried_forwards\"]",
    );
    expect_error(load(&bad, GB2021), "toml", "carried_forwards");
}

#[test]
fn unknown_check_id() {
    let bad = edit(COMMON, "id = \"I4\"", "id = \"I9\"");
    expect_error(load(&bad, GB2021), "toml", "I9");
}

#[test]
fn unknown_column_kind() {
    let bad = edit(
        GB2021,
        "kinds = { amount_wan = \"money_wan\" }",
        "kinds = { amount_wan = \"money_wan_\" }",
    );
    expect_error(load(COMMON, &bad), "gb2021.toml", "money_wan_");
}

#[test]
fn broken_narrative_pattern() {
    let bad = edit(GB2021, "规章(?:共)?(\\d+)件", "规章(?:共?(\\d+)件");
    expect_error(load(COMMON, &bad), "gb2021.toml", "narrative");
}

#[test]
fn derived_row_with_an_unknown_part() {
    let bad = edit(
        GB2021,
        "\"result.other.unpaid_fee\", \"result.other.other\"]",
        "\"result.other.unpaid\", \"result.other.other\"]",
    );
    expect_error(load(COMMON, &bad), "gb2021.toml", "result.other.unpaid");
}

#[test]
fn duplicate_keys_and_missing_markers() {
    let bad = edit(GB2021, "{ key = \"coercion\"", "{ key = \"penalty\"");
    expect_error(load(COMMON, &bad), "gb2021.toml", "penalty");
    let bad = edit(GB2021, "markers = [\"本年制发件数\"", "markers = [\"\"");
    expect_error(load(COMMON, &bad), "gb2021.toml", "markers");
}

#[test]
fn a_directory_without_common_toml_is_an_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("gb2021.toml"), GB2021).expect("write");
    expect_error(TemplateSet::load_dir(dir.path()), "common.toml", "");
}
