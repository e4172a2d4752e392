//! Bytes to text for HTML pages, on top of [`nianbao_text::decode`].
//!
//! Two things are added here. The caller may pass the whole `Content-Type` header value
//! (`text/html; charset=GBK`) or just a label, so the label is cut out first. And a byte-order
//! mark outranks the header, as the HTML standard's encoding sniffing says: a BOM is written by
//! the program that produced the bytes, a header by a server that may guess.

use nianbao_text::CharsetInfo;

/// Decode page bytes; return the text and how its charset was chosen.
pub(crate) fn decode_page(bytes: &[u8], header_charset: Option<&str>) -> (String, CharsetInfo) {
    let has_bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF])
        || bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF]);
    let label = if has_bom {
        None
    } else {
        header_charset.and_then(header_label)
    };
    let d = nianbao_text::decode(bytes, label);
    let info = CharsetInfo::from(&d);
    (d.text, info)
}

/// The charset label inside a header value: `text/html; charset="gbk"` gives `gbk`, a bare
/// `GB2312` gives itself, a header without a charset parameter gives `None`.
pub(crate) fn header_label(value: &str) -> Option<&str> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let lower = v.to_ascii_lowercase();
    if let Some(pos) = lower.find("charset") {
        let rest = v[pos + "charset".len()..].trim_start();
        let rest = rest.strip_prefix('=')?.trim_start();
        let rest = rest.trim_start_matches(['"', '\'']);
        let end = rest
            .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
            .unwrap_or(rest.len());
        let label = &rest[..end];
        return (!label.is_empty()).then_some(label);
    }
    // A media type without a charset parameter says nothing about the encoding.
    if v.contains('/') || v.contains(';') {
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_and_bare_labels() {
        assert_eq!(header_label("text/html; charset=GBK"), Some("GBK"));
        assert_eq!(header_label("text/html;charset=\"gb2312\""), Some("gb2312"));
        assert_eq!(header_label("GB18030"), Some("GB18030"));
        assert_eq!(header_label("text/html"), None);
        assert_eq!(header_label(""), None);
        assert_eq!(header_label("text/html; charset="), None);
    }

    #[test]
    fn bom_beats_header() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend("年度报告".as_bytes());
        let (text, info) = decode_page(&b, Some("text/html; charset=GBK"));
        assert_eq!(text, "年度报告");
        assert_eq!(info.source, "bom");
    }
}
