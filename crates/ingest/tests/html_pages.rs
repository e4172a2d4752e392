//! The real pages of the corpus assembled into reports: truth values, metadata, pre-2019 and
//! list pages, image-only and attachment-only reports.

mod common;
use common::*;
use nianbao_extract::Format;

const PT_002: &str = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm";

#[test]
fn dev006_every_truth_value_exact() {
    let r = extract_page(&fixture("dev006.html"), None, None);
    let side = sidecar("dev006.json");
    let bad = truth_mismatches(&r, &side["truth"]);
    assert!(
        bad.is_empty(),
        "{} wrong of {}:\n{}",
        bad.len(),
        side["truth"].as_object().unwrap().len(),
        bad.join("\n")
    );
    assert_eq!(r.format, Format::Gb2019);
    assert_eq!(r.year, Some(2019));
    assert_eq!(r.agency.as_deref(), Some("上海市人民政府办公厅"));
    let page = r.page.unwrap();
    assert_eq!(page["date"], "2020-01-31");
    assert_eq!(r.charset.unwrap().source, "utf8_valid");
}

#[test]
fn page002_every_truth_value_exact() {
    let r = extract_page(&fixture("002.html"), Some(PT_002), Some("text/html"));
    let side = sidecar("002.json");
    let bad = truth_mismatches(&r, &side["truth"]);
    assert!(bad.is_empty(), "{} wrong:\n{}", bad.len(), bad.join("\n"));
    assert_eq!(r.format, Format::Gb2021);
    assert_eq!(r.year, Some(2023));
    assert_eq!(r.agency.as_deref(), Some("平潭综合实验区"));
    assert!(
        !r.report_flags
            .iter()
            .any(|f| f.as_str().contains("mismatch")),
        "{:?}",
        r.report_flags
    );
    assert_eq!(r.charset.unwrap().source, "meta");
}

#[test]
fn pre2019_report_has_no_cells() {
    let r = extract_page(&fixture("003.html"), None, None);
    assert_eq!(r.format, Format::Pre2019);
    assert!(r.cells.values().all(Option::is_none), "{:?}", r.cells);
    assert_eq!(r.year, Some(2011));
    assert_eq!(r.agency.as_deref(), Some("平潭县人民政府"));
}

#[test]
fn listing_pages_give_no_cells() {
    for f in ["001.html", "007.html"] {
        let r = extract_page(
            &fixture(f),
            Some("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"),
            None,
        );
        assert!(r.cells.values().all(Option::is_none), "{f}: {:?}", r.cells);
        assert!(!matches!(r.format, Format::Gb2019 | Format::Gb2021), "{f}");
    }
    let r = extract_page(&fixture("001.html"), None, None);
    assert!(
        r.report_flags.iter().any(|f| f == "listing_page"),
        "{:?}",
        r.report_flags
    );
    assert_eq!(r.year, None);
}

#[test]
fn non_report_articles_give_no_cells() {
    for f in ["005.html", "006.html"] {
        let r = extract_page(&fixture(f), None, None);
        assert!(r.cells.values().all(Option::is_none), "{f}");
    }
}

/// 002 with its tables replaced by pictures, as 图片版 reports are published.
#[test]
fn tables_as_images_are_flagged_image_only() {
    let html = String::from_utf8(fixture("002.html")).unwrap();
    let mut out = String::new();
    let mut rest = html.as_str();
    let mut k = 0;
    while let Some(start) = rest.find("<table style=") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</table>").unwrap() + start + "</table>".len();
        out.push_str(&format!(
            "<p><img src=\"./W0202403{k}.png\" width=\"600\"/></p>"
        ));
        k += 1;
        rest = &rest[end..];
    }
    out.push_str(rest);
    assert_eq!(k, 3);
    let r = extract_page(out.as_bytes(), Some(PT_002), None);
    assert!(r.cells.values().all(Option::is_none));
    assert!(
        r.report_flags.iter().any(|f| f == "image_only"),
        "{:?}",
        r.report_flags
    );
    assert_eq!(r.images.len(), 3);
    assert_eq!(
        r.images[0],
        "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/W02024030.png"
    );
}

/// 002 as a 全真版 page whose viewer shows a PDF and whose body holds only the intro.
#[test]
fn pdf_viewer_and_attachment_only_report() {
    let html = String::from_utf8(fixture("002.html")).unwrap();
    let html = html.replace(
        "ms-attr-src=\"/generic2/web/viewer.html?file={{qzbFile}}\"",
        "src=\"/generic2/web/viewer.html?file=%2Fzwgk%2Fzfxxgk%2Fzfxxgknb%2F202403%2FP020240308.pdf\"",
    );
    let start = html
        .find("<p style=\"text-indent: 2em;\"><strong>二、")
        .unwrap();
    let end = html[start..].find("</div>").unwrap() + start;
    let cut = format!("{}{}", &html[..start], &html[end..]);
    let r = extract_page(cut.as_bytes(), Some(PT_002), None);
    assert_eq!(
        r.attachments,
        vec!["https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202403/P020240308.pdf"]
    );
    assert!(r.cells.values().all(Option::is_none));
    assert!(
        r.report_flags.iter().any(|f| f == "attachment_only"),
        "{:?}",
        r.report_flags
    );
    assert_eq!(r.year, Some(2023));
}

#[test]
fn reports_carry_the_page_attachments() {
    let r = extract_page(&fixture("005.html"), None, None);
    assert_eq!(
        r.attachments,
        ["https://www.pingtan.gov.cn/zwgk/ghxx/gzjzqk/202403/W020240329549500303101.xls"]
    );
    let r = extract_page(&fixture("002.html"), None, None);
    assert!(r.attachments.is_empty());
}
