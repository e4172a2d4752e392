//! Bytes to text for HTML pages: the project's one charset decision
//! ([`nianbao_text::decode`]: BOM, then the `Content-Type` header, then `<meta>`, then
//! detection, each checked against the evidence), recorded as a [`CharsetInfo`].

use nianbao_text::CharsetInfo;

/// Decode page bytes; return the text and how its charset was chosen. `header_charset` is a
/// whole `Content-Type` value or a bare label.
pub(crate) fn decode_page(bytes: &[u8], header_charset: Option<&str>) -> (String, CharsetInfo) {
    let d = nianbao_text::decode(bytes, header_charset);
    let info = CharsetInfo::from(&d);
    (d.text, info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_beats_header() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend("年度报告".as_bytes());
        let (text, info) = decode_page(&b, Some("text/html; charset=GBK"));
        assert_eq!(text, "年度报告");
        assert_eq!(info.source, "bom");
    }
}
