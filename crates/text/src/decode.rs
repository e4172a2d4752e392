//! Bytes to text. Order of evidence: an explicit charset (HTTP header), a BOM, a declared
//! charset in the first bytes (`<meta charset>` / `http-equiv`), then detection with
//! chardetng. GBK and GB2312 labels decode with encoding_rs' GBK decoder, which is the full
//! GB18030 decoder, so 4-byte sequences survive.

use encoding_rs::{Encoding, UTF_8};
use serde::Serialize;

/// How the charset of a document was chosen; recorded in the output for provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    /// Given by the caller (for example the HTTP `Content-Type` header).
    Header,
    /// A byte-order mark.
    Bom,
    /// A `<meta charset>` or `http-equiv` declaration in the document.
    Meta,
    /// The bytes were valid UTF-8.
    Utf8Valid,
    /// Statistical detection (chardetng).
    Detected,
}

/// Decoded text plus how it was decoded.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The WHATWG name of the encoding used (for example `UTF-8`, `GBK`).
    pub charset: &'static str,
    /// Where the decision came from.
    pub source: CharsetSource,
    /// True when malformed sequences were replaced with U+FFFD.
    pub had_errors: bool,
}

/// Decode bytes with an optional charset label from outside the document (HTTP header).
pub fn decode(bytes: &[u8], header_charset: Option<&str>) -> Decoded {
    if let Some(enc) = header_charset.and_then(|l| Encoding::for_label(l.trim().as_bytes())) {
        return finish(bytes, enc, CharsetSource::Header);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            charset: enc.name(),
            source: CharsetSource::Bom,
            had_errors,
        };
    }
    if let Some(enc) = sniff_meta_charset(bytes) {
        return finish(bytes, enc, CharsetSource::Meta);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_string(),
            charset: UTF_8.name(),
            source: CharsetSource::Utf8Valid,
            had_errors: false,
        };
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    // No TLD hint: a `cn` hint turns Big5 into GBK silently (see spec/crates.md).
    let enc = det.guess(None, chardetng::Utf8Detection::Allow);
    finish(bytes, enc, CharsetSource::Detected)
}

fn finish(bytes: &[u8], enc: &'static Encoding, source: CharsetSource) -> Decoded {
    // A UTF-16 declaration inside an 8-bit document is a lie by definition (HTML spec).
    let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        if source == CharsetSource::Meta {
            UTF_8
        } else {
            enc
        }
    } else {
        enc
    };
    let (text, _, had_errors) = enc.decode(bytes);
    Decoded {
        text: text.into_owned(),
        charset: enc.name(),
        source,
        had_errors,
    }
}

/// Look for a charset declaration in the first 2048 bytes (the HTML prescan reads 1024; Word
/// exports often put it later). Works on bytes, so it is independent of the real encoding.
pub fn sniff_meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(2048)];
    const NEEDLE: &[u8] = b"charset";
    let mut from = 0;
    while from + NEEDLE.len() <= head.len() {
        // Cheap scan for the first letter before comparing the word case-insensitively.
        let Some(pos) = head[from..]
            .iter()
            .position(|b| b.eq_ignore_ascii_case(&b'c'))
        else {
            break;
        };
        let at = from + pos;
        if at + NEEDLE.len() > head.len() {
            break;
        }
        if head[at..at + NEEDLE.len()].eq_ignore_ascii_case(NEEDLE) {
            let mut i = at + NEEDLE.len();
            while i < head.len() && (head[i] == b' ' || head[i] == b'\t') {
                i += 1;
            }
            if i < head.len() && head[i] == b'=' {
                i += 1;
                while i < head.len() && matches!(head[i], b' ' | b'"' | b'\'') {
                    i += 1;
                }
                let start = i;
                while i < head.len()
                    && (head[i].is_ascii_alphanumeric()
                        || matches!(head[i], b'-' | b'_' | b':' | b'.'))
                {
                    i += 1;
                }
                if let Some(enc) = Encoding::for_label(&head[start..i]) {
                    return Some(enc);
                }
            }
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    #[test]
    fn gbk_without_declaration_is_detected() {
        let text = "政府信息公开工作年度报告。本年新收政府信息公开申请数量，行政复议，行政诉讼。";
        let d = decode(&gbk(text), None);
        assert_eq!(d.text, text);
        assert_eq!(d.source, CharsetSource::Detected);
        assert_eq!(d.charset, "GBK");
    }

    #[test]
    fn meta_declaration_wins_over_detection() {
        let mut bytes = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>".to_vec();
        bytes.extend(gbk("规章"));
        let d = decode(&bytes, None);
        assert!(d.text.contains("规章"));
        assert_eq!(d.source, CharsetSource::Meta);
    }

    #[test]
    fn header_wins_and_bom_is_honoured() {
        let d = decode(&gbk("行政许可"), Some("GB18030"));
        assert_eq!(d.text, "行政许可");
        assert_eq!(d.source, CharsetSource::Header);
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend("总计".as_bytes());
        let d = decode(&b, None);
        assert_eq!(d.text, "总计");
        assert_eq!(d.source, CharsetSource::Bom);
    }
}
