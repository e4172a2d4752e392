//! From a parsed [`Page`] to a [`Report`]: run the one aligner on the page's lines, fall back to
//! the text aligner, then add what only the page knows (metadata, charset, attachments, images)
//! and the page-level judgements: `pre2019`, `image_only`, `attachment_only`, and disagreements
//! between the page's metadata and the report's own agency and year.

use crate::meta::{agency_from_title, year_in};
use crate::Page;
use nianbao_extract::{extract_lines, extract_text, Format, Report};
use nianbao_text::Line;
use serde_json::json;

/// Does the aligner's report hold any template value?
pub(crate) fn has_values(r: &Report) -> bool {
    matches!(r.format, Format::Gb2019 | Format::Gb2021) && r.cells.values().any(Option::is_some)
}

fn is_report_title(t: &str) -> bool {
    (t.contains("年度报告") || t.contains("年报") || t.contains("年度工作报告"))
        && (t.contains("信息公开") || t.contains("政务公开"))
}

/// Lines of the body that read like report titles with a year. A page listing many of them is
/// a list page (a 年报 column), not a report.
fn report_title_lines(page: &Page) -> usize {
    page.lines
        .iter()
        .filter(|l| l.cells.len() == 1 && l.cells[0].chars().count() <= 80)
        .filter(|l| is_report_title(&l.cells[0]) && year_in(&l.cells[0]).is_some())
        .count()
}

/// The title of the report this page holds, if it holds one: the page title when it reads like
/// a report title, else one of the first lines of the body.
fn report_title(page: &Page) -> Option<String> {
    if report_title_lines(page) > 3 {
        return None;
    }
    if let Some(t) = page.meta.title.as_deref().filter(|t| is_report_title(t)) {
        return Some(t.to_string());
    }
    page.lines
        .iter()
        .take(8)
        .filter(|l| l.cells.len() == 1)
        .map(|l| l.cells[0].as_str())
        .find(|t| t.chars().count() <= 80 && is_report_title(t))
        .map(str::to_string)
}

/// Strip words every agency name may or may not carry, for comparison.
fn agency_core(a: &str) -> String {
    let mut s = nianbao_text::compact(a);
    for w in [
        "办公室",
        "办公厅",
        "人民政府",
        "政府",
        "管委会",
        "管理委员会",
        "党工委",
        "网站",
        "网",
    ] {
        s = s.replace(w, "");
    }
    s
}

/// Two agency names that may denote the same body (one contains the other, or they share
/// most of their beginning).
fn agencies_compatible(a: &str, b: &str) -> bool {
    let (x, y) = (agency_core(a), agency_core(b));
    if x.is_empty() || y.is_empty() || x.contains(&y) || y.contains(&x) {
        return true;
    }
    let common = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
    let shorter = x.chars().count().min(y.chars().count());
    common * 10 >= shorter * 6
}

fn is_icon(src: &str) -> bool {
    let s = src.to_ascii_lowercase();
    [
        "icon",
        "filetypeimages",
        "qrcode",
        "ewm",
        "share",
        "logo",
        "spacer",
        "blank.gif",
    ]
    .iter()
    .any(|w| s.contains(w))
}

