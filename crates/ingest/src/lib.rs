//! Input routing (work in progress): bytes plus hints to reports.
use nianbao_extract::Report;

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

/// Extract every report from one input.
pub fn extract_bytes(bytes: &[u8], hint: &InputHint) -> Result<Vec<Report>, IngestError> {
    let d = nianbao_text::decode(bytes, None);
    Ok(vec![nianbao_extract::extract_text(&d.text, &hint.source)])
}
