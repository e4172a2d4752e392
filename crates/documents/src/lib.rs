//! Attachments → lines → reports: PDF, DOCX, DOC/WPS, XLS/XLSX/ODS and scanned PDFs.
//!
//! # Design
//!
//! Every reader turns a document into [`nianbao_text::Line`]s, the common currency the
//! label-driven aligner consumes: one line per table row with each cell once in reading order
//! (a blank cell is `""`, never `0`), and one line per paragraph or visual text line. The
//! readers know nothing about the national tables; `nianbao-ingest` assembles reports from
//! [`DocumentLines`].
//!
//! * **PDF** ([`DocKind::Pdf`]): the text comes with positions from the file itself. lopdf
//!   parses the object model (xref repair, object streams, filters, decryption with the empty
//!   password); a small interpreter of our own walks each page's content stream (CTM, text
//!   matrix, `Tf Td TD T* Tm Tc Tw Tz TL Ts Tj TJ ' "`, form XObjects) and decodes strings
//!   through the font's ToUnicode CMap or its predefined CMap (`UniGB-UCS2-H`, `GBK-EUC-H`,
//!   ...), placing each glyph with the font widths. Straight ruling lines are collected too.
//!   Tables are then rebuilt from the ruling lines (a grid with merged cells, so a wrapped
//!   label is one cell and blank cells stay blank), text elsewhere is grouped by baseline and
//!   split at column gaps. Page numbers and running headers/footers are dropped, a table that
//!   continues on the next page keeps its index and loses its repeated header rows.
//! * **Scanned PDF**: pages with no text layer but images are counted ([`scanned`]); the
//!   assembly step flags a report whose tables are in such pages `image_only`.
//! * **DOCX**: `word/document.xml` through zip + quick-xml; tables as grids honouring
//!   `gridSpan` and `vMerge`, paragraphs as text lines, in document order.
//! * **XLS/XLSX/ODS**: calamine; merged regions are honoured (a spanned value appears once);
//!   every sheet is read and each sheet with a table gives its own report.
//! * **DOC/WPS**: office_oxide (feature `legacy-doc`) when it can parse the file; otherwise the
//!   report is flagged `unsupported_format` with the reason.
//!
//! # Why lopdf plus our own interpreter
//!
//! Measured on the real reports `025.pdf`/`026.pdf` of the dev corpus and the LibreOffice
//! fixtures (release builds, one core; truth misses through the same aligner):
//!
//! | reader | characters vs `pdftotext` | truth misses 025 / 026 / 006 / 006-unruled | time per file | licence |
//! | --- | --- | --- | --- | --- |
//! | this crate (lopdf + interpreter + layout) | identical (page numbers dropped on purpose) | 0 / 0 / 0 / 0 | 19–23 ms | MIT |
//! | lopdf `extract_text` (no positions) | identical | 0 / 0 / 1 / 1 | 7–13 ms | MIT |
//! | pdf-extract 0.12 | identical here; **panics** on `UniGB-UCS2-H` without ToUnicode | 0 / 0 / 38 / 38 | 32–58 ms | MIT |
//! | pdf_oxide 0.3 | +99…113 extra chars, label and value glued (`1.属于国家秘密1`) | 0 / 3 / 51 / 63 | 27–34 ms; ~30 min to build here | MIT/Apache |
//! | `pdftotext -layout` (poppler, GPL, external) | oracle | 0 / 0 / 38 / 38 | ~50 ms incl. process start | GPL |
//!
//! Only positions keep blank cells in place (006 has many), so the choice is lopdf (pure
//! Rust, builds from crates.io alone, decrypts with the empty password) plus our own
//! content-stream interpreter and layout.
//!
//! All third-party parsing runs behind [`std::panic::catch_unwind`] and the limits of
//! [`nianbao_text::Limits`], checked before the parser allocates (zip central directory,
//! shared strings, sheet bounding boxes, BIFF dimensions, XML depth, PDF stream sizes and
//! object counts; see `guard.rs`), so broken or hostile input gives a [`DocError`] (a
//! [`DocError::Limit`] naming the limit), never a panic, a hang or an allocation abort. An
//! abort inside a dependency that slips past these checks is contained by running the
//! parser in a child process (`nianbao-sandbox`).

#![warn(missing_docs)]

mod docx;
mod guard;
mod legacy;
mod pdf;
pub mod placed;
pub mod scanned;
mod sheets;
mod sniff;

pub use sniff::sniff;

