//! How the charset of a source was chosen, as recorded in every report (`charset` in the JSON
//! contract). It lives here, next to the decoder, so that readers can record it without
//! depending on the aligner.

use serde::{Deserialize, Serialize};

/// The charset of a source and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharsetInfo {
    /// WHATWG encoding name.
    pub name: String,
    /// `header`, `bom`, `meta`, `utf8_valid` or `detected`.
    pub source: String,
}

impl From<&crate::Decoded> for CharsetInfo {
    fn from(d: &crate::Decoded) -> Self {
        use crate::CharsetSource::*;
        let source = match d.source {
            Header => "header",
            Bom => "bom",
            Meta => "meta",
            Utf8Valid => "utf8_valid",
            Detected => "detected",
        };
        CharsetInfo {
            name: d.charset.to_string(),
            source: source.to_string(),
        }
    }
}
