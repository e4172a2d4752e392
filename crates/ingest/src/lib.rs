//! # nianbao-ingest: one entry point for every input
//!
//! Bytes plus what is known about them ([`InputHint`]: a path or URL, an HTTP content type)
//! are routed to a reader by their content first (PDF, OOXML and OLE magic bytes, HTML
//! markup), then by the name's extension, and finally treated as text: HTML pages go to
//! `nianbao-html`, attachments to `nianbao-documents`, everything else is decoded, normalised
//! and split into lines for the aligner. Every reader ends in the same aligner.
//!
//! ```
//! use nianbao_ingest::{extract_bytes, InputHint};
//! let text = "第二十条第(一)项\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数\n规章 | 0 | 0 | 0\n";
//! let reports = extract_bytes(text.as_bytes(), &InputHint::file("x.txt")).unwrap_or_default();
//! assert_eq!(reports[0].format.as_str(), "gb2021");
//! ```

use nianbao_extract::{CharsetInfo, Report};

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

    fn charset(&self) -> Option<&str> {
        nianbao_text::content_type_charset(self.content_type.as_deref()?)
    }

    fn url(&self) -> Option<&str> {
        let s = self.source.as_str();
        (s.starts_with("http://") || s.starts_with("https://") || s.starts_with("file://"))
            .then_some(s)
    }

    fn extension(&self) -> String {
        let path = self.source.split(['?', '#']).next().unwrap_or("");
        path.rsplit('/')
            .next()
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default()
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
    /// Plain text (any of the flattened shapes).
    Text,
}

/// Decide the reader: content first, then content type, then extension.
pub fn route(bytes: &[u8], hint: &InputHint) -> Route {
    if nianbao_documents::sniff(bytes, Some(&hint.source)).is_some() {
        return Route::Document;
    }
    let ext = hint.extension();
    let ct = hint
        .content_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "txt" | "md" | "csv") {
        return Route::Text;
    }
    if ct.contains("html")
        || matches!(
            ext.as_str(),
            "html" | "htm" | "shtml" | "xhtml" | "jsp" | "php" | "asp" | "aspx"
        )
        || nianbao_html::looks_like_html(bytes)
    {
        return Route::Html;
    }
    Route::Text
}

/// Extract every report from one input. Never panics; unreadable input is an error.
pub fn extract_bytes(bytes: &[u8], hint: &InputHint) -> Result<Vec<Report>, IngestError> {
    let route = route(bytes, hint);
    // Text is expanded several times while it is read; refuse what no report needs.
    if route != Route::Document {
        if let Err(e) = nianbao_text::Limits::DEFAULT.check_text(bytes.len() as u64) {
            return Err(IngestError::Malformed {
                source_name: hint.source.clone(),
                reason: e.to_string(),
            });
        }
    }
    match route {
        Route::Document => nianbao_documents::extract_document(bytes, &hint.source).map_err(|e| {
            IngestError::Malformed {
                source_name: hint.source.clone(),
                reason: e.to_string(),
            }
        }),
        Route::Html => {
            let mut r = nianbao_html::extract_page(bytes, hint.url(), hint.charset());
            r.source = hint.source.clone();
            Ok(vec![r])
        }
        Route::Text => {
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
            let mut r = nianbao_extract::extract_text(&d.text, &hint.source);
            r.charset = Some(CharsetInfo::from(&d));
            if d.had_errors {
                r.report_flags.push("decode_errors".into());
            }
            Ok(vec![r])
        }
    }
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