use nianbao_text::Line;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The kinds of document this crate routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// PDF (text layer or scanned).
    Pdf,
    /// Office Open XML word processing document.
    Docx,
    /// Word 97-2003 binary document.
    Doc,
    /// WPS Office (Kingsoft) word processing document.
    Wps,
    /// Excel 97-2003 binary workbook (also WPS `.et`).
    Xls,
    /// Office Open XML workbook.
    Xlsx,
    /// OpenDocument spreadsheet.
    Ods,
    /// OpenDocument text (recognised, not read).
    Odt,
}

impl DocKind {
    /// Lower-case name used in provenance (`"pdf"`, `"docx"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Pdf => "pdf",
            DocKind::Docx => "docx",
            DocKind::Doc => "doc",
            DocKind::Wps => "wps",
            DocKind::Xls => "xls",
            DocKind::Xlsx => "xlsx",
            DocKind::Ods => "ods",
            DocKind::Odt => "odt",
        }
    }
}

impl std::fmt::Display for DocKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// The bytes are not a document kind this crate knows.
    #[error("unrecognised document format{}", .0.as_deref().map(|n| format!(" ({n})")).unwrap_or_default())]
    UnknownFormat(Option<String>),
    /// The file is of a known kind but is broken or truncated.
    #[error("cannot parse {kind} document: {detail}")]
    Parse {
        /// What it was read as.
        kind: DocKind,
        /// The underlying parser's message.
        detail: String,
    },
    /// The PDF is encrypted and the empty password does not open it.
    #[error("encrypted PDF cannot be opened without a password: {0}")]
    Encrypted(String),
    /// The kind is recognised but no reader is available for it.
    #[error("unsupported {kind} document: {reason}")]
    Unsupported {
        /// The recognised kind.
        kind: DocKind,
        /// Why it cannot be read.
        reason: String,
    },
    /// A resource limit was hit before the parser could allocate: the document is refused
    /// (and quarantined by the dataset step), not partly read.
    #[error("{kind} document refused: {limit}")]
    Limit {
        /// What it was read as.
        kind: DocKind,
        /// The limit and the value found.
        limit: nianbao_text::LimitExceeded,
    },
    /// A third-party parser panicked (caught); the input is treated as broken.
    #[error("{kind} parser panicked: {detail}")]
    Panic {
        /// What it was read as.
        kind: DocKind,
        /// The panic message.
        detail: String,
    },
}

/// The lines of one part of a document: the whole document, or one sheet of a workbook.
#[derive(Debug, Clone, Default)]
pub struct DocPart {
    /// Sheet name for workbooks, `None` otherwise.
    pub name: Option<String>,
    /// Lines in reading order.
    pub lines: Vec<Line>,
    /// Pages on which each table (by index) was found (PDF only).
    pub table_pages: BTreeMap<u32, Vec<u32>>,
}

/// Everything a reader got out of a document.
#[derive(Debug, Clone)]
pub struct DocumentLines {
    /// The kind it was read as.
    pub kind: DocKind,
    /// One part per document, or per sheet for workbooks.
    pub parts: Vec<DocPart>,
    /// Page count (PDF).
    pub page_count: Option<u32>,
    /// No page has a text layer; the report is in images (scanned).
    pub image_only: bool,
    /// Pages that are images without text (1-based).
    pub image_pages: Vec<u32>,
    /// Pages actually read (PDF; may be fewer than `page_count` past the page limit).
    pub pages_read: usize,
    /// Report-level flags to pass on (`image_only`, `unsupported_format`, ...).
    pub flags: Vec<String>,
    /// Non-fatal problems (a broken page, a glyph without Unicode, ...).
    pub warnings: Vec<String>,
}

impl DocumentLines {
    /// All lines of all parts, in order.
    pub fn all_lines(&self) -> Vec<Line> {
        self.parts
            .iter()
            .flat_map(|p| p.lines.iter().cloned())
            .collect()
    }
}

pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Read a document of a known kind into lines. Never panics: parser panics are caught and
/// returned as [`DocError::Panic`].
pub fn read_document(bytes: &[u8], kind: DocKind) -> Result<DocumentLines, DocError> {
    nianbao_text::Limits::DEFAULT
        .check_input(bytes.len() as u64)
        .map_err(|e| guard::limit(kind, e))?;
    let run = || match kind {
        DocKind::Pdf => pdf::read_pdf(bytes),
        DocKind::Docx => docx::read_docx(bytes),
        DocKind::Xls | DocKind::Xlsx | DocKind::Ods => sheets::read_workbook(bytes, kind),
        DocKind::Doc | DocKind::Wps => legacy::read_legacy(bytes, kind),
        DocKind::Odt => Err(DocError::Unsupported {
            kind,
            reason: "OpenDocument text is not read".into(),
        }),
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|p| {
        Err(DocError::Panic {
            kind,
            detail: panic_message(&*p),
        })
    })
}

/// Hex SHA-256 of the bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
