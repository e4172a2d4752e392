//! A pre-2019 statistics table (rows as fed by the HTML reader for the 2011 平潭 report in
//! the corpus) must not be read as a national table: `同意部分公开答复数` is not `（二）部分公开`.
//! The aligner finds no national table; the assembly step judges the report `pre2019`.

use nianbao_ingest::{assemble, Document, Reader};
use nianbao_text::Line;

fn row(cells: &[&str]) -> Line {
    Line::row(
        cells.iter().map(|c| nianbao_text::normalize(c)).collect(),
        Some(0),
    )
}

#[test]
fn old_statistics_table_gives_no_template_cells() {
    let lines = vec![
        Line::text("平潭县人民政府2011年政府信息公开工作年度报告"),
        row(&["指标名称", "单位", "本年度", "历年累计"]),
        row(&["主动公开信息数", "条", "425", "1516"]),
        row(&["1.同意公开答复数", "条", "3", "10"]),
        row(&["2.同意部分公开答复数", "条", "0", "0"]),
        row(&["行政复议数", "条", "0", "0"]),
        row(&["行政申诉数", "条", "0", "0"]),
    ];
    let aligned = nianbao_extract::extract_lines(&lines, "p.html");
    assert_eq!(aligned.format, nianbao_extract::Format::Unknown);
    assert!(aligned.report_flags.iter().any(|f| f == "no_tables"));
    let reports = assemble(&Document::new("p.txt", Reader::Text).with_lines(lines));
    let r = &reports[0];
    assert_eq!(r.format, nianbao_extract::Format::Pre2019);
    assert!(
        r.cells.is_empty(),
        "{:?}",
        r.cells
            .iter()
            .filter(|(_, v)| v.is_some())
            .collect::<Vec<_>>()
    );
    assert_eq!(r.year, Some(2011));
}
