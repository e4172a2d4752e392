//! How the charset of a source was chosen, as recorded in every report (`charset` in the JSON
//! contract). It lives here, next to the decoder, so that readers can record it without
//! depending on the aligner.

use serde::{Deserialize, Serialize};

/// The charset of a source and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharsetInfo {
    /// WHATWG encoding name.
    pub name: String,
    /// `header`, `bom`, `meta`, `utf8_valid`, `detected` or `evidence`.
    pub source: String,
    /// Malformed byte sequences replaced while decoding (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub errors: usize,
    /// The declared or detected charset that the evidence overruled, with its errors and CJK
    /// count: `"GBK (meta): 37 errors, 0 CJK"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overruled: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl From<&crate::Decoded> for CharsetInfo {
    fn from(d: &crate::Decoded) -> Self {
        CharsetInfo {
            name: d.charset.to_string(),
            source: d.source.as_str().to_string(),
            errors: d.errors,
            overruled: d.overruled.map(|o| {
                format!(
                    "{} ({}): {} errors, {} CJK",
                    o.charset,
                    o.source.as_str(),
                    o.errors,
                    o.cjk
                )
            }),
        }
    }
}