/// Build the report of a page.
pub(crate) fn build(page: &Page, source: &str) -> Report {
    // The aligner reads agency and year from text; the body often starts after the title,
    // which sits outside the article container, so the title goes first.
    let mut lines: Vec<Line> = Vec::with_capacity(page.lines.len() + 1);
    if let Some(t) = &page.meta.title {
        if page
            .lines
            .first()
            .is_none_or(|l| l.cells.first() != Some(t))
        {
            lines.push(Line::text(t.clone()));
        }
    }
    lines.extend(page.lines.iter().cloned());
    let mut r = extract_lines(&lines, source);
    let mut via = "lines";
    // The text aligner finds nothing without template labels; most non-report pages have
    // none, so they are spared a second alignment.
    const TEMPLATE_WORDS: &[&str] = &[
        "第二十条",
        "本年新收",
        "申请人情况",
        "行政复议",
        "予以公开",
        "本年制发",
    ];
    let has_template_words = TEMPLATE_WORDS.iter().any(|w| page.text.contains(w));
    if !has_values(&r) && has_template_words {
        let mut text = String::new();
        if let Some(t) = &page.meta.title {
            text.push_str(t);
            text.push('\n');
        }
        text.push_str(&page.text);
        let alt = extract_text(&text, source);
        if has_values(&alt) {
            r = alt;
            via = "text";
            r.report_flags.push("text_fallback".to_string());
        }
    }
    let found = has_values(&r);
    let report_title = report_title(page);
    let is_report = report_title.is_some();

    if r.title.is_none() {
        r.title = report_title.clone().or_else(|| page.meta.title.clone());
    }

    // Agency: the report's own, else the one its title names, else the publisher.
    let page_agencies: Vec<String> = [
        report_title.as_deref().and_then(agency_from_title),
        page.meta.report_agency.clone(),
        page.meta.agency.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    match &r.agency {
        None => {
            if is_report || found {
                r.agency = page_agencies.first().cloned();
            }
        }
        Some(a) => {
            if !page_agencies.is_empty() && !page_agencies.iter().any(|p| agencies_compatible(a, p))
            {
                r.report_flags.push("agency_mismatch_page".to_string());
            }
        }
    }

    // Year: the report's own, else its title's, else the publication year minus one (reports
    // are published in the first months of the following year).
    let title_year = report_title.as_deref().and_then(year_in);
    let pub_year: Option<i32> = page
        .meta
        .date
        .as_deref()
        .and_then(|d| d.get(..4)?.parse().ok());
    match r.year {
        None => {
            if is_report || found {
                r.year = title_year.or(pub_year.map(|y| y - 1));
            }
        }
        Some(y) => {
            let title_disagrees = title_year.is_some_and(|t| t != y);
            let date_disagrees = pub_year.is_some_and(|p| y > p || y < p - 2);
            if title_disagrees || date_disagrees {
                r.report_flags.push("year_mismatch_page".to_string());
            }
        }
    }

    // A report under the 2007 Regulation: the national tables did not exist before the 2019
    // reports, so whatever the aligner matched in a legacy table (e.g. 同意部分公开答复数 read
    // as 部分公开) is invented and dropped.
    let mut found = found;
    if is_report && title_year.or(r.year).is_some_and(|y| y <= 2018) {
        if found {
            r.report_flags.push("pre2019_cells_dropped".to_string());
        }
        r.format = Format::Pre2019;
        r.cells.clear();
        r.flags.clear();
        r.raw.clear();
        r.checks.clear();
        found = false;
    }

    // A list page (a 年报 column): the aligner's year and agency come from one list item.
    if !found && report_title_lines(page) > 3 {
        r.report_flags.push("listing_page".to_string());
        r.year = None;
        r.agency = None;
    }

    let images: Vec<String> = page
        .images
        .iter()
        .filter(|s| !is_icon(s))
        .cloned()
        .collect();
    let says_image = page
        .meta
        .title
        .as_deref()
        .is_some_and(|t| t.contains("图片版"));
    if !found && !images.is_empty() && (is_report || says_image) {
        r.report_flags.push("image_only".to_string());
        r.images = images;
    }
    r.attachments = page.attachments.iter().map(|a| a.url.clone()).collect();
    if !found && is_report && !r.attachments.is_empty() {
        r.report_flags.push("attachment_only".to_string());
    }

    r.page = serde_json::to_value(&page.meta).ok();
    r.charset = Some(page.charset.clone());
    let prov = json!({
        "reader": "html",
        "url": page.url,
        "content": page.content,
        "tables": page.tables.len(),
        "lines": page.lines.len(),
        "via": via,
    });
    r.provenance = Some(match r.provenance.take() {
        Some(serde_json::Value::Object(mut m)) => {
            if let serde_json::Value::Object(p) = prov {
                for (k, v) in p {
                    m.entry(k).or_insert(v);
                }
            }
            serde_json::Value::Object(m)
        }
        _ => prov,
    });
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_comparison_is_lenient_but_not_blind() {
        assert!(agencies_compatible(
            "平潭综合实验区",
            "平潭综合实验区管委会办公室"
        ));
        assert!(agencies_compatible(
            "上海市人民政府办公厅",
            "上海市人民政府办公厅"
        ));
        assert!(!agencies_compatible(
            "上海市人民政府办公厅",
            "平潭综合实验区管委会办公室"
        ));
        assert!(!agencies_compatible(
            "上海市发展和改革委员会",
            "上海市公安局"
        ));
    }
}
