//! The readers, each ending in a [`Document`]: plain text here, HTML pages through
//! `nianbao-html`, PDF and Office files through `nianbao-documents`, images through OCR
//! ([`crate::ocr`]). What the assembly step does with a
//! document does not depend on which reader made it.

use crate::document::{Document, PageContext, Pages, Part, Reader};
use crate::{IngestError, InputHint};
use nianbao_extract::ReportFlag;
use nianbao_text::{CharsetInfo, Line};
use serde_json::json;

/// Plain text: decode, normalise, split into lines (cells at `|`).
pub fn read_text(bytes: &[u8], hint: &InputHint) -> Result<Document, IngestError> {
    let d = nianbao_text::decode(bytes, hint.charset());
    if d.text.trim().is_empty() {
        return Err(IngestError::Unsupported {
            source_name: hint.source.clone(),
            reason: "empty input".into(),
        });
    }
    // Binary data read as text is an error, not a report without cells.
    if let Some(why) = d.unreadable() {
        return Err(IngestError::Malformed {
            source_name: hint.source.clone(),
            reason: why,
        });
    }
    let norm = nianbao_text::normalize(&d.text);
    let mut doc =
        Document::new(&hint.source, Reader::Text).with_lines(nianbao_text::split_text(&norm));
    doc.charset = Some(CharsetInfo::from(&d));
    if d.had_errors {
        doc.notes.push(ReportFlag::DecodeErrors);
    }
    Ok(doc)
}

/// An HTML page: its body lines with the page title first (the body often starts after the
/// title, which sits outside the article container), and what the page says about itself.
pub fn read_html(bytes: &[u8], hint: &InputHint) -> Document {
    let page = nianbao_html::parse_page(bytes, hint.url(), hint.charset());
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
    let body_from = lines.len();
    lines.extend(page.lines.iter().cloned());
    let mut doc = Document::new(&hint.source, Reader::Html);
    doc.parts.push(Part {
        lines,
        ..Default::default()
    });
    doc.charset = Some(page.charset.clone());
    doc.page = Some(PageContext {
        meta: serde_json::to_value(&page.meta).unwrap_or_default(),
        title: page.meta.title.clone(),
        agency: page.meta.agency.clone(),
        title_agency: page.meta.report_agency.clone(),
        date: page.meta.date.clone(),
        text: page.text.clone(),
        attachments: page.attachments.iter().map(|a| a.url.clone()).collect(),
        images: page.images.clone(),
        body_from,
    });
    doc.provenance = match json!({
        "reader": "html",
        "url": page.url,
        "content": page.content,
        "tables": page.tables.len(),
        "lines": page.lines.len(),
    }) {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    doc
}

/// A PDF, Office or WPS document: one part per document, or per sheet of a workbook. A
/// recognised kind without a reader gives a document noted `unsupported_format`.
pub fn read_document(bytes: &[u8], hint: &InputHint) -> Result<Document, IngestError> {
    let source = &hint.source;
    let malformed = |reason: String| IngestError::Malformed {
        source_name: source.clone(),
        reason,
    };
    let kind = nianbao_documents::sniff(bytes, Some(source)).ok_or_else(|| {
        malformed(nianbao_documents::DocError::UnknownFormat(Some(source.clone())).to_string())
    })?;
    let mut doc = Document::new(source, Reader::Document);
    doc.provenance.insert("file".into(), json!(source));
    doc.provenance
        .insert("sha256".into(), json!(nianbao_documents::sha256_hex(bytes)));
    doc.provenance.insert("kind".into(), json!(kind.as_str()));
    let read = match nianbao_documents::read_document(bytes, kind) {
        Ok(d) => d,
        Err(nianbao_documents::DocError::Unsupported { reason, .. }) => {
            doc.notes.push(ReportFlag::UnsupportedFormat);
            doc.provenance.insert("reason".into(), json!(reason));
            return Ok(doc);
        }
        Err(e) => return Err(malformed(e.to_string())),
    };
    doc.parts = read
        .parts
        .into_iter()
        .map(|p| Part {
            name: p.name,
            lines: p.lines,
            table_pages: p.table_pages,
        })
        .collect();
    doc.pages = read.page_count.map(|count| Pages {
        count,
        read: read.pages_read,
        image_pages: read.image_pages.clone(),
    });
    // The reader's notes are facts about the file (`image_only`, `no_text`,
    // `unmapped_glyphs`); one it names that is no report flag stays in provenance.
    let mut warnings = read.warnings;
    for f in read.flags {
        match ReportFlag::parse(&f) {
            Some(flag) => doc.notes.push(flag),
            None => warnings.push(format!("reader note {f}")),
        }
    }
    if !warnings.is_empty() {
        doc.provenance.insert("warnings".into(), json!(warnings));
    }
    if read.image_only {
        crate::ocr::read_scanned_pdf(bytes, &mut doc);
    }
    Ok(doc)
}

/// An image: the tables are pixels, flagged `image_only`; OCR gives their lines when a
/// tesseract program is available, else the document is noted `ocr_unavailable`.
pub fn read_image(bytes: &[u8], hint: &InputHint) -> Document {
    let mut doc = Document::new(&hint.source, Reader::Image);
    doc.provenance.insert("file".into(), json!(hint.source));
    doc.provenance
        .insert("sha256".into(), json!(nianbao_documents::sha256_hex(bytes)));
    doc.provenance.insert("kind".into(), json!("image"));
    crate::ocr::read_picture(bytes, &mut doc);
    doc
}
