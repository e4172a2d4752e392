//! The README's flag tables are the flags the code knows: each table is generated from
//! [`CellFlag::ALL`] / [`ReportFlag::ALL`] and must appear in the README verbatim. When a flag
//! is added or reworded, this test fails and prints the table to paste.

use nianbao_extract::{CellFlag, ReportFlag};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md")
}

#[test]
fn readme_lists_every_cell_flag() {
    let table = CellFlag::markdown_table();
    assert!(
        readme().contains(&table),
        "README.md must contain the cell flag table generated from CellFlag:\n{table}"
    );
}

#[test]
fn readme_lists_every_report_flag() {
    let table = ReportFlag::markdown_table();
    assert!(
        readme().contains(&table),
        "README.md must contain the report flag table generated from ReportFlag:\n{table}"
    );
}
