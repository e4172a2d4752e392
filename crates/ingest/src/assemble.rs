//! The one assembly step: a [`Document`] from any reader becomes reports. In order:
//!
//! 1. **align** every part's lines with the national templates (`nianbao-extract`);
//! 2. **fall back** to the page's plain text when a page's lines gave no value although the
//!    page speaks of the tables (`text_fallback`);
//! 3. **judge** the report as a whole: a report under the 2007 Regulation (`pre2019`), a list
//!    page rather than a report (`listing_page`), tables published as images (`image_only`)
//!    or only in an attachment (`attachment_only`), page metadata that disagrees with the
//!    report (`agency_mismatch_page`, `year_mismatch_page`);
//! 4. **record** charset, reader notes and provenance.
//!
//! Which reader made the document does not matter beyond what it says about itself (page
//! metadata, pages), so a new reader (OCR) is one more function that returns a [`Document`].

use crate::document::{Document, PageContext, Part, Reader};
use nianbao_extract::{extract_lines, extract_text, Format, Report, ReportFlag};
use nianbao_text::title::{agencies_compatible, agency_from_title, names_report, year_in};
use serde_json::json;

/// Words only a page that prints the national tables contains; a page without any of them is
/// spared the text fallback (most non-report pages).
const TEMPLATE_WORDS: &[&str] = &[
    "第二十条",
    "本年新收",
    "申请人情况",
    "行政复议",
    "予以公开",
    "本年制发",
];

/// A page listing more report titles than this is a 年报 column, not a report.
const LISTING_TITLES: usize = 3;

/// Does the report hold any template value?
pub fn has_values(r: &Report) -> bool {
    r.format.is_national() && r.cells.values().any(Option::is_some)
}

fn flag(r: &mut Report, f: ReportFlag) {
    if !r.report_flags.contains(&f) {
        r.report_flags.push(f);
    }
}

/// Assemble the reports of a document: one per part (per sheet for workbooks, keeping the
/// sheets that gave values, or the largest one when none did), or one report carrying the
/// reader's notes when the document has no lines at all.
pub fn assemble(doc: &Document) -> Vec<Report> {
    let mut reports: Vec<Report> = doc.parts.iter().map(|p| assemble_part(doc, p)).collect();
    if reports.len() > 1 {
        let filled = |r: &Report| r.cells.values().filter(|v| v.is_some()).count();
        if reports.iter().map(filled).max().unwrap_or(0) == 0 {
            let keep = doc
                .parts
                .iter()
                .enumerate()
                .max_by_key(|(_, p)| p.lines.len())
                .map(|(i, _)| i)
                .unwrap_or(0);
            reports = reports.into_iter().nth(keep).into_iter().collect();
        } else {
            reports.retain(|r| filled(r) > 0);
        }
    }
    if reports.is_empty() {
        let mut r = Report {
            source: doc.source.clone(),
            ..Default::default()
        };
        if doc.reader == Reader::Image {
            flag(&mut r, ReportFlag::ImageOnly);
            r.images = vec![doc.source.clone()];
        }
        record(doc, None, &mut r);
        reports.push(r);
    }
    reports
}

fn assemble_part(doc: &Document, part: &Part) -> Report {
    let mut r = extract_lines(&part.lines, &doc.source);
    if doc.ocr {
        nianbao_extract::ocr::verify_ocr(&mut r);
        if doc.reader == Reader::Image {
            flag(&mut r, ReportFlag::ImageOnly);
            r.images = vec![doc.source.clone()];
        }
    }
    let mut via = "lines";
    if let Some(page) = &doc.page {
        if !has_values(&r) && TEMPLATE_WORDS.iter().any(|w| page.text.contains(w)) {
            let mut text = String::new();
            if let Some(t) = &page.title {
                text.push_str(t);
                text.push('\n');
            }
            text.push_str(&page.text);
            let alt = extract_text(&text, &doc.source);
            if has_values(&alt) {
                r = alt;
                via = "text";
                flag(&mut r, ReportFlag::TextFallback);
            }
        }
    }
    // Without any national table, a report on a year before 2019 is one under the 2007
    // Regulation.
    if r.format == Format::Unknown
        && r.report_flags.contains(&ReportFlag::NoTables)
        && r.year.is_some_and(|y| y < 2019)
    {
        r.format = Format::Pre2019;
    }
    if let Some(page) = &doc.page {
        judge_page(
            page,
            &part.lines[page.body_from.min(part.lines.len())..],
            &mut r,
        );
    }
    if judge_scanned(doc, &r) {
        flag(&mut r, ReportFlag::ImageOnly);
    }
    record(doc, Some((part, via)), &mut r);
    r
}

/// Single-cell lines of a page body short enough to be headings, with their body index.
fn headings(body: &[nianbao_text::Line]) -> impl Iterator<Item = (usize, &str)> {
    body.iter()
        .enumerate()
        .filter(|(_, l)| l.cells.len() == 1 && l.cells[0].chars().count() <= 80)
        .map(|(i, l)| (i, l.cells[0].as_str()))
}

