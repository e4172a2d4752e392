//! # nianbao-ingest: one entry point for every input, one assembly step
//!
//! Bytes plus what is known about them ([`InputHint`]: a path or URL, an HTTP content type)
//! are routed to a reader ([`route`]) by their content first (PDF, OOXML and OLE magic bytes,
//! image signatures, HTML markup), then by the name's type
//! ([`nianbao_text::filetypes`]), and finally treated as text. Every reader returns a
//! [`Document`] (lines, page metadata, provenance; [`read`]), and one step, [`assemble`], turns
//! any document into reports: the aligner, the fallbacks and the report-level judgements.
//!
//! ```text
//! bytes ─ route ─┬─ read_text ─────┐
//!                ├─ read_html ─────┤
//!                ├─ read_document ─┼─ Document ─ assemble ─ Vec<Report>
//!                └─ read_image ────┘
//! ```
//!
//! ```
//! use nianbao_ingest::{extract_bytes, InputHint};
//! let text = "第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 0 | 0 | 0\n";
//! let reports = extract_bytes(text.as_bytes(), &InputHint::file("x.txt")).unwrap_or_default();
//! assert_eq!(reports[0].format.as_str(), "gb2021");
//! ```

pub mod assemble;
pub mod document;
mod ocr;
pub mod read;

pub use assemble::assemble;
pub use document::{Document, PageContext, Pages, Part, Reader};
use nianbao_extract::Report;
use nianbao_text::filetypes::{self, FileType};

/// What is known about an input besides its bytes.
#[derive(Debug, Clone, Default)]
pub struct InputHint {
    /// File path or URL the bytes came from (used for the `source` field and type sniffing).
    pub source: String,
    /// HTTP `Content-Type` header value, when fetched.
    pub content_type: Option<String>,
    /// The URL of the page that linked to this input (for attachments), when known.
    pub referrer: Option<String>,
}

impl InputHint {
    /// A hint for a local file.
    pub fn file(path: impl Into<String>) -> Self {
        InputHint {
            source: path.into(),
            ..Default::default()
        }
    }

    pub(crate) fn charset(&self) -> Option<&str> {
        nianbao_text::content_type_charset(self.content_type.as_deref()?)
    }

    pub(crate) fn url(&self) -> Option<&str> {
        let s = self.source.as_str();
        (s.starts_with("http://") || s.starts_with("https://") || s.starts_with("file://"))
            .then_some(s)
    }
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The input is of a kind nianbao cannot read.
    #[error("unsupported input {source_name}: {reason}")]
    Unsupported {
        /// The input.
        source_name: String,
        /// Why.
        reason: String,
    },
    /// A reader failed on malformed input.
    #[error("cannot read {source_name}: {reason}")]
    Malformed {
        /// The input.
        source_name: String,
        /// Why.
        reason: String,
    },
}

/// The reader an input is routed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// An HTML page.
    Html,
    /// A PDF or Office attachment.
    Document,
    /// An image.
    Image,
    /// Plain text (any of the flattened shapes).
    Text,
}

/// Signatures of image files.
fn is_image(bytes: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[b"\x89PNG", b"\xFF\xD8\xFF", b"GIF8", b"II*\0", b"MM\0*"];
    MAGIC.iter().any(|m| bytes.starts_with(m))
        || (bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
}

/// Decide the reader: content first, then content type, then the name's type.
pub fn route(bytes: &[u8], hint: &InputHint) -> Route {
    if nianbao_documents::sniff(bytes, Some(&hint.source)).is_some() {
        return Route::Document;
    }
    if is_image(bytes) {
        return Route::Image;
    }
    let kind = filetypes::file_type(&hint.source);
    let ct = hint
        .content_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    if kind == Some(FileType::Text) {
        return Route::Text;
    }
    if ct.contains("html") || kind == Some(FileType::Page) || nianbao_html::looks_like_html(bytes) {
        return Route::Html;
    }
    Route::Text
}

/// Read an input into a [`Document`] with the reader [`route`] chooses.
pub fn read(bytes: &[u8], hint: &InputHint) -> Result<Document, IngestError> {
    let route = route(bytes, hint);
    // Text is expanded several times while it is read; refuse what no report needs.
    if matches!(route, Route::Html | Route::Text) {
        if let Err(e) = nianbao_text::Limits::DEFAULT.check_text(bytes.len() as u64) {
            return Err(IngestError::Malformed {
                source_name: hint.source.clone(),
                reason: e.to_string(),
            });
        }
    }
    match route {
        Route::Document => read::read_document(bytes, hint),
        Route::Html => Ok(read::read_html(bytes, hint)),
        Route::Image => Ok(read::read_image(bytes, hint)),
        Route::Text => read::read_text(bytes, hint),
    }
}

/// Extract every report from one input: [`read`], then [`assemble`]. Never panics (a panic
/// below is caught and returned as an error); unreadable input is an error.
pub fn extract_bytes(bytes: &[u8], hint: &InputHint) -> Result<Vec<Report>, IngestError> {
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read(bytes, hint).map(|doc| assemble(&doc))
    }));
    run.unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        Err(IngestError::Malformed {
            source_name: hint.source.clone(),
            reason: format!("internal error: {msg}"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_content_then_name() {
        assert_eq!(
            route(b"%PDF-1.7\n", &InputHint::file("a.bin")),
            Route::Document
        );
        assert_eq!(
            route(b"<html><body>x</body></html>", &InputHint::file("a")),
            Route::Html
        );
        assert_eq!(
            route("规章 | 0".as_bytes(), &InputHint::file("a.txt")),
            Route::Text
        );
    }

    #[test]
    fn empty_input_is_an_error_not_a_report() {
        assert!(extract_bytes(b"  \n", &InputHint::file("e.txt")).is_err());
    }
}
