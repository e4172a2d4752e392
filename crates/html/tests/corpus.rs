//! The real pages of the corpus as read: tables, metadata, attachments and links (the reports
//! assembled from them are tested in `nianbao-ingest`).

mod common;
use common::*;
use nianbao_html::parse_page;

const PT_002: &str = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm";

#[test]
fn page002_tables_are_rows_with_each_cell_once() {
    let page = parse_page(&fixture("002.html"), Some(PT_002), None);
    assert_eq!(page.content.as_deref(), Some(".TRS_Editor"));
    assert_eq!(page.tables.len(), 3);
    // Table 三's rowspan="22" group label appears once, on the first row it spans.
    let n = page
        .lines
        .iter()
        .filter(|l| l.cells.iter().any(|c| c == "三、本年度办理结果"))
        .count();
    assert_eq!(n, 1);
    // Table 四's header keeps both lines of 结果<br/>纠正.
    assert!(page
        .lines
        .iter()
        .any(|l| l.cells.iter().any(|c| c == "结果纠正")));
    // The spanned corner cell of table 三 is not repeated.
    let t3 = &page.tables[1];
    assert_eq!(t3.at(0, 0), t3.at(2, 2));
    assert_eq!(t3.row(1).count() + t3.row(2).count(), 3 + 5);
}

struct Expect {
    file: &'static str,
    title: Option<&'static str>,
    agency: Option<&'static str>,
    date: Option<&'static str>,
    attachments: &'static [&'static str],
}

#[test]
fn corpus_pages_give_title_agency_date_attachments() {
    let cases = [
        Expect {
            file: "001.html",
            title: Some("政府信息公开年报"),
            agency: None,
            date: None,
            attachments: &[],
        },
        Expect {
            file: "002.html",
            title: Some("平潭综合实验区2023年度政府信息公开工作年度报告"),
            agency: Some("平潭综合实验区管委会办公室"),
            date: Some("2024-03-08"),
            attachments: &[],
        },
        Expect {
            file: "003.html",
            title: Some("平潭县人民政府2011年政府信息公开工作年度报告"),
            agency: Some("平潭县人民政府"),
            date: Some("2012-04-18"),
            attachments: &[],
        },
        Expect {
            file: "005.html",
            title: Some("区公安局2024年第一季度易制毒化学品企事业抽查工作情况"),
            agency: Some("区公安局"),
            date: Some("2024-03-29"),
            attachments: &[
                "https://www.pingtan.gov.cn/zwgk/ghxx/gzjzqk/202403/W020240329549500303101.xls",
            ],
        },
        Expect {
            file: "006.html",
            title: Some("保定市统筹推动城市和产业转型升级 着力构建“医车电数游”五大优势产业集群"),
            agency: Some("保定市人民政府网"),
            date: Some("2021-04-09"),
            attachments: &[],
        },
        Expect {
            file: "007.html",
            title: Some("中国远洋海运"),
            agency: None,
            date: None,
            attachments: &[],
        },
    ];
    for c in cases {
        let page = parse_page(&fixture(c.file), None, None);
        assert_eq!(page.meta.title.as_deref(), c.title, "{} title", c.file);
        assert_eq!(page.meta.agency.as_deref(), c.agency, "{} agency", c.file);
        assert_eq!(page.meta.date.as_deref(), c.date, "{} date", c.file);
        let att: Vec<&str> = page.attachments.iter().map(|a| a.url.as_str()).collect();
        assert_eq!(att, c.attachments, "{} attachments", c.file);
        assert_eq!(page.charset.name, "UTF-8", "{}", c.file);
    }
}

#[test]
fn attachment_keeps_link_text_and_title() {
    let page = parse_page(&fixture("005.html"), None, None);
    let a = &page.attachments[0];
    assert_eq!(a.ext, "xls");
    assert_eq!(
        a.text,
        "区公安局2024年第一季度易制毒化学品企事业“双随机”抽查情况表.xls"
    );
    assert_eq!(
        a.title.as_deref(),
        Some("3.25区公安局2024年第一季度易制毒化学品企事业“双随机”抽查情况表.xls")
    );
}

#[test]
fn listing_links_are_absolute_with_titles() {
    let base = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/index.htm";
    let page = parse_page(&fixture("001.html"), Some(base), None);
    let l = page
        .links
        .iter()
        .find(|l| {
            l.url == "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm"
        })
        .expect("the 2023 report link");
    assert!(l.text.contains("2023年度"));
    // Hanweb homepage: iframes are links too, and titles hold the untruncated text.
    let page = parse_page(
        &fixture("007.html"),
        Some("http://www.coscoshipping.com/index.html"),
        None,
    );
    assert!(page
        .links
        .iter()
        .any(|l| l.url == "http://www.coscoshipping.com/col/col6877/index.html"));
    assert!(page.links.iter().all(|l| !l.url.starts_with("javascript")));
    assert!(page
        .links
        .iter()
        .any(|l| l.url.contains("/art/") && l.title.is_some()));
}

#[test]
fn pre2019_statistics_table_reaches_the_lines() {
    // A 2011 report: its statistics table still reaches the lines, for whoever reads pre-2019
    // indicators (the assembly step gives the report no cells).
    let page = parse_page(&fixture("003.html"), None, None);
    assert!(page
        .lines
        .iter()
        .any(|l| l.cells == ["主动公开信息数", "条", "425", "1516"]));
}