/// Lines of the body that read like report titles with a year: a page listing many of them is
/// a list page (a 年报 column).
fn report_title_lines(body: &[nianbao_text::Line]) -> usize {
    headings(body)
        .filter(|(_, t)| names_report(t) && year_in(t).is_some())
        .count()
}

/// The title of the report a page holds, if it holds one: the page title when it names a
/// report, else one of the first lines of the body.
fn report_title(page: &PageContext, body: &[nianbao_text::Line]) -> Option<String> {
    if report_title_lines(body) > LISTING_TITLES {
        return None;
    }
    if let Some(t) = page.title.as_deref().filter(|t| names_report(t)) {
        return Some(t.to_string());
    }
    headings(body)
        .take_while(|(i, _)| *i < 8)
        .map(|(_, t)| t)
        .find(|t| names_report(t))
        .map(str::to_string)
}

fn is_icon(src: &str) -> bool {
    nianbao_text::filetypes::is_decorative_image(src)
}

/// The page-level judgements: metadata from the page where the report has none (and a flag
/// where they disagree), `pre2019`, list pages, image-only and attachment-only reports.
fn judge_page(page: &PageContext, body: &[nianbao_text::Line], r: &mut Report) {
    let found = has_values(r);
    let title = report_title(page, body);
    let is_report = title.is_some();
    if r.title.is_none() {
        r.title = title.clone().or_else(|| page.title.clone());
    }

    // Agency: the report's own, else the one its title names, else the publisher.
    let page_agencies: Vec<String> = [
        title.as_deref().and_then(agency_from_title),
        page.title_agency.clone(),
        page.agency.clone(),
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
                flag(r, ReportFlag::AgencyMismatchPage);
            }
        }
    }

    // Year: the report's own, else its title's, else the publication year minus one (reports
    // are published in the first months of the following year).
    let title_year = title.as_deref().and_then(year_in);
    let pub_year: Option<i32> = page.date.as_deref().and_then(|d| d.get(..4)?.parse().ok());
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
                flag(r, ReportFlag::YearMismatchPage);
            }
        }
    }

    // A report under the 2007 Regulation: the national tables did not exist before the 2019
    // reports, so whatever the aligner matched in a legacy table (e.g. 同意部分公开答复数 read
    // as 部分公开) is invented and dropped.
    let mut found = found;
    if is_report && title_year.or(r.year).is_some_and(|y| y <= 2018) {
        if found {
            flag(r, ReportFlag::Pre2019CellsDropped);
        }
        r.format = Format::Pre2019;
        r.cells.clear();
        r.flags.clear();
        r.raw.clear();
        r.checks.clear();
        found = false;
    }

    // A list page: the aligner's year and agency come from one list item.
    if !found && report_title_lines(body) > LISTING_TITLES {
        flag(r, ReportFlag::ListingPage);
        r.year = None;
        r.agency = None;
    }

    let images: Vec<String> = page
        .images
        .iter()
        .filter(|s| !is_icon(s))
        .cloned()
        .collect();
    let says_image = page.title.as_deref().is_some_and(|t| t.contains("图片版"));
    if !found && !images.is_empty() && (is_report || says_image) {
        flag(r, ReportFlag::ImageOnly);
        r.images = images;
    }
    r.attachments = page.attachments.clone();
    if !found && is_report && !r.attachments.is_empty() {
        flag(r, ReportFlag::AttachmentOnly);
    }
    r.page = Some(page.meta.clone());
}

/// A paginated source whose tables are in image pages: every read page is an image, or some
/// are and the text gave no value.
fn judge_scanned(doc: &Document, r: &Report) -> bool {
    let Some(pages) = &doc.pages else {
        return false;
    };
    let values = r.cells.values().filter(|v| v.is_some()).count();
    let images = pages.image_pages.len();
    !doc.notes.contains(&ReportFlag::ImageOnly)
        && images > 0
        && (images >= pages.read || values == 0)
}

/// Charset, reader notes and provenance.
fn record(doc: &Document, part: Option<(&Part, &str)>, r: &mut Report) {
    for n in &doc.notes {
        flag(r, *n);
    }
    if r.charset.is_none() {
        r.charset = doc.charset.clone();
    }
    if doc.provenance.is_empty() {
        return;
    }
    let mut prov = doc.provenance.clone();
    if let Some((part, via)) = part {
        if doc.reader == Reader::Html {
            prov.insert("via".into(), json!(via));
        }
        if let Some(pages) = &doc.pages {
            let tables: serde_json::Map<String, serde_json::Value> = part
                .table_pages
                .iter()
                .map(|(t, p)| (t.to_string(), json!(p)))
                .collect();
            prov.insert(
                "pages".into(),
                json!({"count": pages.count, "tables": tables, "image_pages": pages.image_pages}),
            );
        }
        if let Some(name) = &part.name {
            prov.insert("sheet".into(), json!(name));
        }
    }
    r.provenance = Some(serde_json::Value::Object(prov));
}
