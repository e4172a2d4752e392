//! What a reader hands to the assembly step: lines, what the source says about itself, and
//! provenance. Every reader (text, HTML, PDF, Office; an OCR reader alike) ends in a
//! [`Document`]; nothing here knows the national tables.

use nianbao_extract::ReportFlag;
use nianbao_text::{CharsetInfo, Line};
use std::collections::BTreeMap;

/// The reader that produced a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Plain text in any of the flattened shapes.
    Text,
    /// An HTML page.
    Html,
    /// A PDF, Office or WPS document; the kind is named in provenance.
    Document,
    /// An image (tables posted as a picture); no text unless an OCR reader gives lines.
    Image,
}

/// One part of a document that may hold its own report: the whole document, or one sheet of
/// a workbook.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// Sheet name for workbooks.
    pub name: Option<String>,
    /// Normalised lines in reading order.
    pub lines: Vec<Line>,
    /// Pages on which each table (by index) was found (paginated sources).
    pub table_pages: BTreeMap<u32, Vec<u32>>,
}

/// Pages of a paginated source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pages {
    /// Page count.
    pub count: u32,
    /// Pages actually read (fewer past a page limit).
    pub read: usize,
    /// Pages that are images without a text layer (1-based).
    pub image_pages: Vec<u32>,
}

/// What a web page says about itself, beyond its lines.
#[derive(Debug, Clone, Default)]
pub struct PageContext {
    /// The page metadata as JSON (the report's `page` field).
    pub meta: serde_json::Value,
    /// The article title from the page metadata.
    pub title: Option<String>,
    /// The publishing agency from the page metadata.
    pub agency: Option<String>,
    /// The agency the article title names.
    pub title_agency: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// The body as plain text (table cells joined by ` | `), for the text fallback.
    pub text: String,
    /// Absolute URLs of the documents attached to the article.
    pub attachments: Vec<String>,
    /// Absolute URLs of the images in the article body.
    pub images: Vec<String>,
    /// Index of the first body line in the part's lines (the page title may come first).
    pub body_from: usize,
}

/// A source as read: everything the assembly step needs, nothing about the tables.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path or URL of the input.
    pub source: String,
    /// Which reader produced it.
    pub reader: Reader,
    /// One part per report candidate (one, or one per workbook sheet).
    pub parts: Vec<Part>,
    /// How the text was decoded, for text sources.
    pub charset: Option<CharsetInfo>,
    /// Page metadata, for web pages.
    pub page: Option<PageContext>,
    /// Pages, for paginated sources.
    pub pages: Option<Pages>,
    /// Facts the reader noted that become report flags (`decode_errors`, `no_text`,
    /// `unmapped_glyphs`, `unsupported_format`).
    pub notes: Vec<ReportFlag>,
    /// Reader provenance (`file`, `sha256`, `kind`, `url`, `content`, ...), merged into the
    /// report's `provenance`.
    pub provenance: serde_json::Map<String, serde_json::Value>,
    /// The lines were read by OCR: the assembly step keeps only values the identities confirm.
    pub ocr: bool,
}

impl Document {
    /// An empty document of a reader.
    pub fn new(source: impl Into<String>, reader: Reader) -> Self {
        Document {
            source: source.into(),
            reader,
            parts: Vec::new(),
            charset: None,
            page: None,
            pages: None,
            notes: Vec::new(),
            provenance: serde_json::Map::new(),
            ocr: false,
        }
    }

    /// Add one part holding `lines` (builder style).
    pub fn with_lines(mut self, lines: Vec<Line>) -> Self {
        self.parts.push(Part {
            lines,
            ..Default::default()
        });
        self
    }
}
